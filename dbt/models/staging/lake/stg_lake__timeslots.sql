with source as (

    select * from {{ source('lake', 'timeslots') }}

),

renamed as (

    select
        ---------- ids
        region_code,
        care_unit_hsa_id,
        time_book_hsa_id,
        time_type_code,

        ---------- dimensions
        care_service,

        ---------- counts
        slots_total,
        slots_web_bookable,
        slots_booked,
        slots_free_at_start,

        ---------- dates
        date as slot_date,

        ---------- lineage
        source_file_hash,
        source_row

    from source

)

select * from renamed
