{#- Patient cancellations (a rebooking cancels its old booking by the patient)
    less than the region's threshold before the start (per care level,
    marts.estimate_parameters) / bookings that reached their start or were
    cancelled, by region × month of the visit × care level × care service ×
    booking channel. A booking still booked whose start has passed (outcome not
    registered yet) has reached its start. -#}
with bookings as (

    select * from {{ ref('fct_bookings') }}
    where {{ visit_month_is_served() }}

),

as_of as (

    select data_as_of from {{ ref('int_booking_data_as_of') }}

),

settled as (

    select bookings.*
    from bookings
    cross join as_of
    where bookings.has_outcome
        or bookings.is_cancelled
        or (bookings.final_status = 'booked' and bookings.start_time < as_of.data_as_of)

)

select
    region_code,
    visit_month as month,
    care_level,
    coalesce(care_service, 'unknown') as care_service,
    coalesce(booking_channel, 'unknown') as booking_channel,
    {{ ratio_measures('is_late_cancellation') }}
from settled
group by 1, 2, 3, 4, 5
