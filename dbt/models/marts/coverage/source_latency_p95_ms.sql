{#- The 95th percentile of the response time (ms) of the aggregating service's
    calls to each booking system, by region of the called unit and month, over
    every call (failed ones too; a timeout counts at the timeout limit). Nearest
    rank: the value at 0-based position round(0.95 x (n - 1)), halves away from
    zero, in the calls sorted by response time. Not re-aggregatable. -#}
with calls as (

    select * from {{ ref('int_coverage__source_calls') }}
    where response_time_ms is not null and region_code is not null

),

ranked as (

    select
        region_code,
        cast({{ dbt.date_trunc('month', 'call_date') }} as date) as month,
        source_system_hsa_id,
        response_time_ms,
        row_number() over (
            partition by region_code, {{ dbt.date_trunc('month', 'call_date') }}, source_system_hsa_id
            order by response_time_ms
        ) - 1 as position,
        count(*) over (
            partition by region_code, {{ dbt.date_trunc('month', 'call_date') }}, source_system_hsa_id
        ) as calls
    from calls

)

select
    region_code,
    month,
    source_system_hsa_id,
    cast(max(response_time_ms) as double) as value,
    cast(max(calls) as bigint) as n
from ranked
where position = cast(round(0.95 * (calls - 1)) as bigint)
group by region_code, month, source_system_hsa_id
