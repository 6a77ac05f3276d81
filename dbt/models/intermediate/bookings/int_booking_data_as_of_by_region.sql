{#- Per region: when its booking data is known to (exclusive). For regions
    delivering booking rows, midnight after the latest extract day delivered;
    for regions delivering monthly counts (booking_aggregates), the first day
    after the latest counted month. The marts grouped by visit month serve a
    month only when it began before this (macro visit_month_is_served): a
    month that starts after the data ends holds only bookings made for later
    visits, not a measured figure. -#}
with row_level as (

    select
        region_code,
        cast({{ dbt.dateadd('day', 1, 'max(extract_date)') }} as timestamp) as data_as_of
    from {{ ref('int_booking_versions_ranked') }}
    group by region_code

),

counted as (

    select
        region_code,
        cast({{ dbt.dateadd('month', 1, 'max(visit_month)') }} as timestamp) as data_as_of
    from {{ ref('int_booking_counts_latest') }}
    group by region_code

),

combined as (

    select * from row_level
    union all
    select * from counted

)

select
    region_code,
    max(data_as_of) as data_as_of
from combined
group by region_code
