-- Per feed and region, the ledger summed over the files in force. A superseded file
-- (a corrected re-delivery of the same landing file replaced it) left the lake and the
-- quarantine: it is counted in files_superseded only, never as read, loaded or quarantined.
with ledger as (

    select * from {{ ref('stg_lake__ledger') }}

),

in_force as (

    select
        *,
        status = 'superseded' as is_superseded
    from ledger

)

select
    feed,
    region_code,
    count(*) filter (where not is_superseded)                                       as files,
    count(*) filter (where not is_superseded and status = 'rejected_file')          as files_rejected,
    count(*) filter (where is_superseded)                                           as files_superseded,
    coalesce(sum(rows_read) filter (where not is_superseded), 0)::bigint            as rows_read,
    coalesce(sum(rows_loaded) filter (where not is_superseded), 0)::bigint          as rows_loaded,
    coalesce(sum(rows_quarantined) filter (where not is_superseded), 0)::bigint     as rows_quarantined,
    max(ingested_at)                                                                as last_received_at
from in_force
group by feed, region_code
