{#- One row per booking in its final known state: the booking lifecycle. -#}
with ranked as (

    select * from {{ ref('int_booking_versions_ranked') }}

),

latest as (

    select * from ranked where version_rank = 1

),

first_seen as (

    select booking_key, min(changed_at) as first_seen_at
    from ranked
    group by booking_key

)

select
    latest.booking_key,
    latest.region_code,
    latest.booking_id,
    latest.care_unit_hsa_id,
    latest.time_book_hsa_id,
    latest.patient_pseudonym,
    latest.rebooked_from_booking_id,
    latest.referral_id,
    latest.source_feed,
    latest.age_band,
    latest.sex,
    latest.care_service,
    latest.contact_type,
    latest.booking_channel,
    latest.reminder,
    latest.status as final_status,
    latest.cancelled_by,
    latest.start_time,
    latest.end_time,
    latest.booked_at,
    latest.cancelled_at,
    latest.changed_at as last_changed_at,
    first_seen.first_seen_at,
    latest.version_count,
    cast(date_trunc('month', latest.start_time) as date) as visit_month,
    latest.status = 'attended' as is_attended,
    latest.status = 'no_show' as is_no_show,
    latest.status in ('attended', 'no_show') as has_outcome,
    latest.rebooked_from_booking_id is not null as is_rebooking
from latest
inner join first_seen using (booking_key)
