{#- No-shows / (attended + no-shows), by region × month of the visit × booking
    channel. Bookings still pending or cancelled are not in the denominator.
    The finer cut is no_show_rate_by_dimension; both sum to the same totals. -#}
with bookings as (

    select * from {{ ref('fct_bookings') }}
    where has_outcome

)

select
    region_code,
    visit_month as month,
    booking_channel,
    cast(count(*) filter (where is_no_show) as bigint) as numerator,
    cast(count(*) as bigint) as denominator,
    cast(count(*) filter (where is_no_show) as double) / count(*) as rate
from bookings
group by region_code, visit_month, booking_channel
