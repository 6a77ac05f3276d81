{#- Rebookings per care episode (a first booking and the bookings that
    replaced it), for episodes whose last booking reached its start or was
    cancelled, by region × month of the last booking's visit × care service.
    visits_rebooked_more_than_twice counts the episodes moved three times or more. -#}
with bookings as (

    select * from {{ ref('fct_bookings') }}
    where {{ visit_month_is_served() }}

),

last_in_chain as (

    select *
    from bookings
    where not is_rebooked and (has_outcome or is_cancelled)

)

select
    region_code,
    visit_month as month,
    coalesce(care_service, 'unknown') as care_service,
    cast(sum(rebook_chain_length - 1) as bigint) as numerator,
    cast(count(*) as bigint) as denominator,
    {{ safe_rate('sum(rebook_chain_length - 1)', 'count(*)') }} as rate,
    cast(sum(case when rebook_chain_length - 1 > 2 then 1 else 0 end) as bigint)
        as visits_rebooked_more_than_twice
from last_in_chain
group by 1, 2, 3
