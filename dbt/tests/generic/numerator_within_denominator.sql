{#- A rate's parts are counts and its numerator never exceeds its denominator. -#}
{% test numerator_within_denominator(model, numerator='numerator', denominator='denominator') %}
select *
from {{ model }}
where {{ numerator }} < 0
   or {{ denominator }} < 0
   or {{ numerator }} > {{ denominator }}
{% endtest %}
