{#- The external benchmark (METRICS.md G): NHS England's GP appointments,
    DNA / (attended + DNA), by appointment month × lead-time band × mode.
    region_code is NHS: never Swedish figures. A month delivered again in a
    later file replaces the earlier delivery (the latest ingested file wins). -#}
with {{ latest_count_deliveries(external_benchmark=true) }},

bands as (

    select lead_time_band, gpad_label from {{ ref('lead_time_bands') }}

)

select
    deliveries.region_code,
    deliveries.appointment_month as month,
    coalesce(bands.lead_time_band, 'unknown') as lead_time_band,
    deliveries.appt_mode as contact_type,
    cast(sum(case when appt_status = 'no_show' then appointment_count else 0 end) as bigint)
        as numerator,
    cast(sum(case when appt_status in ('attended', 'no_show') then appointment_count else 0 end)
        as bigint) as denominator,
    {{ safe_rate(
        "sum(case when appt_status = 'no_show' then appointment_count else 0 end)",
        "sum(case when appt_status in ('attended', 'no_show') then appointment_count else 0 end)",
    ) }} as rate
from deliveries
left join bands on bands.gpad_label = deliveries.lead_time_band
group by 1, 2, 3, 4
