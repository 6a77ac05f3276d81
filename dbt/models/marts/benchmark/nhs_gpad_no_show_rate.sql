{#- The external benchmark (METRICS.md G): NHS England's GP appointments,
    DNA / (attended + DNA), by appointment month × lead-time band × mode.
    region_code is NHS: never Swedish figures. A month delivered again in a
    later file replaces the earlier delivery (the latest ingested file wins). -#}
with counts as (

    select * from {{ ref('stg_lake__booking_counts') }}
    where is_external_benchmark

),

ledger as (

    select file_hash as source_file_hash, ingested_at from {{ ref('stg_lake__ledger') }}

),

deliveries as (

    select
        counts.*,
        dense_rank() over (
            partition by counts.region_code, counts.unit_id, counts.appointment_month
            order by ledger.ingested_at desc, counts.source_file_hash desc
        ) as delivery_rank
    from counts
    left join ledger using (source_file_hash)

),

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
where deliveries.delivery_rank = 1
group by 1, 2, 3, 4
