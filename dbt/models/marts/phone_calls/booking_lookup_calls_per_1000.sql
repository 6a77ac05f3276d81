{#- Calls offered about an existing booking (Ärende "Fråga om bokad tid",
    reason booking_lookup) / bookings upcoming at some moment of the month
    (int_phone__upcoming_bookings), by region × month × care unit, for the months a
    region delivered telephony. rate is per booking; per_1000 = 1 000 × rate. -#}
with calls as (

    select
        region_code,
        cast({{ dbt.date_trunc('month', 'call_date') }} as date) as month,
        coalesce(care_unit_hsa_id, 'unknown') as care_unit_hsa_id,
        sum(case when reason = 'booking_lookup' then calls_offered else 0 end) as lookup_calls
    from {{ ref('stg_lake__telephony_queues') }}
    group by 1, 2, 3

),

upcoming as (

    select * from {{ ref('int_phone__upcoming_bookings') }}

),

joined as (

    select
        coalesce(upcoming.region_code, calls.region_code) as region_code,
        coalesce(upcoming.month, calls.month) as month,
        coalesce(upcoming.care_unit_hsa_id, calls.care_unit_hsa_id) as care_unit_hsa_id,
        cast(coalesce(calls.lookup_calls, 0) as bigint) as numerator,
        cast(coalesce(upcoming.upcoming_bookings, 0) as bigint) as denominator
    from upcoming
    full outer join calls
        on calls.region_code = upcoming.region_code
        and calls.month = upcoming.month
        and calls.care_unit_hsa_id = upcoming.care_unit_hsa_id

)

select
    region_code,
    month,
    care_unit_hsa_id,
    numerator,
    denominator,
    {{ safe_rate('numerator', 'denominator') }} as rate,
    1000 * {{ safe_rate('numerator', 'denominator') }} as per_1000
from joined
