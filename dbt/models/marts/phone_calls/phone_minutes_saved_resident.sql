{#- Calls avoided × the resident's minutes per call (wait + talk): measured in the
    region's telephony that month for the matching Ärende where delivered, else the
    parameter resident_minutes_per_call (marts.estimate_parameters). By region ×
    month of the action × action; measured_calls_avoided says how much of it rests
    on measured minutes. -#}
with actions as (

    select * from {{ ref('int_phone__calls_avoided') }}

)

select
    region_code,
    month,
    action,
    cast(sum(calls_avoided) as double) as calls_avoided,
    cast(sum(case when is_resident_minutes_measured then calls_avoided else 0 end) as double)
        as measured_calls_avoided,
    cast(coalesce(sum(calls_avoided * resident_minutes_per_call), 0) as double) as value
from actions
group by 1, 2, 3
