{#- A predicate: the visit month `month_column` of region `region_column` is
    one the marts serve, i.e. it began before the region's data_as_of
    (int_booking_data_as_of_by_region). Months starting after the data ends
    hold only bookings made for later visits and are dropped. The month in
    progress at data_as_of is kept (its visits so far are measured; the
    freshness endpoint gives the date the data ends) unless the project var
    `serve_partial_visit_month` is false, which keeps only months whose last
    day is before data_as_of. A region without booking data serves no month.
    Use in a WHERE clause on rows that carry the month and region. -#}
{% macro visit_month_is_served(month_column='visit_month', region_column='region_code') -%}
    {%- if var('serve_partial_visit_month', true) -%}
        {%- set first_day = 'cast(' ~ month_column ~ ' as timestamp)' -%}
        {%- set condition = first_day ~ ' < served_data_as_of' -%}
    {%- else -%}
        {%- set next_month = 'cast(' ~ dbt.dateadd('month', 1, 'cast(' ~ month_column ~ ' as date)') ~ ' as timestamp)' -%}
        {%- set condition = next_month ~ ' <= served_data_as_of' -%}
    {%- endif -%}
    exists (
        select 1
        from (
            -- renamed so that the caller's unqualified columns bind to its own rows
            select region_code as served_region_code, data_as_of as served_data_as_of
            from {{ ref('int_booking_data_as_of_by_region') }}
        ) as served_months
        where served_region_code = {{ region_column }}
            and {{ condition }}
    )
{%- endmacro %}
