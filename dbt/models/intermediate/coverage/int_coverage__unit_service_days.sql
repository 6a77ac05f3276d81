{#- The connection state of every care unit on every 1177 service, day by day
    (METRICS.md D, "unit connection state per day"), from the latest delivery of
    the national connection list (a full snapshot whose dates say when each
    onboarding step happened). A unit is live on a service on a day when one of
    its connection rows has production_on on or before the day and has not
    ended (ended_on after the day); its bookings reach Engagemangsindex from
    its first test or production day on view_bookings. Days run from the first
    month of the booking data to the connection list's delivery day: the state
    after it is not known. -#}
with units as (

    select
        hsa_id as care_unit_hsa_id,
        region_code,
        valid_from,
        valid_to
    from {{ ref('dim_units') }}
    where not is_time_book

),

deliveries as (

    select * from {{ ref('stg_lake__unit_connections') }}

),

connections as (

    select * from deliveries
    where delivery_date = (select max(delivery_date) from deliveries)

),

known_to as (

    select max(delivery_date) as data_as_of from deliveries

),

known_from as (

    select
        cast({{ dbt.date_trunc('month', 'min(extract_date)') }} as date) as first_day
    from {{ ref('int_booking_versions_ranked') }}

),

days as (

    select cast(date_day as date) as day
    from {{ ref('dim_date') }}
    cross join known_from
    cross join known_to
    where date_day >= known_from.first_day and date_day <= known_to.data_as_of

),

services as (

    select service
    from (values ('view_bookings'), ('cancel'), ('rebook'), ('book')) as s (service)

),

grid as (

    select
        units.care_unit_hsa_id,
        units.region_code,
        services.service,
        days.day,
        units.valid_from <= days.day
            and (units.valid_to is null or units.valid_to >= days.day) as is_active
    from units
    cross join services
    cross join days

),

state as (

    select
        grid.care_unit_hsa_id,
        grid.service,
        grid.day,
        coalesce(bool_or(connections.applied_on <= grid.day), false) as is_applied,
        coalesce(bool_or(connections.tested_on <= grid.day), false) as is_tested,
        coalesce(bool_or(
            connections.production_on <= grid.day
            and (connections.ended_on is null or connections.ended_on > grid.day)
        ), false) as is_live,
        coalesce(bool_or(connections.ended_on <= grid.day), false) as has_ended,
        coalesce(bool_or(
            least(connections.tested_on, connections.production_on) <= grid.day
        ), false) as is_indexed,
        max(connections.production_on) filter (where connections.production_on <= grid.day)
            as production_on
    from grid
    inner join connections
        on connections.care_unit_hsa_id = grid.care_unit_hsa_id
        and connections.service = grid.service
    group by grid.care_unit_hsa_id, grid.service, grid.day

)

select
    ---------- ids
    grid.care_unit_hsa_id,
    grid.region_code,

    ---------- dimensions
    grid.service,
    grid.day,
    cast({{ dbt.date_trunc('month', 'grid.day') }} as date) as month,

    ---------- flags
    grid.is_active,
    coalesce(state.is_applied, false) as is_applied,
    coalesce(state.is_tested, false) and not coalesce(state.is_live, false)
        and not coalesce(state.has_ended, false) as is_in_test,
    coalesce(state.is_live, false) as is_live,
    coalesce(state.has_ended, false) and not coalesce(state.is_live, false) as has_ended,
    coalesce(state.is_indexed, false) as is_indexed,
    coalesce(state.is_applied, false) and not coalesce(state.is_live, false)
        and not coalesce(state.has_ended, false) as is_onboarding,

    ---------- dates
    state.production_on

from grid
left join state
    on state.care_unit_hsa_id = grid.care_unit_hsa_id
    and state.service = grid.service
    and state.day = grid.day
