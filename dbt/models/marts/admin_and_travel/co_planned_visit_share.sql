{#- Attended visits on the same day at the same care unit as another attended
    visit of the same resident, booked after that one while the resident could
    see both in Bokade tider (the time books connected to view_bookings on the
    booking day) / all attended visits, by region × month of the visit. -#}
with visits as (

    select
        booking_key,
        region_code,
        patient_pseudonym,
        care_unit_hsa_id,
        time_book_hsa_id,
        visit_date,
        visit_month,
        coalesce(booked_at, first_seen_at) as booked_at
    from {{ ref('fct_bookings') }}
    where is_attended and {{ visit_month_is_served() }}

),

view_connections as (

    select care_unit_hsa_id, time_book_hsa_id, production_on, ended_on
    from {{ ref('int_unit_connections_latest') }}
    where service = 'view_bookings' and production_on is not null

),

pairs as (

    -- two attended visits of one resident, same day and unit; the later-booked one first
    select distinct visits.booking_key, visits.booked_at, other.booking_key as other_key
    from visits
    inner join visits as other
        on other.patient_pseudonym = visits.patient_pseudonym
        and other.visit_date = visits.visit_date
        and other.care_unit_hsa_id = visits.care_unit_hsa_id
        and other.booking_key <> visits.booking_key
        and (other.booked_at < visits.booked_at
             or (other.booked_at = visits.booked_at and other.booking_key < visits.booking_key))

),

co_planned as (

    select distinct pairs.booking_key
    from pairs
    inner join visits as later on later.booking_key = pairs.booking_key
    inner join visits as earlier on earlier.booking_key = pairs.other_key
    inner join view_connections as later_connection
        on later_connection.care_unit_hsa_id = later.care_unit_hsa_id
        and (later_connection.time_book_hsa_id is null
             or later_connection.time_book_hsa_id = later.time_book_hsa_id)
        and later_connection.production_on <= cast(pairs.booked_at as date)
        and (later_connection.ended_on is null
             or later_connection.ended_on > cast(pairs.booked_at as date))
    inner join view_connections as earlier_connection
        on earlier_connection.care_unit_hsa_id = earlier.care_unit_hsa_id
        and (earlier_connection.time_book_hsa_id is null
             or earlier_connection.time_book_hsa_id = earlier.time_book_hsa_id)
        and earlier_connection.production_on <= cast(pairs.booked_at as date)
        and (earlier_connection.ended_on is null
             or earlier_connection.ended_on > cast(pairs.booked_at as date))

)

select
    visits.region_code,
    visits.visit_month as month,
    {{ ratio_measures('co_planned.booking_key is not null') }}
from visits
left join co_planned using (booking_key)
group by 1, 2
