{#- Sessions with a jump_out to an external booking service and no
    return_from_jump_out in the same session (a dead end) / sessions with a
    jump_out, by the resident's region × month of the (first) jump. -#}
with sessions as (

    select * from {{ ref('int_eservice__sessions') }}
    where has_jump_out and region_code is not null

)

select
    region_code,
    jump_out_month as month,
    {{ ratio_measures('is_dead_end') }}
from sessions
group by 1, 2
