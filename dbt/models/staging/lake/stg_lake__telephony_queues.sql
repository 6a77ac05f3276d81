with source as (

    select * from {{ source('lake', 'telephony_queues') }}

),

renamed as (

    select
        ---------- ids
        region_code,
        care_unit_hsa_id,

        ---------- dimensions
        queue,
        reason,

        ---------- counts and measures
        calls_offered,
        calls_answered,
        callbacks,
        avg_wait_seconds,
        avg_talk_seconds,

        ---------- dates
        date as call_date,

        ---------- lineage
        source_file_hash,
        source_row

    from source

)

select * from renamed
