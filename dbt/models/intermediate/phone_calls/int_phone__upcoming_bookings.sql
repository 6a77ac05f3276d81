{#- Bookings upcoming at some moment of each month, per region × month × care
    unit: made by the month's end (booked_at, else first seen) and neither started
    nor cancelled before the month began; a booking cancelled or starting the
    minute it was made was never upcoming. A booking is upcoming until its start,
    or until its cancellation when cancelled before the start (a rebooked booking
    is cancelled by its rebooking). The months are those of the delivered
    telephony: the metric needs both. -#}
with bookings as (

    select
        region_code,
        coalesce(care_unit_hsa_id, 'unknown') as care_unit_hsa_id,
        coalesce(booked_at, first_seen_at) as booked_at,
        case
            when is_cancelled and cancelled_at < start_time then cancelled_at
            else start_time
        end as upcoming_until
    from {{ ref('fct_bookings') }}

),

months as (

    select distinct
        region_code,
        cast({{ dbt.date_trunc('month', 'call_date') }} as date) as month
    from {{ ref('stg_lake__telephony_queues') }}

)

select
    months.region_code,
    months.month,
    bookings.care_unit_hsa_id,
    cast(count(*) as bigint) as upcoming_bookings
from months
inner join bookings
    on bookings.region_code = months.region_code
    and bookings.booked_at < {{ dbt.dateadd('month', 1, 'months.month') }}
    and bookings.upcoming_until > months.month
    and bookings.upcoming_until > bookings.booked_at
group by 1, 2, 3
