{#- Nothing lost at the gate: every row read was either loaded or quarantined. -#}
{% test ledger_reconciles(model) %}
select *
from {{ model }}
where rows_read <> rows_loaded + rows_quarantined
{% endtest %}
