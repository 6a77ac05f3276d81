{#- Calls from the aggregating service to the regions' booking systems / views
    of Bokade tider, by region and day. A call counts in the region of the unit
    called; a view in the region of its resident (the region where the time
    books hold most of the resident's bookings; ties to the lower code) or,
    for a resident unknown to the time books, of the first unit it called. A
    view that can be placed in neither is not counted (none in the simulated
    data). Platform booking calls per day and interaction are beside it in
    platform_booking_calls. -#}
with requests as (

    select * from {{ ref('stg_lake__aggregator_requests') }}
    qualify row_number() over (
        partition by request_id order by source_file_hash, source_row
    ) = 1

),

calls as (

    select * from {{ ref('int_coverage__source_calls') }}
    where region_code is not null

),

resident_regions as (

    select patient_pseudonym, region_code
    from {{ ref('fct_bookings') }}
    where patient_pseudonym is not null
    group by patient_pseudonym, region_code
    qualify row_number() over (
        partition by patient_pseudonym order by count(*) desc, region_code
    ) = 1

),

first_calls as (

    select request_id, region_code
    from calls
    qualify row_number() over (partition by request_id order by call_index) = 1

),

views as (

    select
        coalesce(resident_regions.region_code, first_calls.region_code) as region_code,
        requests.request_date as day,
        cast(count(*) as bigint) as views
    from requests
    left join resident_regions using (patient_pseudonym)
    left join first_calls using (request_id)
    where coalesce(resident_regions.region_code, first_calls.region_code) is not null
    group by 1, 2

),

call_counts as (

    select region_code, call_date as day, cast(count(*) as bigint) as calls
    from calls
    group by 1, 2

)

select
    region_code,
    day,
    cast(coalesce(call_counts.calls, 0) as bigint) as numerator,
    cast(coalesce(views.views, 0) as bigint) as denominator,
    {{ safe_rate('coalesce(call_counts.calls, 0)', 'coalesce(views.views, 0)') }} as rate
from views
full outer join call_counts using (region_code, day)
