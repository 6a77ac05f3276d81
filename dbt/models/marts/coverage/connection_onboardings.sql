{#- Onboardings still open on the connection list's delivery day (applied, not
    in production), per region and service: how many, how many in test, and
    their age in days since the application (median and oldest). Beside
    connection_lead_time_days. -#}
with deliveries as (

    select * from {{ ref('stg_lake__unit_connections') }}

),

connections as (

    select * from deliveries
    where delivery_date = (select max(delivery_date) from deliveries)

),

units as (

    select hsa_id, region_code from {{ ref('dim_units') }}

),

onboardings as (

    select
        care_unit_hsa_id,
        service,
        delivery_date,
        min(applied_on) as applied_on,
        min(tested_on) as tested_on,
        min(production_on) as production_on
    from connections
    group by care_unit_hsa_id, service, delivery_date

),

open_onboardings as (

    select
        units.region_code,
        onboardings.service,
        onboardings.delivery_date,
        onboardings.tested_on is not null as is_in_test,
        {{ dbt.datediff('onboardings.applied_on', 'onboardings.delivery_date', 'day') }}
            as age_days
    from onboardings
    inner join units on units.hsa_id = onboardings.care_unit_hsa_id
    where onboardings.production_on is null and onboardings.applied_on is not null

)

select
    region_code,
    delivery_date as as_of,
    service,
    cast(count(*) as bigint) as onboardings_open,
    cast(count(*) filter (where is_in_test) as bigint) as onboardings_in_test,
    cast({{ percentile_cont('age_days', 0.5) }} as double) as median_age_days,
    cast(max(age_days) as bigint) as oldest_age_days
from open_onboardings
group by region_code, delivery_date, service
