"""Feed 3a, `telephony`: clinics' phone queues per day, unit, queue and reason (CSV)."""

from __future__ import annotations

import numpy as np
import polars as pl

from simulator.feeds.files import Delivery

FEED = "telephony"
HEADER = ("Datum;Vårdenhet;Kö;Ärende;Erbjudna samtal;Besvarade samtal;Återuppringningar;"
          "Medelväntetid s;Medelsamtalstid s")


def _decimal(column: str) -> pl.Expr:
    """A Swedish decimal with a comma, as phone systems export it."""
    return pl.col(column).round(1).cast(pl.String).str.replace(".", ",", literal=True)


def write_telephony(delivery: Delivery, world, region: str, rows: pl.DataFrame) -> None:
    text = rows.sort("day", "unit_idx", "queue", "reason").select(
        "day",
        pl.concat_str([
            pl.from_epoch(pl.col("day"), time_unit="d").dt.strftime("%Y-%m-%d"),
            pl.lit(world.units.units["hsa_id"]).gather(pl.col("unit_idx")),
            pl.col("queue"), pl.col("reason"),
            pl.col("offered").cast(pl.String), pl.col("answered").cast(pl.String),
            pl.col("callbacks").cast(pl.String), _decimal("wait"), _decimal("talk"),
        ], separator=";").alias("line"))
    days = text["day"].to_numpy()
    lines = text["line"].to_list()
    bounds = np.searchsorted(days, np.arange(world.first_day, world.last_day + 2))
    for offset, day in enumerate(range(world.first_day, world.last_day + 1)):
        date = str(np.datetime64(day, "D"))
        delivery.write_rows(FEED, region, f"telefoni_{region}_{date}.csv",
                            lines[bounds[offset]:bounds[offset + 1]], fmt="csv", header=HEADER)
