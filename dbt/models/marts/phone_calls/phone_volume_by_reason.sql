{#- Calls offered to the clinics' phone queues (Erbjudna samtal) by region ×
    day × reason (Ärende) × care unit, queues added together; calls answered and
    call-backs in columns of their own. Observed: the counterpart of the
    estimates in phone_calls_avoided. -#}
with queues as (

    select * from {{ ref('stg_lake__telephony_queues') }}

)

select
    region_code,
    call_date as day,
    coalesce(reason, 'unknown') as reason,
    coalesce(care_unit_hsa_id, 'unknown') as care_unit_hsa_id,
    cast(sum(calls_offered) as bigint) as value,
    cast(sum(calls_answered) as bigint) as calls_answered,
    cast(sum(callbacks) as bigint) as callbacks
from queues
group by 1, 2, 3, 4
