{#- Every pair of a view of Bokade tider and a booking of the viewer that was
    upcoming at that moment in the regional time books (booked, not yet
    started, not cancelled), with whether the resident saw it and, if not, the
    one reason why (METRICS.md D, booking_visibility_rate). The first reason
    that applies wins:
      visible                  the booking was in the view's response (a timeslotDetail);
      unit_not_connected       the unit was not live on view_bookings that day (connection
                               list), or 1177 hid it as SERVICE_NOT_ACTIVATED (in test);
      time_book_not_connected  the unit is live but this time book is not connected;
      not_indexed              the aggregating service did not call the unit in the view:
                               no live Engagemangsindex record of the resident there;
      source_error             the call to the unit failed;
      source_timeout           the call to the unit timed out;
      hidden_time_type         1177 hid it: a time type the region does not show;
      no_reception_relation    1177 hid it: no reception relation with the clinic;
      not_returned             the unit answered without it and no reason is logged.
    A view is a logged request (re-deliveries of the same request_id count once);
    the viewer is matched to the time books by the keyed pseudonym. -#}
with requests as (

    select * from {{ ref('stg_lake__aggregator_requests') }}
    qualify row_number() over (
        partition by request_id order by source_file_hash, source_row
    ) = 1

),

bookings as (

    select
        booking_key,
        booking_id,
        region_code,
        care_unit_hsa_id,
        coalesce(time_book_hsa_id, care_unit_hsa_id) as time_book_hsa_id,
        patient_pseudonym,
        contact_type,
        coalesce(booked_at, first_seen_at) as booked_at,
        least(start_time, coalesce(cancelled_at, start_time)) as upcoming_until
    from {{ ref('fct_bookings') }}
    where patient_pseudonym is not null

),

pairs as (

    select
        requests.request_id,
        requests.requested_at,
        requests.request_date,
        bookings.*
    from requests
    inner join bookings
        on bookings.patient_pseudonym = requests.patient_pseudonym
        and bookings.booked_at <= requests.requested_at
        and requests.requested_at < bookings.upcoming_until

),

shown as (

    select distinct request_id, booking_id, care_unit_hsa_id
    from {{ ref('stg_lake__aggregator_shown_bookings') }}

),

calls as (

    {#- one call per view and unit; a repeated call counts by its worst outcome -#}
    select
        request_id,
        logical_address,
        case
            when bool_or(status = 'error') then 'error'
            when bool_or(status = 'timeout') then 'timeout'
            else 'ok'
        end as status
    from {{ ref('stg_lake__aggregator_source_calls') }}
    group by request_id, logical_address

),

hidden as (

    select
        request_id,
        booking_id,
        logical_address,
        min(hidden_reason) as hidden_reason
    from {{ ref('stg_lake__aggregator_hidden_bookings') }}
    group by request_id, booking_id, logical_address

),

unit_days as (

    select care_unit_hsa_id, day, is_live
    from {{ ref('int_coverage__unit_service_days') }}
    where service = 'view_bookings'

),

time_books as (

    {#- connected time books; a row without a time book connects the unit's own -#}
    select distinct
        care_unit_hsa_id,
        coalesce(time_book_hsa_id, care_unit_hsa_id) as time_book_hsa_id,
        production_on,
        ended_on
    from {{ ref('int_unit_connections_latest') }}
    where service = 'view_bookings'

),

evidence as (

    select
        pairs.*,
        shown.booking_id is not null as is_shown,
        coalesce(unit_days.is_live, false) as is_unit_live,
        exists (
            select 1 from time_books
            where time_books.care_unit_hsa_id = pairs.care_unit_hsa_id
                and time_books.time_book_hsa_id = pairs.time_book_hsa_id
                and time_books.production_on <= pairs.request_date
                and (time_books.ended_on is null or time_books.ended_on > pairs.request_date)
        ) as is_time_book_live,
        calls.status as call_status,
        hidden.hidden_reason
    from pairs
    left join shown
        on shown.request_id = pairs.request_id
        and shown.booking_id = pairs.booking_id
        and shown.care_unit_hsa_id = pairs.care_unit_hsa_id
    left join unit_days
        on unit_days.care_unit_hsa_id = pairs.care_unit_hsa_id
        and unit_days.day = pairs.request_date
    left join calls
        on calls.request_id = pairs.request_id
        and calls.logical_address = pairs.care_unit_hsa_id
    left join hidden
        on hidden.request_id = pairs.request_id
        and hidden.booking_id = pairs.booking_id
        and hidden.logical_address = pairs.care_unit_hsa_id

)

select
    ---------- ids
    request_id,
    booking_key,
    booking_id,
    region_code,
    care_unit_hsa_id,
    time_book_hsa_id,

    ---------- dimensions
    contact_type,
    case
        when is_shown then 'visible'
        when not is_unit_live or hidden_reason = 'service_not_activated'
            then 'unit_not_connected'
        when not is_time_book_live then 'time_book_not_connected'
        when call_status is null then 'not_indexed'
        when call_status = 'error' then 'source_error'
        when call_status = 'timeout' then 'source_timeout'
        when hidden_reason = 'hidden_time_type' then 'hidden_time_type'
        when hidden_reason = 'no_reception_relation' then 'no_reception_relation'
        else 'not_returned'
    end as visibility_reason,

    ---------- timestamps
    requested_at,
    request_date,

    ---------- flags
    is_shown as is_visible

from evidence
