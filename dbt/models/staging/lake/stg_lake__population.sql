with source as (

    select * from {{ source('lake', 'population') }}

),

renamed as (

    select
        ---------- dimensions
        region_code,
        year as population_year,
        age_band,
        sex,

        ---------- counts
        residents,

        ---------- dates
        delivery_date,

        ---------- lineage
        source_file_hash,
        source_row

    from source

)

select * from renamed
