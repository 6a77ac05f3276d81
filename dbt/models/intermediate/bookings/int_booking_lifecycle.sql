{#- One row per booking in its final known state: the booking lifecycle.
    Besides the latest version it keeps what only other versions know: the
    booking channel is the FIRST version's (booking_csv writes the channel of
    the latest action on a cancelled row, SOURCES.md 1a), the cancellation
    channel is the cancelling (latest) version's, and a change of time type,
    time book or unit between versions is a move by the clinic. -#}
with ranked as (

    select * from {{ ref('int_booking_versions_ranked') }}

),

latest as (

    select * from ranked where version_rank = 1

),

first_version as (

    select
        booking_key,
        booking_channel,
        status,
        changed_at
    from ranked
    where version_rank = version_count

),

history as (

    select
        booking_key,
        count(distinct time_type_code) > 1
            or count(distinct time_book_hsa_id) > 1
            or count(distinct care_unit_hsa_id) > 1 as is_moved_between_resources
    from ranked
    group by booking_key

)

select
    ---------- ids
    latest.booking_key,
    latest.region_code,
    latest.booking_id,
    latest.care_unit_hsa_id,
    latest.time_book_hsa_id,
    latest.patient_pseudonym,
    latest.rebooked_from_booking_id,
    latest.referral_id,

    ---------- dimensions
    latest.source_feed,
    latest.patient_id_type,
    latest.birth_year,
    latest.age_band,
    latest.sex,
    latest.time_type_code,
    latest.time_type_name,
    latest.care_service,
    latest.contact_type,
    latest.appointment_type,
    first_version.booking_channel,
    case when latest.status = 'cancelled' then latest.booking_channel end as cancellation_channel,
    latest.reminder,
    latest.status as final_status,
    latest.cancelled_by,
    latest.cancel_reason,

    ---------- timestamps
    latest.start_time,
    latest.end_time,
    latest.booked_at,
    case
        when latest.status = 'cancelled' then coalesce(latest.cancelled_at, latest.changed_at)
    end as cancelled_at,
    latest.changed_at as last_changed_at,
    first_version.changed_at as first_seen_at,
    latest.version_count,
    cast(date_trunc('month', latest.start_time) as date) as visit_month,

    ---------- flags
    first_version.status <> 'cancelled' as is_booking_channel_observed,
    history.is_moved_between_resources,
    latest.status = 'attended' as is_attended,
    latest.status = 'no_show' as is_no_show,
    latest.status in ('attended', 'no_show') as has_outcome,
    latest.rebooked_from_booking_id is not null as is_rebooking

from latest
inner join first_version using (booking_key)
inner join history using (booking_key)
