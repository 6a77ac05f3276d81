{#- Bookings on a referral or invitation that the resident made in 1177 / all
    referral bookings, by region × month the booking was made × care service. -#}
with referral_bookings as (

    select * from {{ ref('fct_bookings') }}
    where is_referral_booking

)

select
    region_code,
    booking_month as month,
    coalesce(care_service, 'unknown') as care_service,
    {{ ratio_measures('is_digital_booking') }}
from referral_bookings
group by 1, 2, 3
