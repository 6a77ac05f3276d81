{#- The estimate parameters as served (marts.estimate_parameters): every
    version of every row of the seed, so a reader sees which value applied when
    and why. Change the seed, not the models that use it. The alias
    estimate_parameters is set in the yml (a model cannot share the seed's name). -#}
with parameters as (

    select * from {{ ref('estimate_parameters') }}

)

select
    parameter,
    region_code,
    qualifier,
    cast(value as double) as value,
    unit,
    valid_from,
    cast(version as integer) as version,
    source
from parameters
