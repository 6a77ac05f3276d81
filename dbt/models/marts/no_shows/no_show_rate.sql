{#- No-shows / (attended + no-shows), by region × month of the visit × booking
    channel. Bookings still pending or cancelled are not in the denominator.
    Regions whose time books deliver only monthly counts (booking_aggregates)
    come in from their Attended and DNA cells, which carry the booking channel
    (Unknown when the file has no BOOKING_CHANNEL), so every region is in the
    totals. Only visit months that began before the region's data_as_of
    (macro visit_month_is_served). The finer cut is no_show_rate_by_dimension;
    both sum to the same totals. -#}
with bookings as (

    select * from {{ ref('fct_bookings') }}
    where has_outcome and {{ visit_month_is_served() }}

),

counts as (

    select * from {{ ref('int_booking_counts_latest') }}
    where appt_status in ('attended', 'no_show') and {{ visit_month_is_served() }}

),

visits as (

    select region_code, visit_month, booking_channel, is_no_show, 1 as visits
    from bookings
    union all
    select region_code, visit_month, booking_channel, appt_status = 'no_show' as is_no_show,
        appointment_count as visits
    from counts

)

select
    region_code,
    visit_month as month,
    booking_channel,
    cast(sum(case when is_no_show then visits else 0 end) as bigint) as numerator,
    cast(sum(visits) as bigint) as denominator,
    {{ safe_rate('sum(case when is_no_show then visits else 0 end)', 'sum(visits)') }} as rate
from visits
group by region_code, visit_month, booking_channel
