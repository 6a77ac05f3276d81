{#- One row per 1177 e-service event: the same event_id delivered more than once
    (within a file or across files) is kept once, the first delivery. The region
    is the resident's (the landing folder); a file delivered as national takes the
    region of the event's care unit, and an event with neither is left out of the
    per-region marts (region_code null). is_rejected_self_service marks a cancel or
    rebook attempt the booking system turned down, with the action it was for. -#}
with events as (

    select * from {{ ref('stg_lake__eservice_events') }}

),

first_delivery as (

    select *
    from events
    qualify row_number() over (
        partition by event_id order by event_time, source_file_hash, source_row
    ) = 1

),

regions as (

    select regionkod as region_code from {{ ref('regions') }}

),

units as (

    select hsa_id, region_code
    from {{ ref('stg_lake__hsa_units') }}
    qualify row_number() over (partition by hsa_id order by delivery_date desc) = 1

),

classified as (

    select
        first_delivery.*,
        case
            when first_delivery.result_code in (
                'TOO_LATE_TO_CANCEL_APPOINTMENT', 'CANCEL_IS_NOT_ALLOWED',
                'APPOINTMENT_IS_ALREADY_CANCELED'
            ) then 'cancellation'
            when first_delivery.result_code in (
                'TOO_LATE_TO_UPDATE_APPOINTMENT', 'UPDATE_APPOINTMENT_IS_NOT_ALLOWED',
                'APPOINTMENT_IS_ALREADY_UPDATED'
            ) then 'rebooking'
        end as rejected_action
    from first_delivery

)

select
    classified.event_id,
    classified.session_id,
    classified.resident_pseudonym,
    coalesce(regions.region_code, units.region_code) as region_code,
    coalesce(classified.age_band, 'unknown') as age_band,
    classified.service,
    classified.event,
    classified.result_code,
    classified.auth_method,
    classified.unit_hsa_id,
    classified.time_type_id,
    classified.event_time,
    classified.event_date,
    cast({{ dbt.date_trunc('month', 'classified.event_time') }} as date) as month,
    classified.rejected_action is not null and classified.is_failed
        as is_rejected_self_service,
    case
        when classified.is_failed then classified.rejected_action
        when classified.event = 'cancel_completed' then 'cancellation'
        when classified.event = 'rebook_completed' then 'rebooking'
    end as self_service_action
from classified
left join regions on regions.region_code = classified.region_code
left join units on units.hsa_id = classified.unit_hsa_id
