{#- Bookings shown in Bokade tider with both cancel_booking_allowed and
    rebooking_allowed / all shown bookings, by region of the care unit, day of
    the response and care unit. A booking shown in several views counts once
    per view. -#}
with shown as (

    select * from {{ ref('stg_lake__aggregator_shown_bookings') }}
    qualify row_number() over (
        partition by request_id, booking_id, care_unit_hsa_id
        order by source_file_hash, source_member, source_row
    ) = 1

),

units as (

    select hsa_id, region_code from {{ ref('dim_units') }}

)

select
    units.region_code,
    shown.response_date as day,
    shown.care_unit_hsa_id,
    {{ ratio_measures('coalesce(shown.cancel_booking_allowed and shown.rebooking_allowed, false)') }}
from shown
inner join units on units.hsa_id = shown.care_unit_hsa_id
group by units.region_code, shown.response_date, shown.care_unit_hsa_id
