{#- Booking sessions in which the booking was completed (book_completed) /
    sessions that started a booking (book_started or book_again_started), by the
    resident's region × month the session started. -#}
with sessions as (

    select * from {{ ref('int_eservice__sessions') }}
    where has_booking_start and region_code is not null

)

select
    region_code,
    month,
    {{ ratio_measures('has_booking_completed') }}
from sessions
group by 1, 2
