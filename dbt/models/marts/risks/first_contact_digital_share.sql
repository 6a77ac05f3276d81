{#- Residents whose first booking in twelve months (no booking made in the
    lookback days before it, marts.estimate_parameters) was made in 1177 /
    residents with such a first booking, by region × month the booking was made
    × age band. Rebookings are never first contacts. -#}
with bookings as (

    select
        booking_key,
        region_code,
        patient_pseudonym,
        age_band,
        is_digital_booking,
        coalesce(booked_at, first_seen_at) as booked_at,
        booking_month
    from {{ ref('fct_bookings') }}

),

ordered as (

    select
        *,
        lag(booked_at) over (
            partition by patient_pseudonym order by booked_at, booking_key
        ) as previous_booked_at
    from bookings

),

lookback as (

    select region_code, value as lookback_days, valid_from, valid_until
    from {{ ref('int_parameters_by_region') }}
    where parameter = 'first_contact_lookback_days'

),

first_contacts as (

    select ordered.*
    from ordered
    left join lookback
        on lookback.region_code = ordered.region_code
        and cast(ordered.booked_at as date) >= lookback.valid_from
        and (lookback.valid_until is null or cast(ordered.booked_at as date) < lookback.valid_until)
    where ordered.previous_booked_at is null
        or {{ dbt.datediff('ordered.previous_booked_at', 'ordered.booked_at', 'second') }}
            > coalesce(lookback.lookback_days, 365) * 86400

)

select
    region_code,
    booking_month as month,
    coalesce(age_band, 'unknown') as age_band,
    {{ ratio_measures('is_digital_booking') }}
from first_contacts
group by 1, 2, 3
