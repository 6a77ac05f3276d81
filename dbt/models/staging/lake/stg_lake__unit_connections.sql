{#- One row per onboarding per delivery of the national connection list: each
    delivery is a full snapshot, told apart by delivery_date. -#}
with source as (

    select * from {{ source('lake', 'unit_connections') }}

),

renamed as (

    select
        ---------- ids
        care_unit_hsa_id,
        time_book_hsa_id,

        ---------- dimensions
        service,
        source_system,
        care_provider,

        ---------- dates
        applied_on,
        tested_on,
        production_on,
        ended_on,
        delivery_date,

        ---------- flags
        production_on is not null
            and production_on <= delivery_date
            and (ended_on is null or ended_on > delivery_date) as is_live_at_delivery,

        ---------- lineage
        source_file_hash,
        source_row

    from source

)

select * from renamed
