with source as (

    select * from {{ source('lake', 'booking_counts') }}

),

renamed as (

    select
        ---------- ids
        region_code,
        unit_id,

        ---------- dimensions
        appt_status,
        hcp_type,
        appt_mode,
        lead_time_band,
        booking_channel,
        source_format,

        ---------- flags
        source_format = 'nhs_gpad' as is_external_benchmark,

        ---------- counts
        appointment_count,

        ---------- dates
        month as appointment_month,

        ---------- lineage
        source_file_hash,
        source_row

    from source

)

select * from renamed
