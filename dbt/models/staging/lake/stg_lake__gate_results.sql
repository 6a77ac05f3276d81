with source as (

    select * from {{ source('lake', '_gate_results') }}

),

renamed as (

    select
        ---------- ids
        run_id,
        file_hash,

        ---------- dimensions
        feed,
        region_code,
        table_name,
        expectation,
        expectation_type,
        column_name,
        severity,
        observed,

        ---------- counts
        rows_checked,
        unexpected_count,

        ---------- flags
        success,
        not success and severity = 'block' as is_blocking_failure,

        ---------- timestamps
        checked_at

    from source

)

select * from renamed
