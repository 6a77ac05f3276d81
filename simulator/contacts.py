"""Contacts around the booking: phone calls to the clinics and sessions in the 1177
e-services, both following from what residents do with their bookings.

Calls: every booking, rebooking or patient cancellation made by phone is a call
(Ärende Boka, Omboka, Avboka), some calls to book end without a booking, and
residents call to ask about an upcoming booking (Fråga om bokad tid) unless they
can see it in Bokade tider (the planted effect); advice and other calls are
background. E-service sessions: each view of Bokade tider, each digital booking,
rebooking and cancellation, rejected self-service attempts, triage and jumps
out to external booking services.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from simulator.aggregation import CONSUMER_1177_BOKADE_TIDER
from simulator.batch import Batch, month_ends, month_of
from simulator.bookings import CANCELLED_BY_PATIENT, MINUTES_PER_DAY, REBOOKED, weekday
from simulator.care_catalogue import CHANNEL_INDEX, TIME_TYPES
from simulator.textformat import uuid_like

REASONS = ("Boka", "Omboka", "Avboka", "Fråga om bokad tid", "Rådgivning", "Övrigt")
QUEUE = {"Boka": "Tidsbokning", "Omboka": "Tidsbokning", "Avboka": "Tidsbokning",
         "Fråga om bokad tid": "Tidsbokning", "Rådgivning": "Sjukvårdsrådgivning",
         "Övrigt": "Växel"}
CONSUMER_1177_WEBBTIDBOK = "T-SERVICES-SE165565594230-10JQ"
_PHONE = CHANNEL_INDEX["phone"]
_ESERVICE = CHANNEL_INDEX["eservice"]
_THIRD_PARTY = CHANNEL_INDEX["third_party_app"]


@dataclass
class Calls:
    counts: pl.DataFrame  # day, unit_idx, reason, calls (calls that got through)
    lookups: pl.DataFrame  # month, region, calls_potential, calls, treated_potential, treated


def _office_minute(minute: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The call moment moved into office hours (08-16 on a weekday)."""
    day = minute // MINUTES_PER_DAY
    wd = weekday(day)
    day = day + np.where(wd >= 5, 7 - wd, 0)
    return day * MINUTES_PER_DAY + 480 + rng.integers(0, 480, size=len(minute))


def simulate_calls(batch: Batch) -> Calls:
    world, params = batch.world, batch.world.params
    rng = batch.rng("phone-calls")
    b = batch.bookings
    cutoff = world.cutoff
    parts = []
    booked_at = b["booked_at"].to_numpy()
    unit = b["unit_idx"].to_numpy()
    channel = b["channel"].to_numpy()
    generation = b["generation"].to_numpy()
    # Booking by phone (a first booking or a refill), and calls to book that failed.
    phone_booking = (channel == _PHONE) & (generation == 0)
    failed = rng.poisson(params.failed_booking_calls_per_phone_booking, size=b.height)
    parts.append(("Boka", booked_at, unit, np.where(phone_booking, 1 + failed, 0)))
    parts.append(("Omboka", booked_at, unit, ((channel == _PHONE) & (generation > 0)).astype(
        np.int64)))
    fate = b["fate"].to_numpy()
    fate_at = b["fate_at"].to_numpy()
    action = b["action_channel"].to_numpy()
    cancel = (fate == CANCELLED_BY_PATIENT) & (action == _PHONE) & (fate_at <= cutoff)
    parts.append(("Avboka", fate_at, unit, cancel.astype(np.int64)))

    # Questions about an upcoming booking, fewer where the unit shows it in Bokade tider.
    until = np.minimum(b["until"].to_numpy(), cutoff + 1)
    potential = rng.poisson(params.lookup_calls_per_booking, size=b.height)
    potential[until <= booked_at] = 0
    source = np.repeat(np.arange(b.height), potential)
    moment = booked_at[source] + (rng.random(len(source)) * (until - booked_at)[source]).astype(
        np.int64)
    moment = _office_minute(moment, rng)
    inside = moment < np.minimum(until[source], cutoff + 1)
    source, moment = source[inside], moment[inside]
    effect = params.planted_effects["booking_lookup_calls"]
    treated = world.rollout.live(unit[source], effect["service"], moment)
    keep = rng.random(len(source)) < np.where(treated, 1.0 + effect["relative"], 1.0)
    parts.append(("Fråga om bokad tid", moment[keep], unit[source][keep],
                  np.ones(int(keep.sum()), dtype=np.int64)))
    lookups = pl.DataFrame({"m": moment, "treated": treated, "kept": keep}).with_columns(
        month_of(pl.col("m")).alias("month")).group_by("month").agg(
        pl.len().alias("calls_potential"), pl.col("kept").sum().alias("calls"),
        pl.col("treated").sum().alias("treated_potential"),
        (pl.col("treated") & pl.col("kept")).sum().alias("treated_calls"),
    ).with_columns(pl.lit(batch.region).alias("region")).sort("month")

    frames = []
    for reason, at, where, count in parts:
        rows = np.flatnonzero(count > 0)
        frames.append(pl.DataFrame({
            "day": at[rows] // MINUTES_PER_DAY, "unit_idx": where[rows],
            "reason": reason, "calls": count[rows].astype(np.int64)}))
    counts = (pl.concat(frames).group_by("day", "unit_idx", "reason")
              .agg(pl.col("calls").sum()).sort("day", "unit_idx", "reason"))
    return Calls(counts, lookups.select("month", "region", "calls_potential", "calls",
                                        "treated_potential", "treated_calls"))


def background_calls(world, region: str) -> pl.DataFrame:
    """Advice and other calls per care unit and weekday (once per region), in proportion
    to the unit's expected bookings."""
    from simulator.world import BOOKINGS_PER_CHAIN

    params = world.params
    rng = np.random.default_rng(np.random.SeedSequence([world.seed, int(region), 0xCA11]))
    units = world.units.region_units(region)
    days = np.arange(world.first_day, world.last_day + 1)
    days = days[weekday(days) < 5]
    capacity = units["capacity"].to_numpy()
    per_day = (world.chains_per_region[region] * BOOKINGS_PER_CHAIN * capacity
               / capacity.sum() / len(days))
    frames = []
    for reason, rate in params.background_calls_per_booking.items():
        count = rng.poisson(np.outer(np.ones(len(days)), per_day * rate))
        day_idx, unit_pos = np.nonzero(count)
        frames.append(pl.DataFrame({
            "day": days[day_idx], "unit_idx": units["unit_idx"].to_numpy()[unit_pos],
            "reason": reason, "calls": count[day_idx, unit_pos].astype(np.int64)}))
    return pl.concat(frames)


def telephony_rows(world, region: str, counts: pl.DataFrame) -> pl.DataFrame:
    """Queue statistics per day, unit, queue and reason from the calls that got through."""
    params = world.params
    rng = np.random.default_rng(np.random.SeedSequence([world.seed, int(region), 0x7E1E]))
    counts = (counts.group_by("day", "unit_idx", "reason").agg(pl.col("calls").sum())
              .filter((pl.col("day") >= world.first_day) & (pl.col("day") <= world.last_day))
              .sort("day", "unit_idx", "reason"))
    answered = counts["calls"].to_numpy()
    share = params.phone_abandon_share
    abandoned = rng.poisson(answered * share / (1.0 - share))
    callbacks = rng.binomial(answered, params.callback_share)
    seconds = params.phone_seconds
    wait = seconds["wait_median"] * np.exp(rng.normal(0.0, seconds["wait_sigma"], len(answered)))
    talk_base = np.array([seconds["talk"][r] for r in counts["reason"].to_list()])
    talk = talk_base * np.exp(rng.normal(0.0, 0.2, len(answered)))
    return counts.with_columns(
        pl.Series("offered", answered + abandoned), pl.Series("answered", answered),
        pl.Series("callbacks", callbacks), pl.Series("wait", np.round(wait, 1)),
        pl.Series("talk", np.round(talk, 1)),
        pl.col("reason").replace_strict(QUEUE).alias("queue"))


def upcoming_per_month(batch: Batch) -> pl.DataFrame:
    """Bookings upcoming at some moment of each month (the denominator of lookup calls)."""
    rows = []
    first = batch.world.first_day * MINUTES_PER_DAY
    for month, end in month_ends(batch.world):
        start = max(first, _month_start(month))
        n = batch.bookings.select(((pl.col("booked_at") <= end) & (pl.col("until") > start)
                                   & (pl.col("until") > pl.col("booked_at"))).sum()).item()
        rows.append((month, batch.region, int(n)))
    return pl.DataFrame(rows, orient="row", schema={"month": pl.String, "region": pl.String,
                                                    "upcoming": pl.Int64})


def _month_start(month: str) -> int:
    return int(np.datetime64(month, "M").astype("datetime64[D]").astype(np.int64)) * MINUTES_PER_DAY


# ----------------------------------------------------------------------------- e-services


@dataclass
class Sessions:
    events: pl.DataFrame  # one row per e-service event
    jump_outs: pl.DataFrame  # month, region, sessions, dead_ends


_EVENT_COLUMNS = {"session": pl.Int64, "minute": pl.Int64, "second": pl.Int64, "order": pl.Int64,
                  "service": pl.String, "event": pl.String, "booking": pl.Int64,
                  "result": pl.String}


def simulate_sessions(batch: Batch, requests: pl.DataFrame) -> Sessions:
    """E-service events of the batch's residents; `requests` are its Bokade tider views."""
    world, params = batch.world, batch.world.params
    es = params.eservice
    rng = batch.rng("eservice-sessions")
    b = batch.bookings
    n = b.height
    eligible = (b["national_id"] & (b["age"] >= params.view_min_age)).to_numpy()
    booked = b["booked_at"].to_numpy()
    channel = b["channel"].to_numpy()
    generation = b["generation"].to_numpy()
    fate = b["fate"].to_numpy()
    fate_at = b["fate_at"].to_numpy()
    action = b["action_channel"].to_numpy()
    start = b["start_at"].to_numpy()
    cutoff = world.cutoff
    # Draw every random number up front, one per booking, so the streams do not depend
    # on which sessions exist.
    u = rng.random((n, 8))
    lag = rng.integers(1, 7, size=(n, 4))
    secs = rng.integers(0, 60, size=(n, 6))
    abandoned = rng.poisson((1.0 - es["booking_completion"]) / es["booking_completion"],
                            size=n)
    triage_extra = rng.poisson(es["triage_sessions_per_digital_referral"], size=n)
    jumps_extra = rng.poisson(es["extra_jump_outs_per_third_party_booking"], size=n)

    events: list[dict[str, np.ndarray]] = []
    next_session = [0]

    def session_ids(rows: np.ndarray) -> np.ndarray:
        ids = np.arange(next_session[0], next_session[0] + len(rows))
        next_session[0] += len(rows)
        return ids

    def add(session, minute, second, order, service, event, booking, result="OK"):
        k = len(session)
        events.append({"session": session, "minute": minute, "second": second,
                       "order": np.full(k, order), "service": np.full(k, service, dtype=object),
                       "event": np.full(k, event, dtype=object), "booking": booking,
                       "result": np.full(k, result, dtype=object)})

    # Digital bookings: search, start (or start from a past booking), complete.
    rows = np.flatnonzero(eligible & (channel == _ESERVICE) & (generation == 0))
    s = session_ids(rows)
    again = u[rows, 0] < es["book_again_share"]
    add(s, booked[rows] - lag[rows, 0], secs[rows, 0], 0, "webbtidbok", "search_slots", rows)
    for flag, name in ((~again, "book_started"), (again, "book_again_started")):
        add(s[flag], booked[rows][flag] - 1, secs[rows, 1][flag], 1, "webbtidbok", name,
            rows[flag])
    add(s, booked[rows], secs[rows, 2], 2, "webbtidbok", "book_completed", rows)
    cal = u[rows, 1] < es["calendar_share"]
    add(s[cal], booked[rows][cal] + 1, secs[rows, 3][cal], 3, "webbtidbok", "add_to_calendar",
        rows[cal])
    # Abandoned booking attempts around the same time.
    rep = np.repeat(rows, abandoned[rows])
    s = session_ids(rep)
    offset = (rng.integers(-600, 600, size=len(rep)))
    add(s, booked[rep] + offset, rng.integers(0, 60, size=len(rep)), 0, "webbtidbok",
        "search_slots", rep)
    add(s, booked[rep] + offset + 2, rng.integers(0, 60, size=len(rep)), 1, "webbtidbok",
        "book_started", rep)

    # Digital rebookings and cancellations.
    rows = np.flatnonzero(eligible & (channel == _ESERVICE) & (generation > 0))
    add(session_ids(rows), booked[rows], secs[rows, 4], 0, "webbtidbok", "rebook_completed",
        rows)
    rows = np.flatnonzero(eligible & (fate == CANCELLED_BY_PATIENT) & (action == _ESERVICE)
                          & (fate_at <= cutoff))
    add(session_ids(rows), fate_at[rows], secs[rows, 4], 0, "webbtidbok", "cancel_completed",
        rows)
    # Rejected self-service attempts before a cancellation by phone.
    threshold = np.where(b["specialist_care"].to_numpy(), batch.profile.late_threshold_hours[1],
                         batch.profile.late_threshold_hours[0]) * 60
    by_phone = eligible & np.isin(fate, [CANCELLED_BY_PATIENT, REBOOKED]) & (
        action != _ESERVICE) & (fate_at <= cutoff)
    late = by_phone & (start - fate_at < threshold) & (
        u[:, 2] < es["too_late_cancel_attempt_share"])
    not_live = by_phone & ~late & ~world.rollout.live(b["unit_idx"].to_numpy(), "avboka",
                                                      fate_at) & (
        u[:, 3] < es["cancel_not_allowed_attempt_share"])
    for mask, code in ((late, "TOO_LATE_TO_CANCEL_APPOINTMENT"),
                       (not_live, "CANCEL_IS_NOT_ALLOWED")):
        rows = np.flatnonzero(mask)
        add(session_ids(rows), fate_at[rows] - lag[rows, 1], secs[rows, 5], 0, "webbtidbok",
            "error", rows, code)

    # Triage before digital referral bookings, and other triage sessions.
    referral = b["referral"].to_numpy() & (generation == 0)
    rows = np.flatnonzero(eligible & referral & (channel == _ESERVICE))
    s = session_ids(rows)
    before = booked[rows] - 60 * lag[rows, 2]
    add(s, before, secs[rows, 0], 0, "triage", "triage_started", rows)
    add(s, before + 3, secs[rows, 1], 1, "triage", "triage_completed", rows)
    add(s, before + 4, secs[rows, 2], 2, "triage", "referral_issued", rows)
    rep = np.repeat(rows, triage_extra[rows])
    s = session_ids(rep)
    when = booked[rep] - rng.integers(60, 20 * 1440, size=len(rep))
    completed = rng.random(len(rep)) < 0.8
    issued = completed & (rng.random(len(rep)) < es["referral_after_triage"])
    add(s, when, rng.integers(0, 60, size=len(rep)), 0, "triage", "triage_started", rep)
    add(s[completed], when[completed] + 4, rng.integers(0, 60, size=int(completed.sum())), 1,
        "triage", "triage_completed", rep[completed])
    add(s[issued], when[issued] + 5, rng.integers(0, 60, size=int(issued.sum())), 2, "triage",
        "referral_issued", rep[issued])

    # Jumps out to an external booking service: with a third-party booking, or not.
    rows = np.flatnonzero(eligible & (channel == _THIRD_PARTY) & (generation == 0))
    rep = np.repeat(rows, jumps_extra[rows])
    out_rows = np.concatenate([rows, rep])
    s = session_ids(out_rows)
    when = np.concatenate([booked[rows] - lag[rows, 3],
                           booked[rep] - rng.integers(60, 10 * 1440, size=len(rep))])
    returned = rng.random(len(out_rows)) >= es["jump_out_dead_end_share"]
    add(s, when, rng.integers(0, 60, size=len(out_rows)), 0, "uthopp", "jump_out", out_rows)
    back = when + np.where(np.arange(len(out_rows)) < len(rows), lag[out_rows, 0] + 1, 3)
    add(s[returned], back[returned], rng.integers(0, 60, size=int(returned.sum())), 1,
        "uthopp", "return_from_jump_out", out_rows[returned])
    # A return after the cutoff is not delivered yet: a dead end as far as the files say.
    jump = pl.DataFrame({"minute": when, "dead": ~returned | (back > cutoff)})

    frame = pl.concat([pl.DataFrame(e, schema=_EVENT_COLUMNS) for e in events])
    frame = frame.join(
        b.select("identity", "age", "unit_idx", "time_type").with_row_index("booking").with_columns(
            pl.col("booking").cast(pl.Int64)),
        on="booking", how="left", maintain_order="left")
    views = requests.select(
        pl.lit(-1, dtype=pl.Int64).alias("session"), pl.col("at").alias("minute"), "second",
        pl.lit(0, dtype=pl.Int64).alias("order"), pl.lit("bokade_tider").alias("service"),
        pl.lit("view_upcoming").alias("event"), pl.lit(None, dtype=pl.Int64).alias("booking"),
        pl.lit("OK").alias("result"), "identity", "age",
        pl.lit(None, dtype=pl.Int64).alias("unit_idx"),
        pl.lit(None, dtype=pl.Int64).alias("time_type"), "view")
    views = views.with_columns(
        (pl.col("view") + next_session[0]).alias("session")).drop("view")
    history = views.filter(pl.Series(rng.random(views.height) < es["view_history_share"])
                           ).with_columns(pl.lit("view_history").alias("event"),
                                          pl.lit(1, dtype=pl.Int64).alias("order"),
                                          ((pl.col("second") + 20) % 60).alias("second"),
                                          (pl.col("minute") + (pl.col("second") + 20) // 60)
                                          .alias("minute"))
    frame = pl.concat([frame, views, history], how="vertical_relaxed").filter(
        (pl.col("minute") >= world.first_day * MINUTES_PER_DAY) & (pl.col("minute") <= cutoff))
    frame = _finish_events(batch, frame)
    dead = (jump.filter((pl.col("minute") >= world.first_day * MINUTES_PER_DAY)
                        & (pl.col("minute") <= cutoff))
            .with_columns(month_of(pl.col("minute")).alias("month"))
            .group_by("month").agg(pl.len().alias("sessions"),
                                   pl.col("dead").sum().cast(pl.Int64).alias("dead_ends"))
            .with_columns(pl.lit(batch.region).alias("region"))
            .select("month", "region", pl.col("sessions").cast(pl.Int64), "dead_ends")
            .sort("month"))
    return Sessions(frame, dead)


def _finish_events(batch: Batch, frame: pl.DataFrame) -> pl.DataFrame:
    """Ids, authentication method and unit of each event, in time order."""
    params = batch.world.params
    rng = batch.rng("eservice-auth")
    sessions = frame.select("session", "age").unique("session", keep="first").sort("session")
    methods = params.auth_methods
    age = sessions["age"].to_numpy()
    group = np.where(age >= 65, "65+", np.where(age >= 30, "30-64", "16-29"))
    u = rng.random(sessions.height)
    auth = np.empty(sessions.height, dtype=object)
    for name, table in methods.items():
        rows = group == name
        cdf = np.cumsum(list(table.values()))
        auth[rows] = np.array(list(table), dtype=object)[
            np.minimum(np.searchsorted(cdf / cdf[-1], u[rows], side="right"), len(cdf) - 1)]
    base = (np.uint64(int(batch.region)) << np.uint64(56)) + (np.uint64(batch.chunk.index)
                                                              << np.uint64(48))
    sessions = sessions.with_columns(
        pl.Series("authMethod", auth, dtype=pl.String),
        uuid_like(base + sessions["session"].to_numpy().astype(np.uint64), 0x5E55).alias(
            "sessionId"))
    units = batch.world.units.units
    frame = (frame.join(sessions.select("session", "authMethod", "sessionId"), on="session",
                        how="left", maintain_order="left")
             .sort("minute", "second", "session", "order"))
    keys = base + np.arange(frame.height, dtype=np.uint64)
    return frame.with_columns(
        uuid_like(keys, 0xE7E7).alias("eventId"),
        (pl.col("minute") // MINUTES_PER_DAY).alias("day"),
        pl.lit(units["hsa_id"]).gather(pl.col("unit_idx")).alias("unitHsaId"),
        pl.lit(pl.Series([t.code for t in TIME_TYPES])).gather(pl.col("time_type"))
        .alias("timeTypeId"),
    )


__all__ = ["CONSUMER_1177_BOKADE_TIDER", "Calls", "Sessions", "simulate_calls",
           "simulate_sessions", "telephony_rows", "background_calls", "upcoming_per_month"]
