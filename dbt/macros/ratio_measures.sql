{#- The measure columns of a ratio mart (docs/metric_catalogue.md): counts of
    rows meeting each condition, and their rate. Use inside a GROUP BY. -#}
{% macro ratio_measures(numerator_condition, denominator_condition='1 = 1') -%}
    cast(sum(case when {{ numerator_condition }} then 1 else 0 end) as bigint) as numerator,
    cast(sum(case when {{ denominator_condition }} then 1 else 0 end) as bigint) as denominator,
    {{ safe_rate(
        'sum(case when ' ~ numerator_condition ~ ' then 1 else 0 end)',
        'sum(case when ' ~ denominator_condition ~ ' then 1 else 0 end)',
    ) }} as rate
{%- endmacro %}
