{#- Orders each booking's versions, newest first: the latest `changed_at`
    wins; ties (a re-delivered extract) go to the later extract, then the later
    row in the file, so the choice is deterministic. -#}
with versions as (

    select * from {{ ref('stg_lake__bookings') }}

)

select
    *,
    row_number() over (
        partition by booking_key
        order by changed_at desc, extract_date desc, source_file_hash desc, source_row desc
    ) as version_rank,
    count(*) over (partition by booking_key) as version_count
from versions
