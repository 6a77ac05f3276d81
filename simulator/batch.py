"""One batch of the world, the unit every writer and the ground truth work on: the
bookings of one region (or one chunk of a big region's residents) with their
version history, the resident behind each booking, and the moments that decide
what the aggregation layer, phones and e-services see.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from simulator.bookings import (
    CANCELLED_BY_PATIENT,
    CANCELLED_BY_PROVIDER,
    MINUTES_PER_DAY,
    NONE,
    REBOOKED,
)
from simulator.identifiers import RESERVNUMMER
from simulator.rollout import NEVER
from simulator.seeding import rng_for
from simulator.versions import booking_versions, known_state
from simulator.world import Chunk, World


@dataclass
class Batch:
    world: World
    chunk: Chunk
    bookings: pl.DataFrame  # bookings.py columns + identity, id_kind, age, cancel_at, until
    versions: pl.DataFrame
    known: pl.DataFrame

    @property
    def region(self) -> str:
        return self.chunk.region

    @property
    def profile(self):
        return self.world.profiles[self.region]

    def rng(self, purpose: str) -> np.random.Generator:
        """The batch's own random stream for `purpose`."""
        keys = (self.region,) if self.chunk.count == 1 else (self.region,
                                                              f"chunk-{self.chunk.index}")
        return rng_for(self.world.seed, purpose, *keys)

    def column(self, name: str) -> np.ndarray:
        return self.bookings[name].to_numpy()


def make_batch(world: World, chunk: Chunk, bookings: pl.DataFrame) -> Batch:
    cutoff = world.cutoff
    people = chunk.residents.select("resident_idx", "identity", "id_kind", "age")
    cancelled = pl.col("fate").is_in([REBOOKED, CANCELLED_BY_PATIENT, CANCELLED_BY_PROVIDER]) & (
        pl.col("fate_at") <= cutoff)
    frame = bookings.join(people, on="resident_idx", how="left", maintain_order="left")
    frame = frame.with_columns(
        pl.when(cancelled).then(pl.col("fate_at")).otherwise(pl.lit(NEVER)).alias("cancel_at"),
        (pl.col("id_kind") != RESERVNUMMER).alias("national_id"),
    ).with_columns(
        # Upcoming until the start or the cancellation, whichever comes first.
        pl.min_horizontal("start_at", "cancel_at").alias("until"),
    )
    versions = booking_versions(bookings, cutoff)
    known = known_state(bookings, cutoff, versions)
    return Batch(world, chunk, frame, versions, known)


def month_of(minutes: pl.Expr) -> pl.Expr:
    return pl.from_epoch(minutes * 60, time_unit="s").dt.strftime("%Y-%m")


def month_ends(world: World) -> list[tuple[str, int]]:
    """(YYYY-MM, last minute known in it) for every month of the period."""
    first = np.datetime64(world.scale.period_start, "M")
    last = np.datetime64(world.scale.period_end, "M")
    ends = []
    for month in np.arange(first, last + 1):
        next_day = (month + 1).astype("datetime64[D]").astype(np.int64)
        minute = min(int(next_day) * MINUTES_PER_DAY - 1, world.cutoff)
        ends.append((str(month), minute))
    return ends


__all__ = ["Batch", "make_batch", "month_of", "month_ends", "NONE"]
