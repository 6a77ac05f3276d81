"""The rollout of the new booking services: which care unit goes live on which service when.

Units move through the onboarding pipeline (application, test, production) on
staggered dates; three regions never start (no letter of intent). The dates are
the natural experiment of METRICS.md F: a unit's go-live shifts its bookings to
1177 and carries the planted effects (bookings.py). This module also holds the
other unit-level traits of the aggregation layer: which time books are
connected, which booking system a unit runs, when a region stopped requiring a
reception relation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.parameters import WorldParameters
from simulator.regions import Region, RegionProfile
from simulator.scales import Scale
from simulator.seeding import rng_for
from simulator.units import UnitCatalogue

# The new booking services, in the order a unit usually takes them (SOURCES.md 3c `tjanst`).
SERVICES: tuple[str, ...] = ("se_bokade_tider", "avboka", "omboka", "boka")
SERVICE_INDEX = {name: i for i, name in enumerate(SERVICES)}
NEVER = np.iinfo(np.int64).max // 4  # "no such date": later than any time, in days or minutes
MINUTES_PER_DAY = 1440
_EPOCH_DAY = np.datetime64("1970-01-01", "D")
PRIVATE_PROVIDERS = ("Capio", "Praktikertjänst", "Aleris", "Kry", "Doktor.se", "Mediker")
_PRIVATE_SHARE = {"vardcentral": 0.35, "fysioterapi": 0.5}


@dataclass(frozen=True)
class Rollout:
    """Per care unit (row = unit_idx) and service (column = SERVICES index): days since
    1970-01-01, NEVER when the step did not happen (or happens after the cutoff)."""

    applied_day: np.ndarray
    test_day: np.ndarray
    production_day: np.ndarray
    ended_day: np.ndarray
    tidbok_connected: np.ndarray  # per Tidbok HSA-id (UnitCatalogue.tidbok_hsa)
    unit_system: np.ndarray  # index into the unit's region's RegionProfile.source_systems
    unit_provider: np.ndarray  # care provider name (vardgivare)
    unit_web_share: np.ndarray  # baseline share of slots open for web booking
    unit_utilisation: np.ndarray  # booked share of slots
    region_start_day: dict[str, int]  # first possible go-live during the period
    relation_lifted_day: dict[str, int]  # reception relation no longer required (or NEVER)
    cutoff_day: int

    # --- vectorised questions about units at given minutes --------------------------------
    def live(self, unit_idx: np.ndarray, service: str, minute: np.ndarray) -> np.ndarray:
        """Live (in production, not ended) on `service` at `minute`."""
        s = SERVICE_INDEX[service]
        day = np.asarray(minute) // MINUTES_PER_DAY
        return (self.production_day[unit_idx, s] <= day) & (day < self.ended_day[unit_idx, s])

    def months_live(self, unit_idx: np.ndarray, service: str, minute: np.ndarray) -> np.ndarray:
        """Months (30.44 days) since going live on `service`; 0 when not live."""
        s = SERVICE_INDEX[service]
        since = (np.asarray(minute) / MINUTES_PER_DAY - self.production_day[unit_idx, s]) / 30.44
        return np.where(self.live(unit_idx, service, minute), np.maximum(since, 0.0), 0.0)

    def indexed_from_day(self, unit_idx: np.ndarray) -> np.ndarray:
        """First day a unit's bookings are sent to Engagemangsindex and can be fetched by
        the aggregating service: its se_bokade_tider test (or production) day."""
        s = SERVICE_INDEX["se_bokade_tider"]
        return np.minimum(self.test_day[unit_idx, s], self.production_day[unit_idx, s])

    def reaching_ended_day(self, unit_idx: np.ndarray) -> np.ndarray:
        return self.ended_day[unit_idx, SERVICE_INDEX["se_bokade_tider"]]


def _weekday_on_or_after(day: np.ndarray) -> np.ndarray:
    weekday = (day + 3) % 7  # 0 = Monday; 1970-01-01 was a Thursday
    return day + np.where(weekday >= 5, 7 - weekday, 0)


def build_rollout(regions: list[Region], profiles: dict[str, RegionProfile],
                  units: UnitCatalogue, scale: Scale, params: WorldParameters,
                  seed: int) -> Rollout:
    epoch = np.datetime64("1970-01-01", "D")
    first_day = int((np.datetime64(scale.period_start, "D") - epoch).astype(np.int64))
    last_day = int((np.datetime64(scale.period_end, "D") - epoch).astype(np.int64))
    n_units = units.units.height
    shape = (n_units, len(SERVICES))
    applied = np.full(shape, NEVER, dtype=np.int64)
    tested = np.full(shape, NEVER, dtype=np.int64)
    production = np.full(shape, NEVER, dtype=np.int64)
    ended = np.full(shape, NEVER, dtype=np.int64)
    system = np.zeros(n_units, dtype=np.int64)
    provider = np.empty(n_units, dtype=object)
    web_share = np.zeros(n_units)
    utilisation = np.zeros(n_units)
    region_start: dict[str, int] = {}
    lifted: dict[str, int] = {}
    app_low, app_high = params.onboarding_days["application_to_test"]
    test_low, test_high = params.onboarding_days["test_to_production"]
    unit_region = units.units["region"].to_numpy()
    unit_type = units.units["unit_type"].to_numpy()

    for region in regions:
        rng = rng_for(seed, "rollout", region.code)
        profile = profiles[region.code]
        rows = np.flatnonzero(unit_region == region.code)
        n = len(rows)
        span = last_day - first_day
        start = first_day + int(rng.random() * params.rollout_region_start_spread * span)
        region_start[region.code] = start
        relation_draw = rng.random()
        shares = params.reception_relation_lifted
        if not profile.letter_of_intent or relation_draw >= shares["before"] + shares["during"]:
            lifted[region.code] = int(NEVER)
        elif relation_draw < shares["before"]:
            lifted[region.code] = first_day - int(rng.integers(30, 400))
        else:
            lifted[region.code] = first_day + int(rng.integers(0, span + 1))

        readiness = rng.random(n)
        system_p = np.array([s.share for s in profile.source_systems])
        system[rows] = rng.choice(len(system_p), size=n, p=system_p / system_p.sum())
        private = rng.random(n) < np.array([_PRIVATE_SHARE.get(t, 0.0) for t in unit_type[rows]])
        chain = rng.integers(0, len(PRIVATE_PROVIDERS), size=n)
        provider[rows] = np.where(private, np.array(PRIVATE_PROVIDERS, dtype=object)[chain],
                                  region.name)
        low, high = params.web_bookable_share["low"], params.web_bookable_share["high"]
        web_share[rows] = rng.uniform(low, high, size=n)
        web_share[rows] = np.round(web_share[rows], 6)
        utilisation[rows] = rng.uniform(*params.slot_utilisation, size=n)
        # Draws for every step are made whether or not they are used, so one service's
        # parameters do not shift the others' random numbers.
        jitter = rng.random((n, len(SERVICES)))
        before_days = rng.integers(30, 1100, size=(n, len(SERVICES)))
        test_gap = rng.integers(test_low, test_high + 1, size=(n, len(SERVICES)))
        app_gap = rng.integers(app_low, app_high + 1, size=(n, len(SERVICES)))
        pipeline_applied = rng.integers(first_day - 60, last_day - 4, size=(n, len(SERVICES)))
        pipeline_tested = rng.random((n, len(SERVICES))) < 0.5
        end_draw = rng.random((n, len(SERVICES)))
        end_at = rng.random((n, len(SERVICES)))
        if not profile.letter_of_intent:
            continue
        previous = np.full(n, -NEVER, dtype=np.int64)
        for s, service in enumerate(SERVICES):
            share = params.rollout[service]
            before, during, pipeline = (share["live_before"], share["live_during"],
                                        share["in_pipeline"])
            is_before = readiness < before
            is_during = ~is_before & (readiness < before + during)
            is_pipeline = ~is_before & ~is_during & (readiness < before + during + pipeline)
            fraction = np.clip((readiness - before) / max(during, 1e-12)
                               + (jitter[:, s] - 0.5) * 0.1, 0.0, 1.0)
            prod = np.full(n, NEVER, dtype=np.int64)
            prod[is_before] = first_day - before_days[is_before, s]
            prod[is_during] = _weekday_on_or_after(
                start + np.round(fraction[is_during] * (last_day - start)).astype(np.int64))
            live = is_before | is_during
            # A unit takes the services in order: never live on one before the previous.
            prod[live] = np.maximum(prod[live], np.where(previous[live] >= NEVER, prod[live],
                                                         previous[live]))
            prod[live & (prod > last_day)] = NEVER
            live = prod < NEVER
            test = np.where(live, prod - test_gap[:, s], NEVER)
            app = np.where(live, test - app_gap[:, s], NEVER)
            # Still in the pipeline at the cutoff: applied, maybe tested, not live.
            p_app = pipeline_applied[:, s]
            p_test = p_app + app_gap[:, s]
            app = np.where(is_pipeline, p_app, app)
            test = np.where(is_pipeline & pipeline_tested[:, s] & (p_test <= last_day), p_test,
                            test)
            ends = live & (end_draw[:, s] < params.connection_ended_share) & (prod < last_day)
            end_day = np.where(ends, prod + 1 + (end_at[:, s] * (last_day - prod)).astype(
                np.int64), NEVER)
            applied[rows, s], tested[rows, s] = app, test
            production[rows, s], ended[rows, s] = prod, end_day
            previous = np.where(live, prod, NEVER)

    connected = _time_book_connections(units, params, seed)
    return Rollout(applied, tested, production, ended, connected, system, provider,
                   web_share, utilisation, region_start, lifted, last_day)


def _time_book_connections(units: UnitCatalogue, params: WorldParameters,
                           seed: int) -> np.ndarray:
    """Which Tidbok HSA-ids are connected when their unit is: the unit's own or first
    time book always, the others with time_book_connected_share."""
    rng = rng_for(seed, "time-book-connections")
    draw = rng.random(len(units.tidbok_hsa))
    return (units.tidbok_rank == 0) | (draw < params.time_book_connected_share)


def iso_days(days: np.ndarray) -> list[str | None]:
    """Days since 1970 as ISO dates; NEVER as None."""
    return [None if d >= NEVER else str(_EPOCH_DAY + int(d)) for d in days]


def pair_uniform(a: np.ndarray, b: np.ndarray, salt: int) -> np.ndarray:
    """A deterministic uniform [0, 1) number per (a, b) pair (splitmix64), so that a
    property of a resident-unit pair is the same in every booking of the pair."""
    with np.errstate(over="ignore"):
        x = (np.asarray(a, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
             + np.asarray(b, dtype=np.uint64) * np.uint64(0xC2B2AE3D27D4EB4F)
             + np.uint64(salt & 0xFFFFFFFFFFFF))
        x ^= x >> np.uint64(30)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(27)
        x *= np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(31)
    return (x >> np.uint64(11)).astype(np.float64) / float(1 << 53)
