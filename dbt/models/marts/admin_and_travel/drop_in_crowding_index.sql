{#- For vaccination, sampling and screening: the most visits that started in
    one hour at one care unit during the month (booked slots that reached their
    start, or drop-ins), for slots and drop-in apart, by region × month × visit
    mode × care service. Not re-aggregatable; n = visits behind the value. -#}
with visits as (

    select
        region_code,
        visit_month,
        care_service,
        care_unit_hsa_id,
        visit_date,
        extract(hour from start_time) as visit_hour,
        case when is_walk_in then 'drop_in' else 'slot' end as visit_mode
    from {{ ref('fct_bookings') }}
    where is_slot_service and has_outcome and {{ visit_month_is_served() }}

),

per_unit_hour as (

    select
        region_code,
        visit_month,
        visit_mode,
        coalesce(care_service, 'unknown') as care_service,
        care_unit_hsa_id,
        visit_date,
        visit_hour,
        count(*) as visits
    from visits
    group by 1, 2, 3, 4, 5, 6, 7

)

select
    region_code,
    visit_month as month,
    visit_mode,
    care_service,
    cast(max(visits) as double) as value,
    cast(sum(visits) as bigint) as n
from per_unit_hour
group by 1, 2, 3, 4
