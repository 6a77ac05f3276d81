{#- Triage sessions that ended in a referral (referral_issued) or a completed
    booking in the same session / triage sessions, by the resident's region ×
    month the session started. -#}
with sessions as (

    select * from {{ ref('int_eservice__sessions') }}
    where has_triage and region_code is not null

)

select
    region_code,
    month,
    {{ ratio_measures('has_referral or has_booking_completed') }}
from sessions
group by 1, 2
