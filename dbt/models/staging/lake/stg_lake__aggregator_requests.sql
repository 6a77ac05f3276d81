with source as (

    select * from {{ source('lake', 'aggregator_requests') }}

),

renamed as (

    select
        ---------- ids
        request_id,
        consumer_id,
        patient_pseudonym,

        ---------- dimensions
        is_1177_consumer,
        patient_id_type,
        birth_year,
        age_band,
        sex,

        ---------- counts
        ei_hits,
        sources_called,
        bookings_shown,
        bookings_hidden,

        ---------- timestamps
        requested_at,
        cast(requested_at as date) as request_date,

        ---------- lineage
        source_file_hash,
        source_row

    from source

)

select * from renamed
