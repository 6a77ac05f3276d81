{#- One row per e-service session (sessionId) with what happened in it. The
    session's region, age band, authentication method and month are those of its
    first event; jumped_out_at is its first jump_out. A dead end is a session with
    a jump_out and no return_from_jump_out (SOURCES.md 3b). A booking session
    started a booking (book_started or book_again_started); it is completed when
    book_completed follows in the same session. -#}
with events as (

    select * from {{ ref('int_eservice__events') }}

),

ordered as (

    select
        *,
        row_number() over (
            partition by session_id order by event_time, event_id
        ) as event_order
    from events

),

sessions as (

    select
        session_id,
        max(case when event_order = 1 then resident_pseudonym end) as resident_pseudonym,
        max(case when event_order = 1 then region_code end) as region_code,
        max(case when event_order = 1 then age_band end) as age_band,
        coalesce(
            max(case when event_order = 1 then auth_method end), max(auth_method)
        ) as auth_method,
        min(event_time) as started_at,
        min(case when event = 'jump_out' then event_time end) as jumped_out_at,
        count(*) as events,
        cast(sum(case when event = 'view_upcoming' then 1 else 0 end) as bigint)
            as views_upcoming,
        cast(sum(case when event = 'view_history' then 1 else 0 end) as bigint)
            as views_history,
        bool_or(event in ('book_started', 'book_again_started')) as has_booking_start,
        bool_or(event = 'book_again_started') as has_book_again_start,
        bool_or(event = 'book_completed') as has_booking_completed,
        bool_or(event = 'add_to_calendar') as has_calendar_export,
        bool_or(event = 'triage_started') as has_triage,
        bool_or(event = 'referral_issued') as has_referral,
        bool_or(event = 'jump_out') as has_jump_out,
        bool_or(event = 'return_from_jump_out') as has_return_from_jump_out
    from ordered
    group by session_id

)

select
    session_id,
    resident_pseudonym,
    region_code,
    age_band,
    coalesce(auth_method, 'other') as auth_method,
    started_at,
    cast(started_at as date) as started_on,
    cast({{ dbt.date_trunc('month', 'started_at') }} as date) as month,
    jumped_out_at,
    cast({{ dbt.date_trunc('month', 'jumped_out_at') }} as date) as jump_out_month,
    events,
    views_upcoming,
    views_history,
    views_upcoming + views_history > 0 as has_bokade_tider_view,
    has_booking_start,
    has_book_again_start,
    has_booking_completed,
    has_calendar_export,
    has_triage,
    has_referral,
    has_jump_out,
    has_return_from_jump_out,
    has_jump_out and not has_return_from_jump_out as is_dead_end
from sessions
