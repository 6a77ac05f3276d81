with source as (

    select * from {{ source('lake', 'engagement_index_updates') }}

),

renamed as (

    select
        ---------- ids
        patient_pseudonym,
        logical_address,
        business_object_instance_identifier,
        clinical_process_interest_id,
        source_system,
        data_controller,
        owner,

        ---------- dimensions
        service_domain,
        categorization,
        patient_id_type,
        birth_year,
        age_band,
        sex,

        ---------- timestamps
        most_recent_content as most_recent_content_at,
        creation_time as created_at,
        update_time as updated_at,

        ---------- flags
        delete_flag as is_deleted,

        ---------- lineage
        source_file_hash,
        source_row

    from source

)

select * from renamed
