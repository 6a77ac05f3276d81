{#- Views of upcoming (view_upcoming) and past (view_history) bookings in Bokade
    tider, by the resident's region × day × view type. -#}
with views as (

    select * from {{ ref('int_eservice__events') }}
    where event in ('view_upcoming', 'view_history') and region_code is not null

)

select
    region_code,
    event_date as day,
    event as view_type,
    cast(count(*) as bigint) as value
from views
group by 1, 2, 3
