{#- Rebookings made in 1177 / all rebookings, by region × month the
    rebooking was made × care service. -#}
with rebookings as (

    select * from {{ ref('fct_bookings') }}
    where is_rebooking

)

select
    region_code,
    booking_month as month,
    coalesce(care_service, 'unknown') as care_service,
    {{ ratio_measures('is_digital_booking') }}
from rebookings
group by 1, 2, 3
