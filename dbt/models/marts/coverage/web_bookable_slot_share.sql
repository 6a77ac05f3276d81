{#- Slots the region opened for booking in 1177 / all slots, by region, month
    of the slot day, care unit, time type and care service. A day's row of a
    time book and time type delivered more than once counts once. -#}
with slots as (

    select * from {{ ref('stg_lake__timeslots') }}
    qualify row_number() over (
        partition by region_code, time_book_hsa_id, time_type_code, slot_date
        order by source_file_hash desc, source_row desc
    ) = 1

)

select
    region_code,
    cast({{ dbt.date_trunc('month', 'slot_date') }} as date) as month,
    care_unit_hsa_id,
    time_type_code,
    coalesce(care_service, 'unknown') as care_service,
    cast(sum(coalesce(slots_web_bookable, 0)) as bigint) as numerator,
    cast(sum(slots_total) as bigint) as denominator,
    {{ safe_rate('sum(coalesce(slots_web_bookable, 0))', 'sum(slots_total)') }} as rate
from slots
group by 1, 2, 3, 4, 5
