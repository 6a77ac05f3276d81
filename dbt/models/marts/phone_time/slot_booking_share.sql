{#- For vaccination, sampling and screening: attended visits booked as a slot
    / all attended such visits (drop-ins registered as WALKIN included), by
    region × month of the visit × care service × care unit. -#}
with visits as (

    select * from {{ ref('fct_bookings') }}
    where is_slot_service and is_attended and {{ visit_month_is_served() }}

)

select
    region_code,
    visit_month as month,
    coalesce(care_service, 'unknown') as care_service,
    coalesce(care_unit_hsa_id, 'unknown') as care_unit_hsa_id,
    {{ ratio_measures('not is_walk_in') }}
from visits
group by 1, 2, 3, 4
