"""Capacity: how many slots each time book had per time type and day, how many were
open for booking in 1177, booked, and still free when the day began (SOURCES.md 1e).

Slots are derived from the bookings: the booked ones are the visits of the day,
the total follows from the unit's utilisation, and the web-bookable share grows
when the unit goes live on `boka`.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from simulator.batch import Batch
from simulator.bookings import MINUTES_PER_DAY

SLOT_KEYS = ["day", "unit_idx", "tidbok_idx", "time_type", "service"]


def slot_counts(batch: Batch) -> pl.DataFrame:
    """Per (day, tidbok, time type): bookings that kept their slot, and those that held
    it at 00:00 of the day. Summed over chunks before `timeslot_rows`."""
    world = batch.world
    day_start = (pl.col("start_at") // MINUTES_PER_DAY) * MINUTES_PER_DAY
    return (batch.bookings
            .with_columns((pl.col("start_at") // MINUTES_PER_DAY).alias("day"))
            .filter((pl.col("day") >= world.first_day) & (pl.col("day") <= world.last_day))
            .group_by("day", "unit_idx", "tidbok_idx", "time_type", "service")
            .agg((pl.col("cancel_at") > pl.col("start_at")).sum().cast(pl.Int64).alias("booked"),
                 ((pl.col("booked_at") < day_start) & (pl.col("cancel_at") > day_start))
                 .sum().cast(pl.Int64).alias("held_at_start")))


def timeslot_rows(world, counts: pl.DataFrame) -> pl.DataFrame:
    """The timeslots rows of one region from its summed slot counts."""
    rollout = world.rollout
    counts = (counts.group_by("day", "unit_idx", "tidbok_idx", "time_type", "service")
              .agg(pl.col("booked").sum(), pl.col("held_at_start").sum())
              .sort("day", "tidbok_idx", "time_type"))
    unit = counts["unit_idx"].to_numpy()
    day = counts["day"].to_numpy()
    booked = counts["booked"].to_numpy()
    held = counts["held_at_start"].to_numpy()
    total = np.maximum(np.ceil(np.maximum(booked, held) / rollout.unit_utilisation[unit]), 1)
    total = np.maximum(total, np.maximum(booked, held)).astype(np.int64)
    live = rollout.live(unit, "boka", day * MINUTES_PER_DAY)
    share = rollout.unit_web_share[unit] + np.where(
        live, world.params.web_bookable_share["uplift_when_boka_live"], 0.0)
    web = np.minimum(np.round(total * np.minimum(share, 1.0)), total).astype(np.int64)
    return counts.with_columns(pl.Series("total", total), pl.Series("web", web),
                               pl.Series("free_at_start", total - held))
