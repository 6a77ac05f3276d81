-- One row per Great Expectations expectation of the gate's latest run on each table and
-- region (the state of the data now: an ingestion run without new files checks nothing).
-- Files checked in that run are summed. The dbt tests of the build are appended to this
-- table in the published copy (tidbok/publish.py, from the build's run_results.json),
-- with check_kind 'dbt': their results exist only once the build has run.
with gate as (

    select * from {{ ref('stg_lake__gate_results') }}

),

latest_run as (

    select
        *,
        run_id = max(run_id) over (partition by table_name, region_code) as is_latest
    from gate

)

select
    'great_expectations'                                        as check_kind,
    expectation                                                 as check_name,
    table_name                                                  as target,
    case
        when bool_and(success) then 'pass'
        when severity = 'block' then 'fail'
        else 'warn'
    end                                                         as status,
    greatest(
        coalesce(sum(unexpected_count), 0),
        count(*) filter (where not success)
    )::bigint                                                   as failures,
    max(checked_at)                                             as checked_at,
    region_code,
    severity
from latest_run
where is_latest
group by expectation, table_name, region_code, severity
