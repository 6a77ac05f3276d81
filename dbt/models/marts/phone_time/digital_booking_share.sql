{#- Bookings made in 1177 / all bookings, rebookings excluded (they are
    digital_rebooking_share), by region × month the booking was made × care
    service × care unit. -#}
with bookings as (

    select * from {{ ref('fct_bookings') }}
    where not is_rebooking

)

select
    region_code,
    booking_month as month,
    coalesce(care_service, 'unknown') as care_service,
    coalesce(care_unit_hsa_id, 'unknown') as care_unit_hsa_id,
    {{ ratio_measures('is_digital_booking') }}
from bookings
group by 1, 2, 3, 4
