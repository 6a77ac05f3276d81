{#- A rate from its parts: numerator / denominator as a double, NULL when the
    denominator is 0 (docs/metric_catalogue.md, aggregation ratio). -#}
{% macro safe_rate(numerator, denominator) -%}
    case
        when {{ denominator }} = 0 then null
        else cast({{ numerator }} as double) / {{ denominator }}
    end
{%- endmacro %}
