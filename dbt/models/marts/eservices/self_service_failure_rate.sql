{#- Cancel and rebook attempts in the 1177 e-services that the booking system
    rejected / all such attempts (rejected + cancel_completed + rebook_completed),
    by the resident's region × month × action (int_eservice__events: which result
    codes are a rejected cancellation or rebooking). Each rejection sends the
    resident back to the phone. -#}
with attempts as (

    select * from {{ ref('int_eservice__events') }}
    where self_service_action is not null and region_code is not null

)

select
    region_code,
    month,
    self_service_action as action,
    {{ ratio_measures('is_rejected_self_service') }},
    cast(sum(case when result_code like 'TOO_LATE%' then 1 else 0 end) as bigint)
        as rejected_too_late,
    cast(sum(case when result_code like '%NOT_ALLOWED' then 1 else 0 end) as bigint)
        as rejected_not_allowed
from attempts
group by 1, 2, 3
