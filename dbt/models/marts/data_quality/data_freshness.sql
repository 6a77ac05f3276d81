-- Per feed and region: the last lake day a file in force loaded rows into, and when the
-- last file (whatever became of it) arrived. Rejected files have no partition day.
with ledger as (

    select * from {{ ref('stg_lake__ledger') }}

)

select
    feed,
    region_code,
    max(partition_day) filter (
        where status in ('loaded', 'loaded_with_rejects') and rows_loaded > 0
    )                   as latest_data_day,
    max(ingested_at)    as latest_received_at
from ledger
group by feed, region_code
