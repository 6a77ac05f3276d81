{#- E-service sessions per authentication method, by the resident's region ×
    month the session started × age band at the session's first event. The mix is
    each method's sessions divided by the sum over methods. -#}
with sessions as (

    select * from {{ ref('int_eservice__sessions') }}
    where region_code is not null

)

select
    region_code,
    month,
    auth_method,
    age_band,
    cast(count(*) as bigint) as value
from sessions
group by 1, 2, 3, 4
