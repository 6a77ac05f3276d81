"""The answers the pipeline must reproduce, computed from the world in memory.

`ground_truth.json` has three parts: `parameters` (every assumption, each with a
description), `metrics` (one entry per metric, rows with numerator and
denominator so they can be re-aggregated) and `counts` (sizes, for sanity
checks). Metrics are computed from the state known at the cutoff, i.e. exactly
what the delivered files say, never by re-reading the files. A new metric is a
new function here plus one `add_*` call per region.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import polars as pl

from simulator.care_catalogue import CHANNEL_INDEX, CHANNELS, TIME_TYPES, UNIT_TYPES
from simulator.world import World

NO_SHOW_RATE = {
    "description": "No-shows / (attended + no-shows) by region, month of the visit start "
    "(YYYY-MM) and booking channel (canonical code, tidbok.codes). A booking counts with "
    "its latest state known at the end of the last extract day (latest Ändrad wins); "
    "visits whose outcome is registered later, and visits after the period, are not "
    "counted yet.",
    "grain": ["month", "region", "channel"],
    "numerator": "bookings whose latest status is no_show (Uteblev)",
    "denominator": "bookings whose latest status is attended (Genomförd) or no_show (Uteblev)",
}


def no_show_rate_rows(known: pl.DataFrame) -> pl.DataFrame:
    """Numerator and denominator per (month, region, channel) from known booking states."""
    visits = known.filter(pl.col("status").is_in(["attended", "no_show"]))
    return (
        visits.with_columns(
            pl.from_epoch(pl.col("start_at") * 60, time_unit="s").dt.strftime("%Y-%m")
            .alias("month"),
            pl.lit(pl.Series(CHANNELS)).gather(pl.col("channel")).alias("channel_code"),
        )
        .group_by("month", "region", "channel_code")
        .agg((pl.col("status") == "no_show").sum().cast(pl.Int64).alias("numerator"),
             pl.len().cast(pl.Int64).alias("denominator"))
        .rename({"channel_code": "channel"})
        .sort("month", "region", "channel")
    )


class GroundTruth:
    """Collects metrics region by region, so a streaming run never holds all bookings."""

    def __init__(self, world: World):
        self.world = world
        self.no_show_parts: list[pl.DataFrame] = []
        self.counts: Counter[str] = Counter()
        self.status_counts: Counter[str] = Counter()
        self.residents_with_booking = 0
        self.feeds: dict[str, dict[str, int]] = {}

    def add_region(self, bookings: pl.DataFrame, known: pl.DataFrame) -> None:
        self.no_show_parts.append(no_show_rate_rows(known))
        self.counts["bookings"] += bookings.height
        self.counts["rebookings"] += int((bookings["generation"] > 0).sum())
        self.counts["referral_bookings"] += int(bookings["referral"].sum())
        digital = bookings["channel"] == CHANNEL_INDEX["eservice"]
        self.counts["digital_bookings"] += int(digital.sum())
        self.residents_with_booking += bookings["resident_idx"].n_unique()
        for status, n in known.group_by("status").len().iter_rows():
            self.status_counts[status] += n

    def add_feed(self, feed: str, files: int, rows: int) -> None:
        self.feeds[feed] = {"files": files, "rows": rows}

    def document(self) -> dict[str, Any]:
        world = self.world
        rows = pl.concat(self.no_show_parts).sort("month", "region", "channel")
        rows = rows.with_columns(
            (pl.col("numerator") / pl.col("denominator")).round(6).alias("value"))
        return {
            "parameters": self._parameters(),
            "metrics": {"no_show_rate": {**NO_SHOW_RATE, "rows": rows.to_dicts()}},
            "counts": {
                "regions": len(world.regions),
                "care_units": world.units.units.height,
                "time_books": int((world.units.catalogue["ar_tidbok"] == 1).sum()),
                "residents_simulated": world.residents.frame.height,
                "residents_with_booking": self.residents_with_booking,
                "booking_chains": sum(world.chains_per_region.values()),
                **dict(sorted(self.counts.items())),
                "latest_status": dict(sorted(self.status_counts.items())),
                "feeds": self.feeds,
            },
        }

    def _parameters(self) -> dict[str, Any]:
        world, scale = self.world, self.world.scale
        return {
            "scale": {"value": scale.as_dict(), "description": "The scale row of "
                      "simulator/scales.py: period, booking target, unit density."},
            "seed": {"value": world.seed, "description": "Seed of every random stream; the "
                     "same (scale, seed, parameters) gives byte-identical files."},
            "period": {"value": {"start": scale.period_start.isoformat(),
                                 "end": scale.period_end.isoformat()},
                       "description": "First bookings are made in this period; visits may "
                       "fall after it and then stay Bokad. One booking_csv extract per region "
                       "and day of the period."},
            "knowledge_cutoff": {"value": f"{scale.period_end.isoformat()} 23:59",
                                 "description": "Changes after this minute are not delivered "
                                 "(a future outcome is not known yet)."},
            "time_zone": {"value": "Europe/Stockholm", "description": "All times are local "
                          "wall-clock times without offset, as in the feeds."},
            "resident_sample_fraction": {
                "value": round(world.residents.sample_fraction, 8),
                "description": "Simulated residents / real population, from the booking "
                "target and bookings_per_resident_year."},
            "booking_chains_per_region": {
                "value": world.chains_per_region,
                "description": "Care episodes (a first booking and its rebookings) per "
                "region, split by population."},
            "regions": {
                "value": {code: profile.as_dict() for code, profile in world.profiles.items()},
                "description": "Per-region traits: encoding and line ends of booking_csv, "
                "share of personnummer written with '-', digital multiplier, SMS reminder "
                "share and the region's no-show logit effect."},
            "unit_types": {
                "value": {t.key: {"enhetstyp": t.enhetstyp, "specialist_care": t.specialist_care,
                                  "service_mix": t.service_mix,
                                  "time_books": [kind for kind, _ in t.time_books]}
                          for t in UNIT_TYPES},
                "description": "Care unit types (simulator/care_catalogue.py): the share of "
                "each care service in a unit's bookings, whether the late-cancellation "
                "threshold is the specialist one, and the time books a unit may split into."},
            "time_types": {
                "value": [t._asdict() for t in TIME_TYPES],
                "description": "Time types (Tidtyp, Tidtypsnamn) per care service with contact "
                "type, length in minutes and relative frequency within the service."},
            **world.params.describe(),
        }


def write_ground_truth(out: Path, truth: GroundTruth) -> Path:
    path = out / "ground_truth.json"
    text = json.dumps(truth.document(), ensure_ascii=False, indent=2)
    path.write_text(text + "\n", encoding="utf-8")
    return path
