{#- Co-planned visits × km per trip in the region (marts.estimate_parameters,
    the value valid on the first day of the month), by region × month. Each
    co-planned visit saves one trip. -#}
with co_planned as (

    select * from {{ ref('co_planned_visit_share') }}

),

km_per_trip as (

    select region_code, value, valid_from, valid_until
    from {{ ref('int_parameters_by_region') }}
    where parameter = 'km_per_trip'

)

select
    co_planned.region_code,
    co_planned.month,
    co_planned.numerator as co_planned_visits,
    cast(co_planned.numerator * coalesce(km_per_trip.value, 0) as double) as value
from co_planned
left join km_per_trip
    on km_per_trip.region_code = co_planned.region_code
    and co_planned.month >= km_per_trip.valid_from
    and (km_per_trip.valid_until is null or co_planned.month < km_per_trip.valid_until)
