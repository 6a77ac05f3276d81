{#- Combinations of care service and time type a resident could book, rebook or
    cancel digitally at a care unit in the month: the unit had slots of it open
    for booking in 1177 on a day it was live on at least one of book, rebook
    and cancel. By region, month and care unit; units with none are 0 in a
    month they had slots. Not re-aggregatable over months. -#}
with slots as (

    select distinct region_code, care_unit_hsa_id, slot_date, care_service, time_type_code,
        coalesce(slots_web_bookable, 0) > 0 as is_web_bookable
    from {{ ref('stg_lake__timeslots') }}

),

live_days as (

    select care_unit_hsa_id, day
    from {{ ref('int_coverage__unit_service_days') }}
    where service in ('book', 'rebook', 'cancel') and is_live
    group by care_unit_hsa_id, day

)

select
    slots.region_code,
    cast({{ dbt.date_trunc('month', 'slots.slot_date') }} as date) as month,
    slots.care_unit_hsa_id,
    cast(count(distinct case
        when slots.is_web_bookable and live_days.day is not null
            then coalesce(slots.care_service, 'unknown') || '|' || slots.time_type_code
    end) as bigint) as value,
    cast(count(distinct coalesce(slots.care_service, 'unknown') || '|' || slots.time_type_code)
        as bigint) as n
from slots
left join live_days
    on live_days.care_unit_hsa_id = slots.care_unit_hsa_id
    and live_days.day = slots.slot_date
group by 1, 2, 3
