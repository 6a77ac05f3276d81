"""Entry point: build the world for a scale and seed, write every feed and the ground truth.

Regions are simulated and written one at a time, a big region in chunks of its
residents (the scale's chunk_bookings), so memory holds one chunk's bookings and
the national files of a day are appended to region by region. National
catalogues (units, connections, population) and the platform statistics are
written once; file defects are applied when every file is complete.
"""

from __future__ import annotations

import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from simulator.aggregation import simulate_aggregation
from simulator.batch import make_batch
from simulator.capacity import SLOT_KEYS, slot_counts, timeslot_rows
from simulator.contacts import (
    background_calls,
    simulate_calls,
    simulate_sessions,
    telephony_rows,
    upcoming_per_month,
)
from simulator.defects import DefectLog, defect_rates
from simulator.feeds import (
    aggregator,
    booking_aggregates,
    booking_csv,
    booking_events,
    booking_fhir,
    connections,
    engagement_index,
    eservice_events,
    hsa_units,
    population,
    telephony,
    timeslots,
)
from simulator.feeds.files import Delivery
from simulator.feeds.platform_stats import PlatformCalls
from simulator.ground_truth import GroundTruth, write_ground_truth
from simulator.parameters import WorldParameters, preset
from simulator.world import World, build_world, next_bases


class _Clock:
    """Wall and CPU seconds spent per feed (and in the world model), for the benchmark."""

    def __init__(self):
        self.seconds: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)
        self._last = time.perf_counter()
        self._last_cpu = time.process_time()

    def lap(self, name: str) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        self.seconds[name] += now - self._last
        self.cpu[name] += cpu - self._last_cpu
        self._last, self._last_cpu = now, cpu


FEEDS = ("booking_csv", "booking_events", "booking_fhir", "booking_aggregates", "timeslots",
         "aggregator_requests", "aggregator_responses", "engagement_index", "platform_stats",
         "telephony", "eservice_events", "connections", "hsa_units", "population")


def simulate(out: Path, scale: str = "tiny", seed: int = 1,
             params: WorldParameters | None = None, profile: str | None = None,
             regions: list[str] | None = None,
             feeds: list[str] | None = None) -> dict[str, Any]:
    """Write the landing layout `out/<feed>/<region or national>/<file>` and
    `out/ground_truth.json`; return a summary (files and rows per feed, bookings, seconds).

    `profile` names a parameter preset (parameters.PRESETS: clean, realistic, messy,
    no_effect) used when `params` is not given. `regions` limits the run to some
    regions (benchmarks); the catalogues stay national. `feeds` limits which feeds are
    written (default: every feed of SOURCES.md); the ground truth is always complete.
    Files already in `out` are overwritten, not removed.
    """
    started = time.perf_counter()
    clock = _Clock()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if params is None:
        params = preset(profile) if profile else WorldParameters()
    world = build_world(scale, seed, params)
    clock.lap("world")
    log = DefectLog(defect_rates(params))
    unknown = set(feeds or ()) - set(FEEDS)
    if unknown:
        raise ValueError(f"unknown feeds {sorted(unknown)}; known: {', '.join(FEEDS)}")
    delivery = Delivery(out, log, seed, wanted=set(feeds or FEEDS))
    truth = GroundTruth(world)
    platform = PlatformCalls()

    if delivery.wants("hsa_units"):
        hsa_units.write_hsa_units(delivery, world.units)
    if delivery.wants("connections"):
        connections.write_connections(delivery, world)
    if delivery.wants("population"):
        population.write_population(delivery, world)
    clock.lap("catalogues")
    for region in world.regions:
        if regions is not None and region.code not in regions:
            continue
        _simulate_region(world, region.code, delivery, truth, platform, clock)
    if delivery.wants("platform_stats"):
        platform.write(delivery, world)
    clock.lap("platform_stats")
    delivery.finish()
    clock.lap("file_defects")
    feeds = delivery.summary()
    truth.add_feeds(feeds)
    truth.add_defects(log, delivery.gaps)
    write_ground_truth(out, truth)
    clock.lap("ground_truth")

    return {
        "out": str(out),
        "scale": world.scale.name,
        "seed": seed,
        "files": {**{feed: entry["files"] for feed, entry in feeds.items()}, "ground_truth": 1},
        "rows": {feed: entry["rows"] for feed, entry in feeds.items()},
        "bookings": truth.counts["bookings"],
        "care_units": world.units.units.height,
        "residents": world.residents.frame.height,
        "defects_injected": len(log.injected),
        "seconds_by_step": {k: round(v, 3) for k, v in sorted(clock.seconds.items())},
        "cpu_seconds_by_step": {k: round(v, 3) for k, v in sorted(clock.cpu.items())},
        "seconds": round(time.perf_counter() - started, 3),
    }


def _simulate_region(world: World, code: str, delivery: Delivery, truth: GroundTruth,
                     platform: PlatformCalls, clock: _Clock) -> None:
    profile = world.profiles[code]
    shape = profile.time_book_shape
    chunks = world.chunks(code)
    # Per-region sums, merged after each chunk so a big region's memory stays bounded.
    slots = calls = counts = None
    base: tuple[int | None, int] = (None, 0)
    for chunk in chunks:
        bookings = world.chunk_bookings(chunk, *base)
        base = next_bases(bookings)
        batch = make_batch(world, chunk, bookings)
        first = chunk.index == 0
        truth.add_batch(batch)
        clock.lap("world")
        if not delivery.wants(shape) and shape != "booking_aggregates":
            pass
        elif shape == "booking_csv":
            rows = booking_csv.extract_rows(bookings, batch.versions, world.units,
                                            chunk.residents)
            booking_csv.write_region_extracts(delivery, profile, rows, world.first_day,
                                              world.last_day, create_all=first,
                                              redeliveries=len(chunks) == 1)
        elif shape == "booking_events":
            booking_events.write_events(delivery, batch, create_all=first)
        elif shape == "booking_fhir":
            booking_fhir.write_appointments(delivery, batch, create_all=first)
        else:
            counts = _merge(counts, booking_aggregates.appointment_counts(batch),
                            booking_aggregates.KEYS, ["count"])
            if delivery.wants(shape):
                _log_counted_late_outcomes(delivery, batch)
        clock.lap(shape)
        aggregation = simulate_aggregation(batch)
        truth.add_aggregation(batch, aggregation)
        clock.lap("world")
        if delivery.wants("engagement_index"):
            engagement_index.write_updates(delivery, world, aggregation)
            clock.lap("engagement_index")
        if delivery.wants("aggregator_requests"):
            aggregator.write_requests(delivery, world, aggregation)
            clock.lap("aggregator_requests")
        if delivery.wants("aggregator_responses"):
            aggregator.write_responses(delivery, world, aggregation)
            clock.lap("aggregator_responses")
        platform.add_aggregation(aggregation, batch.rng("platform-aggregator"))
        phone = simulate_calls(batch)
        truth.add_calls(phone, upcoming_per_month(batch))
        calls = _merge(calls, phone.counts, ["day", "unit_idx", "reason"], ["calls"])
        sessions = simulate_sessions(batch, aggregation.requests)
        truth.add_sessions(sessions)
        platform.add_eservice(sessions.events, world.rollout, batch.rng("platform-eservice"))
        slots = _merge(slots, slot_counts(batch), SLOT_KEYS, ["booked", "held_at_start"])
        clock.lap("world")
        if delivery.wants("eservice_events"):
            eservice_events.write_events(delivery, world, code, sessions, create_all=first)
            clock.lap("eservice_events")
        del batch, bookings, aggregation, sessions
    if counts is not None and delivery.wants("booking_aggregates"):
        booking_aggregates.write_aggregates(delivery, world, code, counts)
        clock.lap("booking_aggregates")
    if delivery.wants("timeslots"):
        timeslots.write_timeslots(delivery, world, code, timeslot_rows(world, slots))
        clock.lap("timeslots")
    phone_rows = telephony_rows(world, code, pl.concat([calls, background_calls(world, code)],
                                                       how="vertical_relaxed"))
    truth.add_telephony(code, phone_rows)
    if delivery.wants("telephony"):
        telephony.write_telephony(delivery, world, code, phone_rows)
        clock.lap("telephony")



def _log_counted_late_outcomes(delivery: Delivery, batch) -> None:
    """Late outcomes of a region that delivers counts: in its month's file, no line."""
    late = batch.bookings.filter((pl.col("late_outcome_days") > 0)
                                 & (pl.col("fate_at") <= batch.world.cutoff))
    for booking, start, days in late.select("booking_id", "start_at",
                                            "late_outcome_days").iter_rows():
        month = str(np.datetime64(start // 1440, "D").astype("datetime64[M]"))
        name = f"tidbok_aggregat_{batch.region}_{month}.csv"
        delivery.mark_damaged(delivery.path(booking_aggregates.FEED, batch.region, name))
        delivery.log.add("late_outcome", booking_aggregates.FEED,
                         f"{booking_aggregates.FEED}/{batch.region}/{name}", "loaded",
                         key=booking, days_after_visit=int(days),
                         note="counted in the month's cells; no line of its own")


def _merge(total: pl.DataFrame | None, part: pl.DataFrame, keys: list[str],
           values: list[str]) -> pl.DataFrame:
    """Add `part` to a running sum by `keys` (order is fixed by the writers' sorts)."""
    if total is None:
        return part
    return (pl.concat([total, part], how="vertical_relaxed").group_by(keys)
            .agg(pl.col(v).sum() for v in values))
