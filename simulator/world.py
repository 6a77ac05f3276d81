"""The simulated world: regions, care units, residents and each region's bookings.

This is the model every feed writer renders; it knows nothing about file
formats. Bookings are built region by region on demand, each from its own
random stream, so a writer can stream one region at a time (the path to a
national-scale run) and get the same bookings however it iterates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from simulator.bookings import MINUTES_PER_DAY, RegionInputs, simulate_region_bookings
from simulator.defects import defect_rates
from simulator.parameters import WorldParameters
from simulator.regions import Region, RegionProfile, load_regions, region_profiles
from simulator.residents import Residents, build_residents
from simulator.rollout import Rollout, build_rollout
from simulator.scales import Scale, get_scale
from simulator.seeding import rng_for
from simulator.units import UnitCatalogue, build_units

_EPOCH = dt.date(1970, 1, 1)
# Bookings per care episode: the first booking, its rebookings and the refills of
# the slots its cancellations freed, measured on the default parameters at scale
# small; used to size the episodes for a scale's booking target.
BOOKINGS_PER_CHAIN = 1.095


@dataclass(frozen=True)
class Chunk:
    """A share of one region's residents simulated together (a whole region below the
    scale's chunk size). Every booking of a resident is in the resident's chunk."""

    region: str
    index: int
    count: int
    residents: pl.DataFrame
    chains: int


@dataclass(frozen=True)
class World:
    scale: Scale
    seed: int
    params: WorldParameters
    regions: list[Region]
    profiles: dict[str, RegionProfile]
    units: UnitCatalogue
    residents: Residents
    chains_per_region: dict[str, int]
    rollout: Rollout
    _cache: dict[str, pl.DataFrame] = field(default_factory=dict, repr=False, compare=False)

    @property
    def first_day(self) -> int:
        return (self.scale.period_start - _EPOCH).days

    @property
    def last_day(self) -> int:
        return (self.scale.period_end - _EPOCH).days

    @property
    def cutoff(self) -> int:
        """The last minute whose changes are known: 23:59 of the last extract day."""
        return (self.last_day + 1) * MINUTES_PER_DAY - 1

    def region_bookings(self, region_code: str, keep: bool = False) -> pl.DataFrame:
        """All bookings of one region made by the cutoff (see bookings.py for columns).

        Built afresh from the region's own random stream unless kept from an earlier call.
        """
        if region_code in self._cache:
            return self._cache[region_code]
        chunks = self.chunks(region_code)
        if len(chunks) == 1:
            bookings = self.chunk_bookings(chunks[0])
        else:
            parts, base = [], None
            for chunk in chunks:
                part = self.chunk_bookings(chunk, *(base or (None, 0)))
                base = next_bases(part)
                parts.append(part)
            bookings = pl.concat(parts)
        if keep:
            self._cache[region_code] = bookings
        return bookings

    def chunks(self, region_code: str) -> list[Chunk]:
        """The region's residents in chunks of about scale.chunk_bookings bookings each,
        by position in the region (resident k goes to chunk k mod count)."""
        residents = self.residents.region_slice(region_code)
        chains = self.chains_per_region[region_code]
        size = self.scale.chunk_bookings
        count = 1 if size is None else max(1, int(np.ceil(chains * BOOKINGS_PER_CHAIN / size)))
        if count == 1:
            return [Chunk(region_code, 0, 1, residents, chains)]
        group = np.arange(residents.height) % count
        weight = np.bincount(group, weights=residents["propensity"].to_numpy(), minlength=count)
        exact = chains * weight / weight.sum()
        split = np.floor(exact).astype(np.int64)
        split[np.argsort(-(exact - split), kind="stable")[: chains - split.sum()]] += 1
        return [Chunk(region_code, k, count, residents.filter(pl.Series(group == k)),
                      int(split[k])) for k in range(count)]

    def chunk_bookings(self, chunk: Chunk, id_base: int | None = None,
                       referral_base: int = 0) -> pl.DataFrame:
        """The bookings of one chunk of a region; a later chunk continues the booking and
        referral numbers of the one before (`next_bases`)."""
        code = chunk.region
        keys = (code,) if chunk.count == 1 else (code, f"chunk-{chunk.index}")
        inputs = RegionInputs(
            profile=self.profiles[code],
            units=self.units.region_units(code),
            service_tidbok=self.units.service_tidbok,
            residents=chunk.residents,
            chains=chunk.chains,
            first_day=self.first_day,
            last_day=self.last_day,
            rollout=self.rollout,
            late_outcome_rate=defect_rates(self.params)["late_outcome"],
            id_base=id_base,
            referral_base=referral_base,
        )
        return simulate_region_bookings(
            inputs, self.params, rng_for(self.seed, "bookings", *keys),
            rng_for(self.seed, "booking-effects", *keys))

    def iter_region_bookings(self, keep: bool = False) -> Iterator[tuple[str, pl.DataFrame]]:
        for region in self.regions:
            yield region.code, self.region_bookings(region.code, keep=keep)


def next_bases(bookings: pl.DataFrame) -> tuple[int, int]:
    """(id_base, referral_base) for the chunk after `bookings`."""
    numbers = bookings["booking_id"].str.slice(2).cast(pl.Int64)
    referrals = bookings["referral_id"].drop_nulls().str.slice(4).cast(pl.Int64)
    return int(numbers.max()), int(referrals.max()) if referrals.len() else 0


def chains_by_region(regions: list[Region], total: int) -> dict[str, int]:
    """Split `total` care episodes over regions by population (largest remainder)."""
    population = np.array([region.population for region in regions], dtype=float)
    exact = total * population / population.sum()
    counts = np.floor(exact).astype(np.int64)
    remainder_order = np.argsort(-(exact - counts), kind="stable")
    counts[remainder_order[: total - counts.sum()]] += 1
    return {region.code: int(max(1, count)) for region, count in zip(regions, counts, strict=True)}


def build_world(scale: str | Scale = "tiny", seed: int = 1,
                params: WorldParameters | None = None) -> World:
    """The world for a scale and seed: same inputs, same world."""
    scale = get_scale(scale) if isinstance(scale, str) else scale
    params = params or WorldParameters()
    regions = load_regions()
    profiles = region_profiles(regions, params, seed)
    units = build_units(regions, scale, params, seed)
    return World(
        scale=scale,
        seed=seed,
        params=params,
        regions=regions,
        profiles=profiles,
        units=units,
        residents=build_residents(regions, scale, params, seed),
        chains_per_region=chains_by_region(regions, round(scale.bookings / BOOKINGS_PER_CHAIN)),
        rollout=build_rollout(regions, profiles, units, scale, params, seed),
    )
