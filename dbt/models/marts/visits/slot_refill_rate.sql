{#- Cancelled slots another resident booked after the cancellation and before
    the start / cancelled slots, by region × month of the visit × care service. -#}
with cancelled as (

    select * from {{ ref('fct_bookings') }}
    where is_cancelled and {{ visit_month_is_served() }}

)

select
    region_code,
    visit_month as month,
    coalesce(care_service, 'unknown') as care_service,
    {{ ratio_measures('is_slot_refilled') }}
from cancelled
group by 1, 2, 3
