{#- Future bookings with a live Engagemangsindex record / all future bookings
    that should be indexed, by region, month and care unit, at the month's last
    minute (for the latest month: the last minute of the booking data).
    Future = booked and neither started nor cancelled at that minute. Should be
    indexed = the unit was in test or production on view_bookings by that day
    (its bookings are sent to the index from then) and the time book is
    connected. Live = the booking's latest index transaction (by updateTime) at
    that minute, matched on business object id and logical address, is not a
    delete. A booking of a resident with a reservnummer can never be indexed
    and counts as missing. -#}
with data_as_of as (

    select data_as_of from {{ ref('int_booking_data_as_of') }}

),

snapshots as (

    select
        month,
        least(
            cast({{ dbt.dateadd('month', 1, 'month') }} as timestamp),
            data_as_of.data_as_of
        ) - interval 1 minute as snapshot_at
    from (
        select distinct month
        from {{ ref('int_coverage__unit_service_days') }}
    ) as months
    cross join data_as_of
    where month < data_as_of.data_as_of

),

bookings as (

    select
        booking_id,
        region_code,
        care_unit_hsa_id,
        coalesce(time_book_hsa_id, care_unit_hsa_id) as time_book_hsa_id,
        coalesce(booked_at, first_seen_at) as booked_at,
        least(start_time, coalesce(cancelled_at, start_time)) as upcoming_until
    from {{ ref('fct_bookings') }}

),

indexed_units as (

    select care_unit_hsa_id, day
    from {{ ref('int_coverage__unit_service_days') }}
    where service = 'view_bookings' and is_indexed

),

time_books as (

    {#- connected time books; a row without a time book connects the unit's own -#}
    select distinct
        care_unit_hsa_id,
        coalesce(time_book_hsa_id, care_unit_hsa_id) as time_book_hsa_id
    from {{ ref('int_unit_connections_latest') }}
    where service = 'view_bookings'

),

expected as (

    select
        snapshots.month,
        snapshots.snapshot_at,
        bookings.*
    from snapshots
    inner join bookings
        on bookings.booked_at <= snapshots.snapshot_at
        and snapshots.snapshot_at < bookings.upcoming_until
    inner join indexed_units
        on indexed_units.care_unit_hsa_id = bookings.care_unit_hsa_id
        and indexed_units.day = cast(snapshots.snapshot_at as date)
    inner join time_books
        on time_books.care_unit_hsa_id = bookings.care_unit_hsa_id
        and time_books.time_book_hsa_id = bookings.time_book_hsa_id

),

index_updates as (

    select
        business_object_instance_identifier as booking_id,
        logical_address as care_unit_hsa_id,
        updated_at,
        is_deleted,
        source_file_hash,
        source_row
    from {{ ref('stg_lake__engagement_index_updates') }}
    where categorization = 'Booking'

),

latest_update as (

    select
        expected.month,
        expected.booking_id,
        expected.care_unit_hsa_id,
        index_updates.is_deleted
    from expected
    inner join index_updates
        on index_updates.booking_id = expected.booking_id
        and index_updates.care_unit_hsa_id = expected.care_unit_hsa_id
        and index_updates.updated_at <= expected.snapshot_at
    qualify row_number() over (
        partition by expected.month, expected.booking_id, expected.care_unit_hsa_id
        order by index_updates.updated_at desc, index_updates.is_deleted desc,
            index_updates.source_file_hash desc, index_updates.source_row desc
    ) = 1

)

select
    expected.region_code,
    expected.month,
    expected.care_unit_hsa_id,
    {{ ratio_measures('latest_update.is_deleted = false') }}
from expected
left join latest_update
    on latest_update.month = expected.month
    and latest_update.booking_id = expected.booking_id
    and latest_update.care_unit_hsa_id = expected.care_unit_hsa_id
group by expected.region_code, expected.month, expected.care_unit_hsa_id
