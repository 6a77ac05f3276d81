{#- Bookings cancelled or rebooked because the preparation was missed (the
    cancellation reason's category, seed cancel_reason_categories) / all
    bookings, by region × month of the visit × care service × booking channel. -#}
with bookings as (

    select * from {{ ref('fct_bookings') }}
    where {{ visit_month_is_served() }}

)

select
    region_code,
    visit_month as month,
    coalesce(care_service, 'unknown') as care_service,
    coalesce(booking_channel, 'unknown') as booking_channel,
    {{ ratio_measures('is_missed_preparation') }}
from bookings
group by 1, 2, 3, 4
