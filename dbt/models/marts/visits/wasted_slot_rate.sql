{#- Late cancellations whose slot nobody else booked, plus no-shows / booked
    slots that reached their start or were cancelled (as in
    late_cancellation_rate), by region × month of the visit × care level × care
    service. -#}
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
    {{ ratio_measures('is_wasted_slot') }}
from settled
group by 1, 2, 3, 4
