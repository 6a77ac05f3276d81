with source as (

    select * from {{ source('lake', '_ledger') }}

),

renamed as (

    select
        ---------- ids
        file_hash,
        file_path,
        superseded_by,

        ---------- dimensions
        feed,
        region_code,
        encoding,
        status,
        message,

        ---------- counts
        file_bytes,
        rows_read,
        rows_loaded,
        rows_quarantined,

        ---------- timestamps
        partition_day,
        ingested_at

    from source

)

select * from renamed
