{#- Every delivered copy of every event: the same event_id can arrive more than
    once (is_duplicate flags copies within one file); keep one per event_id
    downstream. -#}
with source as (

    select * from {{ source('lake', 'eservice_events') }}

),

renamed as (

    select
        ---------- ids
        event_id,
        session_id,
        resident_pseudonym,
        unit_hsa_id,
        time_type_id,

        ---------- dimensions
        region_code,
        resident_id_type,
        birth_year,
        age_band,
        sex,
        service,
        event,
        result_code,
        auth_method,

        ---------- timestamps
        event_time,
        cast(event_time as date) as event_date,

        ---------- flags
        is_duplicate,
        result_code is not null and result_code not in ('OK', 'INFO') as is_failed,

        ---------- lineage
        source_file_hash,
        source_row

    from source

)

select * from renamed
