"""Entry point: build the world for a scale and seed, write every feed and the ground truth.

Regions are simulated and written one at a time, so memory holds one region's
bookings (the shape a national, streaming scale needs).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import polars as pl

from simulator.feeds import booking_csv, hsa_units
from simulator.ground_truth import GroundTruth, write_ground_truth
from simulator.parameters import WorldParameters
from simulator.versions import booking_versions, known_state
from simulator.world import World, build_world


def simulate(out: Path, scale: str = "tiny", seed: int = 1,
             params: WorldParameters | None = None) -> dict[str, Any]:
    """Write the landing layout `out/<feed>/<region or national>/<file>` and
    `out/ground_truth.json`; return a summary (files, rows per feed, bookings, seconds).

    Files already in `out` are overwritten, not removed.
    """
    started = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    world = build_world(scale, seed, params)
    truth = GroundTruth(world)

    units_written = hsa_units.write_hsa_units(out, world.units)
    truth.add_feed(hsa_units.FEED, units_written.files, units_written.rows)

    csv_files = csv_rows = 0
    for code, bookings in world.iter_region_bookings():
        written = _write_region(out, world, code, bookings, truth)
        csv_files += written.files
        csv_rows += written.rows
    truth.add_feed(booking_csv.FEED, csv_files, csv_rows)
    write_ground_truth(out, truth)

    return {
        "out": str(out),
        "scale": world.scale.name,
        "seed": seed,
        "files": {hsa_units.FEED: units_written.files, booking_csv.FEED: csv_files,
                  "ground_truth": 1},
        "rows": {hsa_units.FEED: units_written.rows, booking_csv.FEED: csv_rows},
        "bookings": truth.counts["bookings"],
        "care_units": world.units.units.height,
        "residents": world.residents.frame.height,
        "seconds": round(time.perf_counter() - started, 3),
    }


def _write_region(out: Path, world: World, code: str, bookings: pl.DataFrame,
                  truth: GroundTruth) -> booking_csv.WrittenFeed:
    versions = booking_versions(bookings, world.cutoff)
    truth.add_region(bookings, known_state(bookings, world.cutoff, versions))
    rows = booking_csv.extract_rows(bookings, versions, world.units,
                                    world.residents.region_slice(code))
    return booking_csv.write_region_extracts(out, world.profiles[code], rows,
                                             world.first_day, world.last_day)
