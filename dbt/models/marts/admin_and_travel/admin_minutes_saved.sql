{#- Digital actions × staff minutes per manual action (marts.estimate_parameters,
    the value valid on the action's day), by region × month of the action ×
    action. An estimate: change the parameter, not this model. -#}
with digital_actions as (

    select * from {{ ref('fct_resident_actions') }}
    where is_digital

),

minutes_per_action as (

    select region_code, qualifier as action, value, valid_from, valid_until
    from {{ ref('int_parameters_by_region') }}
    where parameter = 'staff_minutes_per_manual_action'

)

select
    digital_actions.region_code,
    digital_actions.month,
    digital_actions.action,
    cast(count(*) as bigint) as digital_actions,
    cast(coalesce(sum(minutes_per_action.value), 0) as double) as value
from digital_actions
left join minutes_per_action
    on minutes_per_action.region_code = digital_actions.region_code
    and minutes_per_action.action = digital_actions.action
    and digital_actions.action_date >= minutes_per_action.valid_from
    and (minutes_per_action.valid_until is null
         or digital_actions.action_date < minutes_per_action.valid_until)
group by 1, 2, 3
