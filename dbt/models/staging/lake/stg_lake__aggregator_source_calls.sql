with source as (

    select * from {{ source('lake', 'aggregator_source_calls') }}

),

renamed as (

    select
        ---------- ids
        request_id,
        call_index,
        logical_address,
        source_system_id,

        ---------- dimensions
        status,

        ---------- measures
        response_time_ms,
        bookings_returned,

        ---------- timestamps
        requested_at,

        ---------- lineage
        source_file_hash,
        source_row

    from source

)

select * from renamed
