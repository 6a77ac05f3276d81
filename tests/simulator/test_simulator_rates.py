"""Simulated rates match their parameters within statistical tolerance: the aggregation
layer's imperfections, the planted effects of going live, the digital shift, refills,
dead ends; and the 'no_effect' preset plants nothing.

A world of 150 000 bookings is simulated in memory (no files). Each check compares
an observed count with its expectation from the probabilities the world drew with,
within four standard errors."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import polars as pl
import pytest

from simulator.aggregation import simulate_aggregation
from simulator.batch import make_batch
from simulator.bookings import CANCELLED_BY_PATIENT, CHANNEL_INDEX
from simulator.contacts import simulate_calls, simulate_sessions
from simulator.parameters import WorldParameters, preset
from simulator.rollout import NEVER
from simulator.scales import get_scale
from simulator.world import build_world


def within(observed: float, expected: float, variance: float, sigmas: float = 4.0) -> bool:
    return abs(observed - expected) <= sigmas * np.sqrt(max(variance, 1e-9))


@pytest.fixture(scope="module")
def world_batches() -> dict[str, Any]:
    scale = dataclasses.replace(get_scale("tiny"), name="test-150k", bookings=150_000,
                                max_units_per_region=12)
    world = build_world(scale, seed=5)
    batches, aggregations, calls, sessions = [], [], [], []
    for region in world.regions:
        chunk = world.chunks(region.code)[0]
        batch = make_batch(world, chunk, world.chunk_bookings(chunk))
        aggregation = simulate_aggregation(batch)
        batches.append(batch)
        aggregations.append(aggregation)
        calls.append(simulate_calls(batch))
        sessions.append(simulate_sessions(batch, aggregation.requests))
    bookings = pl.concat([b.bookings for b in batches], how="vertical_relaxed")
    return {"world": world, "batches": batches, "aggregations": aggregations,
            "calls": calls, "sessions": sessions, "bookings": bookings}


def test_engagement_index_misses_its_share(world_batches: dict[str, Any]) -> None:
    world, b = world_batches["world"], world_batches["bookings"]
    rollout = world.rollout
    unit = b["unit_idx"].to_numpy()
    first_day = rollout.indexed_from_day(unit)
    index_at = np.maximum(b["booked_at"].to_numpy(),
                          np.where(first_day >= NEVER, NEVER, first_day * 1440 + 360))
    eligible = (b["national_id"].to_numpy() & rollout.tidbok_connected[b["tidbok_idx"]]
                & (index_at < b["until"].to_numpy()) & (index_at <= world.cutoff))
    created = set(pl.concat([a.ei_updates.filter(~pl.col("delete"))["booking_id"]
                             for a in world_batches["aggregations"]]).to_list())
    indexed = b["booking_id"].is_in(list(created)).to_numpy()
    assert not (indexed & ~eligible).any()  # only what should be indexed is
    n, missed = int(eligible.sum()), int((eligible & ~indexed).sum())
    share = world.params.ei_miss_share
    assert n > 20_000 and within(missed, n * share, n * share * (1 - share))


def test_source_calls_fail_at_their_systems_rates(world_batches: dict[str, Any]) -> None:
    world = world_batches["world"]
    for status, name in (("ERROR", "error_rate"), ("TIMEOUT", "timeout_rate")):
        observed, expected, variance = 0, 0.0, 0.0
        for batch, aggregation in zip(world_batches["batches"], world_batches["aggregations"],
                                      strict=True):
            calls = aggregation.source_calls
            system = world.rollout.unit_system[calls["unit_idx"].to_numpy()]
            rate = np.array([getattr(s, name) for s in batch.profile.source_systems])[system]
            observed += int((calls["status"] == status).sum())
            expected += rate.sum()
            variance += (rate * (1 - rate)).sum()
        assert expected > 20 and within(observed, expected, variance), status
    latency = pl.concat([a.source_calls for a in world_batches["aggregations"]])
    ok = latency.filter(pl.col("status") == "OK")["ms"]
    assert 150 < ok.median() < 800 and ok.max() < world.params.source_latency_ms["timeout_ms"]


def test_planted_no_show_effect(world_batches: dict[str, Any]) -> None:
    world = world_batches["world"]
    effect = world.params.planted_effects["no_show"]
    visits = pl.concat([b.known for b in world_batches["batches"]], how="vertical_relaxed"
                       ).filter(pl.col("status").is_in(["attended", "no_show"]))
    treated = world.rollout.live(visits["unit_idx"].to_numpy(), effect["service"],
                                 visits["start_at"].to_numpy())
    missed = (visits["status"] == "no_show").to_numpy()
    p1, p0 = visits["p_no_show"].to_numpy(), visits["p_no_show0"].to_numpy()
    observed = missed[treated].sum()
    variance = (p1[treated] * (1 - p1[treated])).sum()
    assert within(observed, p1[treated].sum(), variance)
    assert observed < p0[treated].sum() - 4 * np.sqrt(variance)  # the effect is visible
    assert within(missed[~treated].sum(), p0[~treated].sum(),
                  (p0[~treated] * (1 - p0[~treated])).sum())
    logit = lambda p: np.log(p / (1 - p))  # noqa: E731
    np.testing.assert_allclose(logit(p1[treated]) - logit(p0[treated]), effect["logit"])


def test_planted_late_cancellation_effect(world_batches: dict[str, Any]) -> None:
    world = world_batches["world"]
    share = world.params.late_cancellation_share
    relative = world.params.planted_effects["late_cancellation"]["relative"]
    rows = []
    for batch in world_batches["batches"]:
        primary, specialist = batch.profile.late_threshold_hours
        rows.append(batch.bookings.filter((pl.col("fate") == CANCELLED_BY_PATIENT)
                                          & (pl.col("p_late0") < 1)).with_columns(
            (pl.when(pl.col("specialist_care")).then(specialist).otherwise(primary) * 60)
            .alias("threshold")))
    b = pl.concat(rows, how="vertical_relaxed")
    late = ((b["start_at"] - b["fate_at"]) < b["threshold"]).to_numpy()
    treated = (b["p_late"] != b["p_late0"]).to_numpy()
    for mask, p in ((~treated, share), (treated, share * (1 + relative))):
        n = int(mask.sum())
        assert n > 300 and within(late[mask].sum(), n * p, n * p * (1 - p)), p


def test_planted_lookup_call_effect(world_batches: dict[str, Any]) -> None:
    relative = world_batches["world"].params.planted_effects["booking_lookup_calls"]["relative"]
    lookups = pl.concat([c.lookups for c in world_batches["calls"]])
    n = int(lookups["treated_potential"].sum())
    kept = int(lookups["treated_calls"].sum())
    p = 1 + relative
    assert n > 1000 and within(kept, n * p, n * p * (1 - p))
    untreated = int((lookups["calls_potential"] - lookups["treated_potential"]).sum())
    assert int((lookups["calls"] - lookups["treated_calls"]).sum()) == untreated


def test_going_live_shifts_bookings_to_1177(world_batches: dict[str, Any]) -> None:
    world, b = world_batches["world"], world_batches["bookings"]
    shift = world.params.digital_shift["booking"]
    first = b.filter(pl.col("generation") == 0)
    unit, at = first["unit_idx"].to_numpy(), first["booked_at"].to_numpy()
    months = world.rollout.months_live(unit, shift["service"], at)
    live = world.rollout.live(unit, shift["service"], at)
    channel = first["channel"].to_numpy()
    shifted = first["shifted_to_1177"].to_numpy()
    movable = shifted | np.isin(channel, [CHANNEL_INDEX["phone"], CHANNEL_INDEX["front_desk"]])
    p = np.where(live, shift["uplift"] * np.minimum(1, months / shift["ramp_months"]), 0)
    assert not shifted[~live].any()
    assert (channel[shifted] == CHANNEL_INDEX["eservice"]).all()
    pm = p[movable]
    assert pm.sum() > 100 and within(shifted[movable].sum(), pm.sum(), (pm * (1 - pm)).sum())


def test_slot_refills_follow_their_curve(world_batches: dict[str, Any]) -> None:
    world = world_batches["world"]
    refill = world.params.slot_refill
    b = world_batches["bookings"]
    freed = b.filter(pl.col("cancel_at") <= world.cutoff)
    hours = ((freed["start_at"] - freed["cancel_at"]) / 60).to_numpy()
    p = np.where(hours >= refill["min_hours"],
                 refill["max"] * (1 - np.exp(-hours / refill["hours_scale"])), 0)
    # A refill made after the cutoff is not a booking yet: compare made-by-cutoff refills
    # with an upper bound, and all refills drawn with the expectation.
    refilled = freed["booking_id"].is_in(b["refill_of"].drop_nulls().implode()).to_numpy()
    assert refilled.sum() <= p.sum() + 4 * np.sqrt((p * (1 - p)).sum())
    assert refilled.sum() > 0.8 * p.sum()
    assert not refilled[hours < refill["min_hours"]].any()


def test_dead_ends_and_views(world_batches: dict[str, Any]) -> None:
    world = world_batches["world"]
    jumps = pl.concat([s.jump_outs for s in world_batches["sessions"]])
    n, dead = int(jumps["sessions"].sum()), int(jumps["dead_ends"].sum())
    p = world.params.eservice["jump_out_dead_end_share"]
    assert n > 500 and within(dead, n * p, n * p * (1 - p) + n * 0.002)
    b = world_batches["bookings"]
    views = sum(a.requests.height for a in world_batches["aggregations"])
    window = np.minimum(b["until"].to_numpy(), world.cutoff + 1) > b["booked_at"].to_numpy()
    eligible = (b["national_id"].to_numpy() & (b["age"].to_numpy() >= world.params.view_min_age)
                & window)
    rate = world.params.bokade_tider_views_per_booking * np.where(
        b["channel"].to_numpy() == CHANNEL_INDEX["eservice"], world.params.view_digital_factor, 1)
    expected = rate[eligible].sum()
    assert within(views, expected, expected)  # Poisson


def test_age_mix_and_booking_rates_by_age(world_batches: dict[str, Any]) -> None:
    world, b = world_batches["world"], world_batches["bookings"]
    residents = world.residents.frame
    per_resident = b.group_by("resident_idx").len("n")
    frame = residents.join(per_resident, on="resident_idx", how="left").with_columns(
        pl.col("n").fill_null(0), (pl.col("age") // 10).clip(0, 9).alias("decade"))
    rates = dict(frame.group_by("decade").agg(pl.col("n").mean()).iter_rows())
    propensity = list(world.params.booking_propensity_by_age.values())
    # Screening makes women 23-74 book a little more; the ratio old/young holds.
    assert rates[8] / rates[2] == pytest.approx(propensity[8] / propensity[2], rel=0.3)
    assert rates[7] > rates[3] > rates[1]


def test_no_effect_preset_plants_nothing() -> None:
    scale = dataclasses.replace(get_scale("tiny"), name="test-no-effect", bookings=30_000)
    world = build_world(scale, seed=5, params=preset("no_effect"))
    for code in ("01", "14", "12"):
        chunk = world.chunks(code)[0]
        batch = make_batch(world, chunk, world.chunk_bookings(chunk))
        visits = batch.known.filter(pl.col("status").is_in(["attended", "no_show"]))
        np.testing.assert_array_equal(visits["p_no_show"], visits["p_no_show0"])
        cancelled = batch.bookings.filter(pl.col("p_late").is_not_nan())
        np.testing.assert_array_equal(cancelled["p_late"], cancelled["p_late0"])
        lookups = simulate_calls(batch).lookups
        assert (lookups["treated_calls"] == lookups["treated_potential"]).all()
    assert WorldParameters().planted_effects != world.params.planted_effects
