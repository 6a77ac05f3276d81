with source as (

    select * from {{ source('lake', 'aggregator_hidden_bookings') }}

),

renamed as (

    select
        ---------- ids
        request_id,
        booking_id,
        logical_address,

        ---------- dimensions
        reason as hidden_reason,

        ---------- timestamps
        requested_at,

        ---------- lineage
        source_file_hash,
        source_row

    from source

)

select * from renamed
