with source as (

    select * from {{ source('lake', 'platform_calls') }}

),

renamed as (

    select
        ---------- ids
        platform,
        original_consumer_id,
        consumer_id,
        logical_address,

        ---------- dimensions
        namespace,
        service_domain,
        interaction,
        major_version,

        ---------- measures
        calls,
        average_response_time_ms,

        ---------- dates
        start_date,
        end_date,

        ---------- flags
        is_booking_namespace,
        is_1177_consumer,

        ---------- lineage
        source_file_hash,
        source_row

    from source

)

select * from renamed
