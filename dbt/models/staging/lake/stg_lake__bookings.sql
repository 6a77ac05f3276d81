with source as (

    select * from {{ source('lake', 'bookings') }}

),

renamed as (

    select
        ---------- ids
        region_code || ':' || booking_id as booking_key,
        region_code,
        booking_id,
        care_unit_hsa_id,
        time_book_hsa_id,
        patient_pseudonym,
        rebooked_from_booking_id,
        referral_id,

        ---------- dimensions
        source_feed,
        patient_id_type,
        birth_year,
        age_band,
        sex,
        time_type_code,
        time_type_name,
        care_service,
        contact_type,
        appointment_type,
        booking_channel,
        status,
        cancelled_by,
        cancel_reason,
        reminder,

        ---------- timestamps
        start_time,
        end_time,
        booked_at,
        cancelled_at,
        changed_at,
        extract_date,

        ---------- lineage
        source_record_id,
        source_file_hash,
        source_row

    from source

)

select * from renamed
