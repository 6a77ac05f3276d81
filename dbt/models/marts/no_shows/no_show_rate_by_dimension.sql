{#- No-shows / (attended + no-shows) cut by every dimension the no-show model
    knows: booking channel, reminder, lead-time band (GPAD), contact type, care
    service, age band and care level, by region × month of the visit. The
    detail mart of no_show_rate (same totals). Regions that deliver monthly
    counts (booking_aggregates) carry channel, lead-time band and contact type
    (APPT_MODE); their reminder, care service and age band are 'not_reported'
    and their care level is the unit's (dim_units). Only visit months that
    began before the region's data_as_of (macro visit_month_is_served). -#}
with bookings as (

    select * from {{ ref('fct_bookings') }}
    where has_outcome and {{ visit_month_is_served() }}

),

counts as (

    select * from {{ ref('int_booking_counts_latest') }}
    where appt_status in ('attended', 'no_show') and {{ visit_month_is_served() }}

),

units as (

    select hsa_id, care_level from {{ ref('dim_units') }}

),

visits as (

    select
        region_code,
        visit_month,
        coalesce(booking_channel, 'unknown') as booking_channel,
        coalesce(reminder, 'unknown') as reminder,
        lead_time_band,
        coalesce(contact_type, 'unknown') as contact_type,
        coalesce(care_service, 'unknown') as care_service,
        coalesce(age_band, 'unknown') as age_band,
        care_level,
        is_no_show,
        1 as visits
    from bookings

    union all

    select
        counts.region_code,
        counts.visit_month,
        counts.booking_channel,
        'not_reported' as reminder,
        counts.lead_time_band,
        counts.contact_type,
        'not_reported' as care_service,
        'not_reported' as age_band,
        coalesce(units.care_level, 'primary_care') as care_level,
        counts.appt_status = 'no_show' as is_no_show,
        counts.appointment_count as visits
    from counts
    left join units on units.hsa_id = counts.care_unit_hsa_id

)

select
    region_code,
    visit_month as month,
    booking_channel,
    reminder,
    lead_time_band,
    contact_type,
    care_service,
    age_band,
    care_level,
    cast(sum(case when is_no_show then visits else 0 end) as bigint) as numerator,
    cast(sum(visits) as bigint) as denominator,
    {{ safe_rate('sum(case when is_no_show then visits else 0 end)', 'sum(visits)') }} as rate
from visits
group by 1, 2, 3, 4, 5, 6, 7, 8, 9
