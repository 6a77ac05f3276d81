{#- The estimate parameters as they apply to each region over time. A region
    with rows of its own for a parameter and qualifier uses only those; the
    others use the national default (empty region_code). Within that set the
    row with the latest valid_from applies until the next one starts; at the
    same valid_from the highest version wins. -#}
with parameters as (

    select * from {{ ref('estimate_parameters') }}

),

regions as (

    select regionkod as region_code from {{ ref('regions') }}

),

candidates as (

    select
        regions.region_code,
        parameters.parameter,
        coalesce(parameters.qualifier, '') as qualifier,
        parameters.value,
        parameters.unit,
        parameters.valid_from,
        parameters.version,
        parameters.source,
        parameters.region_code is not null as is_region_specific
    from parameters
    inner join regions
        on parameters.region_code is null or parameters.region_code = regions.region_code

),

chosen as (

    select
        *,
        max(case when is_region_specific then 1 else 0 end) over (
            partition by region_code, parameter, qualifier
        ) as region_has_own
    from candidates

),

latest_version as (

    select
        *,
        row_number() over (
            partition by region_code, parameter, qualifier, valid_from
            order by version desc
        ) as version_rank
    from chosen
    where is_region_specific = (region_has_own = 1)

)

select
    region_code,
    parameter,
    qualifier,
    value,
    unit,
    valid_from,
    lead(valid_from) over (
        partition by region_code, parameter, qualifier order by valid_from
    ) as valid_until,
    version,
    is_region_specific,
    source
from latest_version
where version_rank = 1
