{#- Upcoming bookings the resident could see in Bokade tider / all their upcoming
    bookings in the time books, counted once per view and booking, by region of
    the time book, day of the view, contact type and care unit. The reasons
    are in booking_visibility_by_reason. -#}
with pairs as (

    select * from {{ ref('int_visibility__view_bookings') }}

)

select
    region_code,
    request_date as day,
    coalesce(contact_type, 'unknown') as contact_type,
    care_unit_hsa_id,
    {{ ratio_measures('is_visible') }}
from pairs
group by region_code, request_date, coalesce(contact_type, 'unknown'), care_unit_hsa_id
