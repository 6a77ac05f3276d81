{#- Days from application to production per care unit and service: the median
    and the 90th percentile over the units that went live in the month, by
    region, month of going live and service (the statistic column says which).
    A unit's dates are the earliest over its connection rows (time books of a
    unit share the onboarding). Open onboardings and their age are in
    connection_onboardings. Not re-aggregatable. -#}
with connections as (

    select * from {{ ref('int_unit_connections_latest') }}

),

units as (

    select hsa_id, region_code from {{ ref('dim_units') }}

),

onboardings as (

    select
        connections.care_unit_hsa_id,
        connections.service,
        min(connections.applied_on) as applied_on,
        min(connections.production_on) as production_on
    from connections
    group by connections.care_unit_hsa_id, connections.service

),

lead_times as (

    select
        units.region_code,
        cast({{ dbt.date_trunc('month', 'onboardings.production_on') }} as date) as month,
        onboardings.service,
        {{ dbt.datediff('onboardings.applied_on', 'onboardings.production_on', 'day') }}
            as lead_time_days
    from onboardings
    inner join units on units.hsa_id = onboardings.care_unit_hsa_id
    where onboardings.production_on is not null and onboardings.applied_on is not null

),

statistics as (

    select
        region_code,
        month,
        service,
        cast({{ percentile_cont('lead_time_days', 0.5) }} as double) as median,
        cast({{ percentile_cont('lead_time_days', 0.9) }} as double) as p90,
        cast(count(*) as bigint) as n
    from lead_times
    group by region_code, month, service

)

select region_code, month, service, 'median' as statistic, median as value, n
from statistics
union all
select region_code, month, service, 'p90' as statistic, p90 as value, n
from statistics
