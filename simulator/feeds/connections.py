"""Feed 3c, `connections`: which units and time books are connected to which new
booking service, and how far each onboarding has come (national, one snapshot at
the cutoff: a date after it is not known yet)."""

from __future__ import annotations

import numpy as np
import polars as pl

from simulator.feeds.files import Delivery
from simulator.rollout import NEVER, SERVICES, iso_days

FEED = "connections"
HEADER = ("vardenhet", "tidbok", "tjanst", "kallsystem", "vardgivare", "ansokan_datum",
          "test_datum", "produktion_datum", "avslutad_datum")


def connection_rows(world) -> pl.DataFrame:
    rollout, units = world.rollout, world.units
    cutoff = rollout.cutoff_day
    known = lambda days: np.where(days <= cutoff, days, NEVER)  # noqa: E731
    books = pl.DataFrame({"tidbok_idx": np.arange(len(units.tidbok_hsa)),
                          "unit_idx": units.tidbok_unit,
                          "connected": rollout.tidbok_connected})
    own = units.tidbok_hsa == units.units["hsa_id"].to_numpy()[units.tidbok_unit]
    books = books.with_columns(
        pl.when(pl.Series(own)).then(None).otherwise(pl.Series(units.tidbok_hsa))
        .alias("tidbok"))
    system_hsa = np.array([world.profiles[r].source_systems[k].hsa_id for r, k in
                           zip(units.units["region"], rollout.unit_system, strict=True)],
                          dtype=object)
    frames = []
    for s, service in enumerate(SERVICES):
        applied = known(rollout.applied_day[:, s])
        frames.append(pl.DataFrame({
            "unit_idx": np.arange(units.units.height), "tjanst": service,
            "ansokan_datum": iso_days(applied),
            "test_datum": iso_days(known(rollout.test_day[:, s])),
            "produktion_datum": iso_days(known(rollout.production_day[:, s])),
            "avslutad_datum": iso_days(known(rollout.ended_day[:, s])),
            "applied": applied < NEVER, "service_order": s,
        }, schema_overrides={"ansokan_datum": pl.String, "test_datum": pl.String,
                             "produktion_datum": pl.String, "avslutad_datum": pl.String}))
    table = (pl.concat(frames).filter(pl.col("applied"))
             .join(books.filter(pl.col("connected")), on="unit_idx", how="inner")
             .with_columns(
                 pl.lit(units.units["hsa_id"]).gather(pl.col("unit_idx")).alias("vardenhet"),
                 pl.lit(pl.Series(system_hsa, dtype=pl.String)).gather(pl.col("unit_idx"))
                 .alias("kallsystem"),
                 pl.lit(pl.Series(rollout.unit_provider, dtype=pl.String))
                 .gather(pl.col("unit_idx")).alias("vardgivare"))
             .sort("vardenhet", "service_order", "tidbok", nulls_last=False))
    return table.select(HEADER)


def write_connections(delivery: Delivery, world) -> None:
    rows = connection_rows(world)
    text = rows.write_csv(separator=";", null_value="", quote_style="necessary")
    date = str(np.datetime64(world.last_day, "D"))
    delivery.write_file(FEED, "national", f"anslutningar_{date}.csv", text.encode("utf-8"),
                        rows=rows.height, fmt="csv")
