{#- Median and 90th percentile of whole days from booking to visit, for
    visits attended or missed, by region × month of the visit × statistic ×
    care service. Not re-aggregatable: n says how many visits are behind a value;
    denominator repeats it under the name the serving layer's disclosure control
    reads. -#}
with visits as (

    select * from {{ ref('fct_bookings') }}
    where has_outcome and lead_time_days >= 0 and {{ visit_month_is_served() }}

),

statistics as (

    select
        region_code,
        visit_month as month,
        coalesce(care_service, 'unknown') as care_service,
        cast({{ percentile_cont('lead_time_days', 0.5) }} as double) as median_days,
        cast({{ percentile_cont('lead_time_days', 0.9) }} as double) as p90_days,
        cast(count(*) as bigint) as n
    from visits
    group by 1, 2, 3

)

select region_code, month, 'median' as statistic, care_service, median_days as value, n, n as denominator
from statistics
union all
select region_code, month, 'p90' as statistic, care_service, p90_days as value, n, n as denominator
from statistics
