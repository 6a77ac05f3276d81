{#- Digital bookings (sessions with book_completed) the resident added to their
    own calendar (add_to_calendar) / digital bookings, by the resident's region ×
    month the session started. -#}
with sessions as (

    select * from {{ ref('int_eservice__sessions') }}
    where has_booking_completed and region_code is not null

)

select
    region_code,
    month,
    {{ ratio_measures('has_calendar_export') }}
from sessions
group by 1, 2
