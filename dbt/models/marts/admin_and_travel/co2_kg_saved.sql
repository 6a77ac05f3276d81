{#- Travel km saved × kg CO₂ per km (marts.estimate_parameters, the value
    valid on the first day of the month), by region × month. -#}
with travel as (

    select * from {{ ref('travel_km_saved') }}

),

co2_per_km as (

    select region_code, value, valid_from, valid_until
    from {{ ref('int_parameters_by_region') }}
    where parameter = 'co2_kg_per_km'

)

select
    travel.region_code,
    travel.month,
    travel.value as km_saved,
    cast(travel.value * coalesce(co2_per_km.value, 0) as double) as value
from travel
left join co2_per_km
    on co2_per_km.region_code = travel.region_code
    and travel.month >= co2_per_km.valid_from
    and (co2_per_km.valid_until is null or travel.month < co2_per_km.valid_until)
