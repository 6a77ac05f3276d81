{#- Rebooking chains: a care episode is a first booking and the bookings that
    replaced it one after another (`Ombokad från`). Walks the links from each
    chain's first booking; a booking whose predecessor is not in the data
    starts its own chain. One row per booking. -#}
with recursive bookings as (

    select
        booking_key,
        case
            when rebooked_from_booking_id is not null
                then region_code || ':' || rebooked_from_booking_id
        end as rebooked_from_booking_key
    from {{ ref('int_booking_lifecycle') }}

),

roots as (

    select bookings.booking_key
    from bookings
    left join bookings as predecessor
        on bookings.rebooked_from_booking_key = predecessor.booking_key
    where predecessor.booking_key is null

),

walked as (

    select
        booking_key,
        booking_key as rebook_chain_id,
        0 as rebook_generation
    from roots

    union all

    select
        successor.booking_key,
        walked.rebook_chain_id,
        walked.rebook_generation + 1
    from walked
    inner join bookings as successor
        on successor.rebooked_from_booking_key = walked.booking_key
    -- a corrupt link loop cannot recurse for ever
    where walked.rebook_generation < 100

),

successors as (

    select
        rebooked_from_booking_key as booking_key,
        min(booking_key) as rebooked_to_booking_key
    from bookings
    where rebooked_from_booking_key is not null
    group by rebooked_from_booking_key

)

select
    walked.booking_key,
    walked.rebook_chain_id,
    walked.rebook_generation,
    count(*) over (partition by walked.rebook_chain_id) as rebook_chain_length,
    successors.rebooked_to_booking_key,
    successors.rebooked_to_booking_key is not null as is_rebooked
from walked
left join successors using (booking_key)
