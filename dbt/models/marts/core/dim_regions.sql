with regions as (

    select * from {{ ref('regions') }}

)

select
    regionkod as region_code,
    namn as region_name,
    organisationsnummer as organisation_number,
    hsa_prefix,
    folkmangd_2024_ca as population
from regions
