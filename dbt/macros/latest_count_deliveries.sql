{#- The CTEs `counts`, `ledger`, `ranked` and `deliveries` over stg_lake__booking_counts:
    only the latest delivery of each region × unit × month (a month delivered again in a
    later file replaces the earlier one; the latest ingested file wins). One rule for the
    Swedish count regions (int_booking_counts_latest) and the NHS benchmark
    (nhs_gpad_no_show_rate); `external_benchmark` picks which of the two. -#}
{% macro latest_count_deliveries(external_benchmark) %}
counts as (

    select * from {{ ref('stg_lake__booking_counts') }}
    where {{ '' if external_benchmark else 'not ' }}is_external_benchmark

),

ledger as (

    select file_hash as source_file_hash, ingested_at from {{ ref('stg_lake__ledger') }}

),

ranked as (

    select
        counts.*,
        dense_rank() over (
            partition by counts.region_code, counts.unit_id, counts.appointment_month
            order by ledger.ingested_at desc, counts.source_file_hash desc
        ) as delivery_rank
    from counts
    left join ledger using (source_file_hash)

),

deliveries as (

    select * from ranked where delivery_rank = 1

)
{% endmacro %}
