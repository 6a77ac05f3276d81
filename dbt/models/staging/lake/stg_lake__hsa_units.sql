{#- One row per HSA unit per delivery of the national catalogue: each delivery
    is a full snapshot, told apart by delivery_date. -#}
with source as (

    select * from {{ source('lake', 'hsa_units') }}

),

renamed as (

    select
        ---------- ids
        hsa_id,
        parent_hsa_id,

        ---------- dimensions
        name as unit_name,
        region_code,
        municipality_code,
        unit_type,
        latitude,
        longitude,

        ---------- dates
        valid_from,
        valid_to,
        delivery_date,

        ---------- flags
        is_time_book,

        ---------- lineage
        source_file_hash,
        source_row

    from source

)

select * from renamed
