{#- Time books (child HSA-ids in the unit catalogue) connected to each 1177
    service / all active time books, per region, month and service, on the
    month's last day (or the connection list's delivery day). A time book is
    connected when a connection row names it and is live that day; a row
    without a time book connects only the unit itself, not its children. -#}
with time_books as (

    select hsa_id as time_book_hsa_id, care_unit_hsa_id, region_code, valid_from, valid_to
    from {{ ref('dim_units') }}
    where is_time_book

),

month_ends as (

    select month, max(day) as day
    from {{ ref('int_coverage__unit_service_days') }}
    group by month

),

connections as (

    select * from {{ ref('int_unit_connections_latest') }}
    where time_book_hsa_id is not null

),

services as (

    select service
    from (values ('view_bookings'), ('cancel'), ('rebook'), ('book')) as s (service)

),

book_states as (

    select
        time_books.region_code,
        month_ends.month,
        services.service,
        time_books.time_book_hsa_id,
        exists (
            select 1 from connections
            where connections.time_book_hsa_id = time_books.time_book_hsa_id
                and connections.service = services.service
                and connections.production_on <= month_ends.day
                and (connections.ended_on is null or connections.ended_on > month_ends.day)
        ) as is_connected
    from time_books
    cross join month_ends
    cross join services
    where time_books.valid_from <= month_ends.day
        and (time_books.valid_to is null or time_books.valid_to >= month_ends.day)

)

select
    region_code,
    month,
    service,
    {{ ratio_measures('is_connected', 'true') }}
from book_states
group by region_code, month, service
