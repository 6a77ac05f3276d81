{#- Patient cancellations made in 1177 / all patient cancellations (a
    cancellation that was rebooked counts as a rebooking instead), by region ×
    month of the cancellation × care service. -#}
with cancellations as (

    select * from {{ ref('fct_bookings') }}
    where is_patient_cancellation

)

select
    region_code,
    cancellation_month as month,
    coalesce(care_service, 'unknown') as care_service,
    {{ ratio_measures('is_digital_cancellation') }}
from cancellations
group by 1, 2, 3
