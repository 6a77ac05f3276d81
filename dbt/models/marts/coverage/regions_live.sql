{#- 1 when at least one care unit of the region is live on the service on the
    month's last day (or the connection list's delivery day), else 0; summed
    over regions it is the number of regions live. units_live beside it. -#}
with unit_days as (

    select * from {{ ref('int_coverage__unit_service_days') }}

),

month_ends as (

    select month, max(day) as day
    from unit_days
    group by month

)

select
    unit_days.region_code,
    unit_days.month,
    unit_days.service,
    cast(max(case when unit_days.is_live then 1 else 0 end) as bigint) as value,
    cast(count(*) filter (where unit_days.is_live) as bigint) as units_live,
    cast(count(*) filter (where unit_days.is_onboarding) as bigint) as units_onboarding
from unit_days
inner join month_ends using (month, day)
where unit_days.is_active
group by unit_days.region_code, unit_days.month, unit_days.service
