{#- The monthly appointment counts of regions whose time books deliver only
    counts (SOURCES.md 1d, booking_aggregates), in canonical codes: one row per
    cell of the latest delivery of each region × unit × month (a month
    delivered again replaces the earlier file, as in nhs_gpad_no_show_rate).
    The NHS GPAD benchmark files are not Swedish figures and are left out, and
    so is a region × month that also has booking rows (the rows are finer and
    would be counted twice). -#}
with {{ latest_count_deliveries(external_benchmark=false) }},

row_level_months as (

    select distinct region_code as row_region_code, visit_month as row_visit_month
    from {{ ref('int_booking_lifecycle') }}

),

bands as (

    select lead_time_band, gpad_label from {{ ref('lead_time_bands') }}

)

select
    ---------- ids
    deliveries.region_code,
    deliveries.unit_id as care_unit_hsa_id,

    ---------- dimensions
    deliveries.appt_status,
    deliveries.hcp_type,
    coalesce(deliveries.appt_mode, 'unknown') as contact_type,
    coalesce(bands.lead_time_band, 'unknown') as lead_time_band,
    coalesce(deliveries.booking_channel, 'unknown') as booking_channel,

    ---------- period
    cast(deliveries.appointment_month as date) as visit_month,

    ---------- counts
    cast(deliveries.appointment_count as bigint) as appointment_count

from deliveries
left join bands on bands.gpad_label = deliveries.lead_time_band
left join row_level_months
    on row_level_months.row_region_code = deliveries.region_code
    and row_level_months.row_visit_month = cast(deliveries.appointment_month as date)
where row_level_months.row_region_code is null
