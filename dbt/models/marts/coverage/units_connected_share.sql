{#- Care units live on each 1177 service / all active care units, per region,
    month and service, as the state on the month's last day (for the month the
    connection list was delivered in: its delivery day, the last day known). -#}
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
    {{ ratio_measures('unit_days.is_live', 'true') }}
from unit_days
inner join month_ends using (month, day)
where unit_days.is_active
group by unit_days.region_code, unit_days.month, unit_days.service
