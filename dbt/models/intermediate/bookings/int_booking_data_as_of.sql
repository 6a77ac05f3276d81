{#- When the booking data is complete to: the end of the latest extract day
    delivered. A booking still booked with a start before this has reached its
    start without a registered outcome yet (late_cancellation_rate's
    denominator counts it). One row. -#}
with versions as (

    select extract_date from {{ ref('int_booking_versions_ranked') }}

)

select
    cast({{ dbt.dateadd('day', 1, 'max(extract_date)') }} as timestamp) as data_as_of
from versions
