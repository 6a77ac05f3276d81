{#- One row per resident action that replaces a phone call: a booking, rebooking
    or cancellation made in 1177 (fct_resident_actions) and a session that viewed
    Bokade tider (int_eservice__sessions; one per session however many views). Each
    carries its call-equivalence factor (calls avoided) and the minutes a call
    costs the resident and the staff: measured in the region's telephony that month
    for the matching Ärende where delivered, else the parameter valid that day
    (marts.estimate_parameters). An estimate: change the parameters, not this model. -#}
with digital_actions as (

    select region_code, action, action_date, month
    from {{ ref('fct_resident_actions') }}
    where is_digital

),

views as (

    select region_code, 'bokade_tider_view' as action, started_on as action_date, month
    from {{ ref('int_eservice__sessions') }}
    where has_bokade_tider_view and region_code is not null

),

actions as (

    select * from digital_actions
    union all
    select * from views

),

parameters as (

    select * from {{ ref('int_parameters_by_region') }}
    where parameter in (
        'call_equivalence_factor', 'resident_minutes_per_call', 'staff_handling_minutes_per_call'
    )

),

measured as (

    select * from {{ ref('int_phone__measured_call_minutes') }}

),

with_reason as (

    select
        *,
        case action
            when 'booking' then 'book'
            when 'rebooking' then 'rebook'
            when 'cancellation' then 'cancel'
            when 'bokade_tider_view' then 'booking_lookup'
        end as call_reason
    from actions

)

select
    with_reason.region_code,
    with_reason.month,
    with_reason.action,
    with_reason.action_date,
    with_reason.call_reason,
    cast(coalesce(factor.value, 0) as double) as calls_avoided,
    cast(coalesce(measured.resident_minutes_per_call, resident.value) as double)
        as resident_minutes_per_call,
    measured.resident_minutes_per_call is not null as is_resident_minutes_measured,
    cast(coalesce(measured.staff_minutes_per_call, staff.value) as double)
        as staff_minutes_per_call,
    measured.staff_minutes_per_call is not null as is_staff_minutes_measured
from with_reason
left join parameters as factor
    on factor.parameter = 'call_equivalence_factor'
    and factor.region_code = with_reason.region_code
    and factor.qualifier = with_reason.action
    and with_reason.action_date >= factor.valid_from
    and (factor.valid_until is null or with_reason.action_date < factor.valid_until)
left join parameters as resident
    on resident.parameter = 'resident_minutes_per_call'
    and resident.qualifier = ''
    and resident.region_code = with_reason.region_code
    and with_reason.action_date >= resident.valid_from
    and (resident.valid_until is null or with_reason.action_date < resident.valid_until)
left join parameters as staff
    on staff.parameter = 'staff_handling_minutes_per_call'
    and staff.qualifier = ''
    and staff.region_code = with_reason.region_code
    and with_reason.action_date >= staff.valid_from
    and (staff.valid_until is null or with_reason.action_date < staff.valid_until)
left join measured
    on measured.region_code = with_reason.region_code
    and measured.month = with_reason.month
    and measured.reason = with_reason.call_reason
