with source as (

    select * from {{ source('lake', '_quarantine') }}

),

renamed as (

    select
        ---------- ids
        file_hash,
        file_path,
        row_number,

        ---------- dimensions
        feed,
        region_code,
        field,
        reason,
        record,

        ---------- flags
        row_number is null as is_whole_file,

        ---------- timestamps
        quarantined_at

    from source

)

select * from renamed
