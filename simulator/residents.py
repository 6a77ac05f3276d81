"""The residents who book: age, legal sex, identity number and booking propensity.

A sample of each region's population, sized so that the scale's booking volume
gives a realistic number of bookings per resident; the same resident keeps the
same identity number in every booking.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from simulator.identifiers import (
    PERSONNUMMER,
    RESERVNUMMER,
    SAMORDNINGSNUMMER,
    identity_numbers,
)
from simulator.parameters import WorldParameters
from simulator.regions import Region
from simulator.scales import Scale
from simulator.seeding import rng_for
from tidbok.codes import AGE_BANDS


@dataclass(frozen=True)
class Residents:
    """One row per simulated resident (resident_idx = row number), all regions."""

    frame: pl.DataFrame  # resident_idx, region, age, age_band_idx, female, id_kind, identity
    sample_fraction: float  # simulated residents / real population

    def region_slice(self, region_code: str) -> pl.DataFrame:
        return self.frame.filter(pl.col("region") == region_code)


def sample_fraction(scale: Scale, params: WorldParameters, population: int) -> float:
    """Share of the population to simulate so that bookings per resident stay realistic."""
    expected_bookings = population * params.bookings_per_resident_year * scale.days / 365.25
    return min(1.0, scale.bookings / expected_bookings)


def age_band_index(age: np.ndarray) -> np.ndarray:
    """Index into tidbok.codes.AGE_BANDS for each age."""
    upper = np.array([high for _, high, _ in AGE_BANDS[:-1]])
    return np.searchsorted(upper, age, side="left")


def build_residents(regions: list[Region], scale: Scale, params: WorldParameters,
                    seed: int) -> Residents:
    fraction = sample_fraction(scale, params, sum(region.population for region in regions))
    groups = list(params.age_distribution)
    group_p = np.array([params.age_distribution[g] for g in groups])
    group_p = group_p / group_p.sum()
    group_bounds = np.array([[int(x) for x in g.split("-")] for g in groups])
    female_p = np.array([params.female_share_by_age[g] for g in groups])
    propensity_by_group = np.array([params.booking_propensity_by_age[g] for g in groups])
    reference_day = np.datetime64(scale.period_start, "D")

    frames = []
    for region in regions:
        rng = rng_for(seed, "residents", region.code)
        n = max(1, round(region.population * fraction))
        group = rng.choice(len(groups), size=n, p=group_p)
        age = rng.integers(group_bounds[group, 0], group_bounds[group, 1] + 1)
        female = rng.random(n) < female_p[group]
        # Birth date: `age` full years before the period start, on a uniform day of that year.
        birth = reference_day - (age * 365.25 + rng.uniform(1, 365, size=n)).astype(np.int64)
        kind = np.full(n, PERSONNUMMER, dtype=np.int64)
        draw = rng.random(n)
        kind[(draw < params.samordningsnummer_share) & (age >= 16) & (age <= 70)] = (
            SAMORDNINGSNUMMER)
        kind[draw > 1.0 - params.reservnummer_share] = RESERVNUMMER
        propensity = propensity_by_group[group] * rng.gamma(
            params.booking_propensity_shape, 1.0, size=n)
        # Small integer types: the whole country is 10.6 M rows.
        frames.append(pl.DataFrame({
            "region": region.code, "age": age.astype(np.int16),
            "age_band_idx": age_band_index(age).astype(np.int8),
            "female": female, "id_kind": kind.astype(np.int8), "birth": birth,
            "propensity": propensity,
        }))
    frame = pl.concat(frames, rechunk=True)
    del frames
    # Numbers are drawn in one national pass: a person has one number wherever they
    # live, so two residents of different regions must not share one either.
    identity = identity_numbers(frame["birth"].to_numpy(), ~frame["female"].to_numpy(),
                                frame["id_kind"].to_numpy(), rng_for(seed, "identity-numbers"))
    frame = frame.with_row_index("resident_idx").with_columns(
        pl.col("resident_idx").cast(pl.Int64), pl.Series("identity", identity)).drop("birth")
    return Residents(frame, fraction)


def screening_eligible(residents: pl.DataFrame, params: WorldParameters) -> np.ndarray:
    low, high = params.screening_ages
    return (residents["female"] & residents["age"].is_between(low, high)).to_numpy()

