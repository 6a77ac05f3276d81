{#- Calls from the aggregating service to a booking system that failed or timed
    out / all such calls, by region of the called unit, day and source system. -#}
with calls as (

    select * from {{ ref('int_coverage__source_calls') }}

)

select
    region_code,
    call_date as day,
    source_system_hsa_id,
    {{ ratio_measures('is_failed') }},
    cast(count(*) filter (where status = 'error') as bigint) as errors,
    cast(count(*) filter (where status = 'timeout') as bigint) as timeouts
from calls
where region_code is not null
group by region_code, call_date, source_system_hsa_id
