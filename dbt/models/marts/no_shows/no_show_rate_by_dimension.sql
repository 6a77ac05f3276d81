{#- No-shows / (attended + no-shows) cut by every dimension the no-show model
    knows: booking channel, reminder, lead-time band (GPAD), contact type, care
    service, age band and care level, by region × month of the visit. The
    detail mart of no_show_rate (same totals). -#}
with visits as (

    select * from {{ ref('fct_bookings') }}
    where has_outcome

)

select
    region_code,
    visit_month as month,
    coalesce(booking_channel, 'unknown') as booking_channel,
    coalesce(reminder, 'unknown') as reminder,
    lead_time_band,
    coalesce(contact_type, 'unknown') as contact_type,
    coalesce(care_service, 'unknown') as care_service,
    coalesce(age_band, 'unknown') as age_band,
    care_level,
    {{ ratio_measures('is_no_show') }}
from visits
group by 1, 2, 3, 4, 5, 6, 7, 8, 9
