{#- One row per action a resident took on a booking: made it (booking), made
    it in place of an earlier one (rebooking) or cancelled it without rebooking
    (cancellation). The three are disjoint, so a digital action is counted once
    in estimates such as admin_minutes_saved. -#}
with bookings as (

    select * from {{ ref('fct_bookings') }}

),

actions as (

    select
        booking_key,
        region_code,
        case when is_rebooking then 'rebooking' else 'booking' end as action,
        booking_channel as channel,
        coalesce(booked_at, first_seen_at) as action_at,
        care_service,
        care_unit_hsa_id
    from bookings

    union all

    select
        booking_key,
        region_code,
        'cancellation' as action,
        cancellation_channel as channel,
        cancelled_at as action_at,
        care_service,
        care_unit_hsa_id
    from bookings
    where is_patient_cancellation

)

select
    booking_key || ':' || action as action_key,
    booking_key,
    region_code,
    action,
    coalesce(channel, 'unknown') as channel,
    channel = 'eservice' as is_digital,
    action_at,
    cast(action_at as date) as action_date,
    cast({{ dbt.date_trunc('month', 'action_at') }} as date) as month,
    care_service,
    care_unit_hsa_id
from actions
