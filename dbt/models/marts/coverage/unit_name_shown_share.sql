{#- Bookings shown in Bokade tider with the clinic's name
    (healthcare_facility_name, not blank) / all shown bookings, by region of the
    care unit, day of the response and care unit. -#}
with shown as (

    select * from {{ ref('stg_lake__aggregator_shown_bookings') }}
    qualify row_number() over (
        partition by request_id, booking_id, care_unit_hsa_id
        order by source_file_hash, source_member, source_row
    ) = 1

),

units as (

    select hsa_id, region_code from {{ ref('dim_units') }}

)

select
    units.region_code,
    shown.response_date as day,
    shown.care_unit_hsa_id,
    {{ ratio_measures("coalesce(trim(shown.care_unit_name), '') <> ''") }}
from shown
inner join units on units.hsa_id = shown.care_unit_hsa_id
group by units.region_code, shown.response_date, shown.care_unit_hsa_id
