{#- What a call costs where telephony measures it, per region × month × reason
    (Ärende): the answered-call-weighted averages of Medelväntetid s and
    Medelsamtalstid s over queue rows that have both. Resident minutes = wait +
    talk; staff minutes = talk. -#}
with queues as (

    select *
    from {{ ref('stg_lake__telephony_queues') }}
    where calls_answered > 0
        and avg_wait_seconds is not null
        and avg_talk_seconds is not null

)

select
    region_code,
    cast({{ dbt.date_trunc('month', 'call_date') }} as date) as month,
    reason,
    cast(sum(calls_answered) as bigint) as calls_answered,
    sum(calls_answered * (avg_wait_seconds + avg_talk_seconds)) / sum(calls_answered) / 60.0
        as resident_minutes_per_call,
    sum(calls_answered * avg_talk_seconds) / sum(calls_answered) / 60.0
        as staff_minutes_per_call
from queues
group by 1, 2, 3
