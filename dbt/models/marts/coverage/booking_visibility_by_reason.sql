{#- The detail mart of booking_visibility_rate (same totals): view-booking pairs
    by region, day of the view, contact type, care unit and the one visibility
    reason of int_visibility__view_bookings. numerator = visible pairs (only in
    the row of reason visible), denominator = all pairs of the row; a reason's
    share of all pairs is its denominator over the total. -#}
with pairs as (

    select * from {{ ref('int_visibility__view_bookings') }}

)

select
    region_code,
    request_date as day,
    coalesce(contact_type, 'unknown') as contact_type,
    care_unit_hsa_id,
    visibility_reason,
    {{ ratio_measures('is_visible') }}
from pairs
group by region_code, request_date, coalesce(contact_type, 'unknown'), care_unit_hsa_id,
    visibility_reason
