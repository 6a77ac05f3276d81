with source as (

    select * from {{ source('lake', 'aggregator_shown_bookings') }}

),

renamed as (

    select
        ---------- ids
        request_id,
        booking_id,
        healthcare_facility as care_unit_hsa_id,
        patient_pseudonym,

        ---------- dimensions
        healthcare_facility_name as care_unit_name,
        time_type_id,
        time_type_name,
        care_type_id,
        care_type_name,
        patient_id_type,
        birth_year,
        age_band,
        sex,

        ---------- timestamps
        start_time,
        end_time,
        response_date,

        ---------- flags
        cancel_booking_allowed,
        rebooking_allowed,
        message_allowed,
        is_invitation,

        ---------- lineage
        source_file_hash,
        source_member,
        source_row

    from source

)

select * from renamed
