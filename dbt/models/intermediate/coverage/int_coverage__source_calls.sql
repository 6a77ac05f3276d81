{#- One row per call from the aggregating service to a booking system (a
    sources[] entry of the request log), once per request and position even if
    the log was delivered twice, with the region of the called care unit
    (logical address) from the unit catalogue, or else from its HSA-id prefix. -#}
with calls as (

    select * from {{ ref('stg_lake__aggregator_source_calls') }}
    qualify row_number() over (
        partition by request_id, call_index order by source_file_hash, source_row
    ) = 1

),

units as (

    select hsa_id, region_code from {{ ref('dim_units') }}

),

regions as (

    select region_code, hsa_prefix from {{ ref('dim_regions') }}

)

select
    ---------- ids
    calls.request_id,
    calls.call_index,
    calls.logical_address as care_unit_hsa_id,
    calls.source_system_id as source_system_hsa_id,
    coalesce(units.region_code, regions.region_code) as region_code,

    ---------- dimensions
    calls.status,

    ---------- measures
    calls.response_time_ms,
    calls.bookings_returned,

    ---------- timestamps
    calls.requested_at,
    cast(calls.requested_at as date) as call_date,

    ---------- flags
    calls.status in ('error', 'timeout') as is_failed

from calls
left join units on units.hsa_id = calls.logical_address
left join regions on starts_with(calls.logical_address, regions.hsa_prefix || '-')
