{#- Booking calls on the national service platform per region, day,
    interaction and whether 1177's e-services made them (beside
    source_calls_per_view: "platform booking calls per day by interaction").
    Region of the logical address called (unit catalogue, else its HSA-id
    prefix); null when the address belongs to no region. A statistics period
    longer than a day counts on its first day. Not a metric of the catalogue:
    system counts, not suppressed. -#}
with calls as (

    select * from {{ ref('stg_lake__platform_calls') }}
    where is_booking_namespace

),

deduplicated as (

    {#- the same statistics file delivered twice counts once -#}
    select * from calls
    qualify row_number() over (
        partition by platform, start_date, end_date, original_consumer_id, consumer_id,
            namespace, logical_address
        order by source_file_hash, source_row
    ) = 1

),

units as (

    select hsa_id, region_code from {{ ref('dim_units') }}

),

regions as (

    select region_code, hsa_prefix from {{ ref('dim_regions') }}

)

select
    coalesce(units.region_code, regions.region_code) as region_code,
    deduplicated.start_date as day,
    deduplicated.interaction,
    deduplicated.is_1177_consumer,
    cast(sum(deduplicated.calls) as bigint) as calls
from deduplicated
left join units on units.hsa_id = deduplicated.logical_address
left join regions on starts_with(deduplicated.logical_address, regions.hsa_prefix)
group by 1, 2, 3, 4
