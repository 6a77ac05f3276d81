{#- A detail mart sums to its coarser mart: numerator and denominator agree
    at the coarser grain (e.g. no_show_rate_by_dimension vs no_show_rate). -#}
{% test same_totals(model, compare_to, group_by) %}
with detail as (
    select {{ group_by | join(', ') }}, sum(numerator) as numerator, sum(denominator) as denominator
    from {{ model }}
    group by {{ group_by | join(', ') }}
),

coarse as (
    select {{ group_by | join(', ') }}, sum(numerator) as numerator, sum(denominator) as denominator
    from {{ compare_to }}
    group by {{ group_by | join(', ') }}
)

select
    {{ group_by | join(', ') }},
    detail.numerator as detail_numerator,
    coarse.numerator as coarse_numerator,
    detail.denominator as detail_denominator,
    coarse.denominator as coarse_denominator
from detail
full outer join coarse using ({{ group_by | join(', ') }})
where detail.numerator is distinct from coarse.numerator
   or detail.denominator is distinct from coarse.denominator
{% endtest %}
