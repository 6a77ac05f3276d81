{#- Orders each booking's versions, newest first: the latest `changed_at`
    wins; ties (a re-delivered extract) go to the later extract, then the later
    row in the file, so the choice is deterministic. A version the source
    delivered more than once (the same eventId, or FHIR id/versionId, in several
    files) counts once: its first delivery is kept. -#}
with versions as (

    select * from {{ ref('stg_lake__bookings') }}

),

deliveries as (

    select
        *,
        row_number() over (
            partition by booking_key, source_record_id
            order by extract_date, source_file_hash, source_row
        ) as delivery_rank
    from versions

),

unique_versions as (

    select * from deliveries
    where source_record_id is null or delivery_rank = 1

)

select
    *,
    row_number() over (
        partition by booking_key
        order by changed_at desc, extract_date desc, source_file_hash desc, source_row desc
    ) as version_rank,
    count(*) over (partition by booking_key) as version_count
from unique_versions
