"""Feed 3e, `population`: residents by region, age band and sex at the end of the year
before the period, consistent with ../reference/regions.csv (the real totals) and the
age and sex mix of the parameters."""

from __future__ import annotations

import numpy as np
import polars as pl

from simulator.feeds.files import Delivery
from tidbok.codes import AGE_BANDS

FEED = "population"
HEADER = ("regionkod", "ar", "aldersgrupp", "kon", "antal")


def _band_shares(params) -> tuple[np.ndarray, list[str]]:
    """(age group x band) share of each 10-year group's people in each band, assuming
    ages are uniform within a group."""
    groups = list(params.age_distribution)
    bands = [label for _, _, label in AGE_BANDS]
    shares = np.zeros((len(groups), len(bands)))
    for g, group in enumerate(groups):
        low, high = (int(x) for x in group.split("-"))
        for age in range(low, high + 1):
            b = next(i for i, (lo, hi, _) in enumerate(AGE_BANDS) if lo <= age <= hi)
            shares[g, b] += 1.0 / (high - low + 1)
    return shares, bands


def _largest_remainder(exact: np.ndarray, total: int) -> np.ndarray:
    counts = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - counts).ravel(), kind="stable")
    counts.ravel()[order[: total - counts.sum()]] += 1
    return counts


def population_rows(world) -> pl.DataFrame:
    params = world.params
    shares, bands = _band_shares(params)
    groups = list(params.age_distribution)
    age_p = np.array([params.age_distribution[g] for g in groups])
    age_p = age_p / age_p.sum()
    female = np.array([params.female_share_by_age[g] for g in groups])
    # (sex, band) shares: men "1", women "2" (SCB's codes).
    men = (age_p * (1 - female)) @ shares
    women = (age_p * female) @ shares
    year = world.scale.period_start.year - 1
    rows = []
    for region in world.regions:
        counts = _largest_remainder(np.stack([men, women]) * region.population,
                                    region.population)
        for s, sex in enumerate(("1", "2")):
            for b, band in enumerate(bands):
                rows.append((region.code, year, band, sex, int(counts[s, b])))
    return pl.DataFrame(rows, orient="row", schema=dict(zip(HEADER, (
        pl.String, pl.Int64, pl.String, pl.String, pl.Int64), strict=True)))


def write_population(delivery: Delivery, world) -> None:
    rows = population_rows(world)
    year = world.scale.period_start.year - 1
    delivery.write_file(FEED, "national", f"befolkning_{year}.csv",
                        rows.write_csv(separator=",").encode("utf-8"), rows=rows.height,
                        fmt="csv")
