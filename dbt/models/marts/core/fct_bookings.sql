{#- The booking fact: one row per booking in its final known state, with the
    flags every booking metric counts (docs/metric_catalogue.md).

    Incremental (delete+insert on booking_key). A run re-derives the bookings
    with a version changed in the last `fct_bookings_lookback_days` days (late
    outcomes: a no-show is often registered days later), bookings new to the
    table or whose versions changed (a late-delivered old version), and the
    bookings whose derived columns depend on those: the other members of their
    rebooking chains and the other bookings in the same slot (slot refill).
    A change to the reference seeds or the unit catalogue needs --full-refresh. -#}
{{ config(
    materialized='incremental',
    unique_key='booking_key',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
) }}

with lifecycle as (

    select
        *,
        region_code || '|' || coalesce(time_book_hsa_id, care_unit_hsa_id, '')
            || '|' || coalesce(time_type_code, '') || '|' || cast(start_time as varchar)
            as slot_key
    from {{ ref('int_booking_lifecycle') }}

),

chains as (

    select * from {{ ref('int_rebook_chains') }}

),

{% if is_incremental() %}

previous as (

    select booking_key, last_changed_at, version_count, rebook_chain_id, slot_key
    from {{ this }}

),

changed as (

    select lifecycle.booking_key
    from lifecycle
    left join previous using (booking_key)
    where lifecycle.last_changed_at >= (
            select {{ dbt.dateadd('day', -var('fct_bookings_lookback_days', 14), 'max(last_changed_at)') }}
            from previous
        )
        or previous.booking_key is null
        or previous.last_changed_at <> lifecycle.last_changed_at
        or previous.version_count <> lifecycle.version_count

),

changed_chains as (

    select chains.rebook_chain_id from chains inner join changed using (booking_key)
    union
    select previous.rebook_chain_id from previous inner join changed using (booking_key)

),

changed_slots as (

    select lifecycle.slot_key from lifecycle inner join changed using (booking_key)
    union
    select previous.slot_key from previous inner join changed using (booking_key)

),

affected as (

    select booking_key from changed
    union
    select chains.booking_key from chains inner join changed_chains using (rebook_chain_id)
    union
    select lifecycle.booking_key from lifecycle inner join changed_slots using (slot_key)

),

{% endif %}

bookings as (

    select lifecycle.*
    from lifecycle
    {% if is_incremental() %}
    inner join affected using (booking_key)
    {% endif %}

),

units as (

    select hsa_id, care_level from {{ ref('dim_units') }}

),

care_services as (

    select * from {{ ref('care_services') }}

),

thresholds as (

    select region_code, qualifier as care_level, value as threshold_hours, valid_from, valid_until
    from {{ ref('int_parameters_by_region') }}
    where parameter = 'late_cancellation_threshold_hours'

),

lead_time_bands as (

    select * from {{ ref('lead_time_bands') }}

),

reason_matches as (

    select
        bookings.booking_key,
        categories.reason_category,
        row_number() over (
            partition by bookings.booking_key
            order by categories.priority desc, categories.pattern
        ) as match_rank
    from bookings
    inner join {{ ref('cancel_reason_categories') }} as categories
        on lower(bookings.cancel_reason) like categories.pattern

),

refilled as (

    -- a cancelled slot (time book, time type, start) someone else booked anew
    -- (not a rebooking) after the cancellation and before the start
    select distinct cancelled.booking_key
    from bookings as cancelled
    inner join lifecycle as other
        on other.slot_key = cancelled.slot_key
        and other.booking_key <> cancelled.booking_key
        and other.patient_pseudonym <> cancelled.patient_pseudonym
        and other.rebooked_from_booking_id is null
        and coalesce(other.booked_at, other.first_seen_at) >= cancelled.cancelled_at
        and coalesce(other.booked_at, other.first_seen_at) < cancelled.start_time
    where cancelled.final_status = 'cancelled'

),

predecessors as (

    -- a rebooking first delivered already cancelled: its booking channel is the
    -- channel of the predecessor's cancellation (the rebooking action itself)
    select
        bookings.booking_key,
        predecessor.cancellation_channel as rebooking_channel
    from bookings
    inner join lifecycle as predecessor
        on predecessor.booking_key = bookings.region_code || ':' || bookings.rebooked_from_booking_id
    where not bookings.is_booking_channel_observed

),

enriched as (

    select
        bookings.*,
        predecessors.rebooking_channel,
        chains.rebook_chain_id,
        chains.rebook_generation,
        chains.rebook_chain_length,
        chains.rebooked_to_booking_key,
        coalesce(chains.is_rebooked, false) as is_rebooked,
        coalesce(care_unit.care_level, care_services.default_care_level, 'primary_care')
            as care_level,
        coalesce(care_services.is_slot_service, false) as is_slot_service,
        reason_matches.reason_category,
        {{ dbt.datediff('cast(coalesce(bookings.booked_at, bookings.first_seen_at) as date)',
                        'cast(bookings.start_time as date)', 'day') }} as lead_time_days,
        {{ dbt.datediff('bookings.cancelled_at', 'bookings.start_time', 'second') }} / 3600.0
            as cancellation_notice_hours,
        refilled.booking_key is not null as is_refilled
    from bookings
    left join chains using (booking_key)
    left join units as care_unit on care_unit.hsa_id = bookings.care_unit_hsa_id
    left join care_services using (care_service)
    left join reason_matches
        on reason_matches.booking_key = bookings.booking_key and reason_matches.match_rank = 1
    left join refilled on refilled.booking_key = bookings.booking_key
    left join predecessors on predecessors.booking_key = bookings.booking_key

),

flagged as (

    select
        enriched.*,
        thresholds.threshold_hours as late_cancellation_threshold_hours,
        coalesce(lead_time_bands.lead_time_band, 'unknown') as lead_time_band,
        final_status = 'cancelled' as is_cancelled,
        final_status = 'cancelled' and cancelled_by = 'patient' and not is_rebooked
            as is_patient_cancellation,
        final_status = 'cancelled' and cancelled_by = 'provider' as is_provider_cancellation
    from enriched
    left join thresholds
        on thresholds.region_code = enriched.region_code
        and thresholds.care_level = enriched.care_level
        and cast(enriched.start_time as date) >= thresholds.valid_from
        and (thresholds.valid_until is null or cast(enriched.start_time as date) < thresholds.valid_until)
    left join lead_time_bands
        on enriched.lead_time_days >= lead_time_bands.first_day
        and (lead_time_bands.last_day is null or enriched.lead_time_days <= lead_time_bands.last_day)

),

final as (

    select
        *,
        -- a rebooking cancels its old booking by the patient: a late rebooking is late
        is_cancelled and cancelled_by = 'patient'
            and cancellation_notice_hours < late_cancellation_threshold_hours
            as is_late_cancellation
    from flagged

)

select
    ---------- ids
    cast(booking_key as varchar) as booking_key,
    region_code,
    booking_id,
    care_unit_hsa_id,
    time_book_hsa_id,
    patient_pseudonym,
    referral_id,
    case
        when rebooked_from_booking_id is not null then region_code || ':' || rebooked_from_booking_id
    end as rebooked_from_booking_key,
    rebooked_to_booking_key,
    rebook_chain_id,
    slot_key,

    ---------- dimensions
    source_feed,
    age_band,
    sex,
    care_service,
    care_level,
    time_type_code,
    time_type_name,
    contact_type,
    appointment_type,
    coalesce(rebooking_channel, booking_channel) as booking_channel,
    cancellation_channel,
    reminder,
    final_status,
    cancelled_by,
    cancel_reason,
    reason_category,
    lead_time_band,

    ---------- timestamps and periods
    booked_at,
    start_time,
    end_time,
    cancelled_at,
    first_seen_at,
    last_changed_at,
    cast({{ dbt.date_trunc('month', 'coalesce(booked_at, first_seen_at)') }} as date) as booking_month,
    visit_month,
    cast(start_time as date) as visit_date,
    cast({{ dbt.date_trunc('month', 'cancelled_at') }} as date) as cancellation_month,

    ---------- measures
    cast(lead_time_days as integer) as lead_time_days,
    cast(cancellation_notice_hours as double) as cancellation_notice_hours,
    cast(late_cancellation_threshold_hours as double) as late_cancellation_threshold_hours,
    cast(rebook_generation as integer) as rebook_generation,
    cast(rebook_chain_length as integer) as rebook_chain_length,
    cast(version_count as integer) as version_count,

    ---------- flags
    coalesce(rebooking_channel, booking_channel) = 'eservice' as is_digital_booking,
    is_booking_channel_observed or rebooking_channel is not null as is_booking_channel_observed,
    is_rebooking,
    is_rebooked,
    referral_id is not null as is_referral_booking,
    is_cancelled,
    is_patient_cancellation,
    is_patient_cancellation and cancellation_channel = 'eservice' as is_digital_cancellation,
    is_provider_cancellation,
    coalesce(is_late_cancellation, false) as is_late_cancellation,
    is_attended,
    is_no_show,
    has_outcome,
    is_slot_service,
    coalesce(appointment_type = 'walk_in', false) as is_walk_in,
    is_provider_cancellation or is_moved_between_resources as is_wrong_resource,
    is_cancelled and coalesce(reason_category = 'missed_preparation', false)
        as is_missed_preparation,
    case when is_cancelled then is_refilled end as is_slot_refilled,
    (coalesce(is_late_cancellation, false) and not is_refilled) or is_no_show as is_wasted_slot

from final
