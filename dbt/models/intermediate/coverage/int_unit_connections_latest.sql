{#- Which care units (or single time books) are connected to which 1177
    service, as the latest delivery of the national connection list says.
    Every delivery is a full snapshot, so only the newest one counts. -#}
with connections as (

    select * from {{ ref('stg_lake__unit_connections') }}

),

latest_delivery as (

    select max(delivery_date) as delivery_date from connections

)

select
    connections.care_unit_hsa_id,
    connections.time_book_hsa_id,
    connections.service,
    connections.source_system,
    connections.applied_on,
    connections.production_on,
    connections.ended_on,
    connections.delivery_date
from connections
inner join latest_delivery using (delivery_date)
