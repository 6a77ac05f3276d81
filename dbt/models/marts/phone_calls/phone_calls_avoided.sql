{#- Digital bookings, rebookings and cancellations and Bokade tider sessions, each
    times its call-equivalence factor (marts.estimate_parameters, the value valid
    on the action's day), by region × month of the action × action. An estimate:
    change the parameter, not this model. -#}
with actions as (

    select * from {{ ref('int_phone__calls_avoided') }}

)

select
    region_code,
    month,
    action,
    cast(count(*) as bigint) as actions,
    cast(sum(calls_avoided) as double) as value
from actions
group by 1, 2, 3
