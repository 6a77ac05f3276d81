{#- One row per calendar day, with the month, ISO week and Swedish and English
    names the dashboards show. The range is set by the vars dim_date_start and
    dim_date_end (end exclusive). -#}
with days as (

    {{ dbt.date_spine(
        datepart='day',
        start_date="cast('" ~ var('dim_date_start', '2020-01-01') ~ "' as date)",
        end_date="cast('" ~ var('dim_date_end', '2031-01-01') ~ "' as date)",
    ) }}

),

calendar as (

    select
        cast(date_day as date) as date_day,
        cast(extract(isodow from date_day) as integer) as iso_day_of_week,
        cast(extract(month from date_day) as integer) as month_number
    from days

)

select
    date_day,
    cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month,
    cast(extract(year from date_day) as integer) as year,
    cast(extract(quarter from date_day) as integer) as quarter,
    month_number,
    cast(extract(isoyear from date_day) as integer) as iso_year,
    cast(extract(week from date_day) as integer) as iso_week,
    iso_day_of_week,
    iso_day_of_week >= 6 as is_weekend,
    case month_number
        when 1 then 'januari' when 2 then 'februari' when 3 then 'mars' when 4 then 'april'
        when 5 then 'maj' when 6 then 'juni' when 7 then 'juli' when 8 then 'augusti'
        when 9 then 'september' when 10 then 'oktober' when 11 then 'november'
        else 'december'
    end as month_name_sv,
    case month_number
        when 1 then 'January' when 2 then 'February' when 3 then 'March' when 4 then 'April'
        when 5 then 'May' when 6 then 'June' when 7 then 'July' when 8 then 'August'
        when 9 then 'September' when 10 then 'October' when 11 then 'November'
        else 'December'
    end as month_name_en,
    case iso_day_of_week
        when 1 then 'måndag' when 2 then 'tisdag' when 3 then 'onsdag' when 4 then 'torsdag'
        when 5 then 'fredag' when 6 then 'lördag' else 'söndag'
    end as day_name_sv,
    case iso_day_of_week
        when 1 then 'Monday' when 2 then 'Tuesday' when 3 then 'Wednesday'
        when 4 then 'Thursday' when 5 then 'Friday' when 6 then 'Saturday' else 'Sunday'
    end as day_name_en
from calendar
