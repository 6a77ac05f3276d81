{#- The HSA units (care units and their time books) as the latest delivery of
    the national catalogue describes them, with the care level that decides the
    late-cancellation threshold. A time book takes its care unit's type and
    level. -#}
with units as (

    select * from {{ ref('stg_lake__hsa_units') }}

),

latest as (

    select
        *,
        row_number() over (
            partition by hsa_id order by delivery_date desc, source_file_hash desc, source_row desc
        ) as delivery_rank
    from units

),

current_units as (

    select * from latest where delivery_rank = 1

),

care_levels as (

    select * from {{ ref('unit_type_care_levels') }}

)

select
    ---------- ids
    unit.hsa_id,
    unit.parent_hsa_id,
    case when unit.is_time_book then unit.parent_hsa_id else unit.hsa_id end as care_unit_hsa_id,

    ---------- dimensions
    unit.unit_name,
    unit.region_code,
    unit.municipality_code,
    unit.unit_type,
    coalesce(parent.unit_type, unit.unit_type) as care_unit_type,
    coalesce(care_levels.care_level, 'primary_care') as care_level,
    unit.latitude,
    unit.longitude,

    ---------- dates
    unit.valid_from,
    unit.valid_to,
    unit.delivery_date,

    ---------- flags
    unit.is_time_book,
    care_levels.care_level is not null as is_care_level_known

from current_units as unit
left join current_units as parent
    on unit.is_time_book and unit.parent_hsa_id = parent.hsa_id
left join care_levels
    on care_levels.unit_type = coalesce(parent.unit_type, unit.unit_type)
