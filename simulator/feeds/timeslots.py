"""Feed 1e, `timeslots`: each region's slots per time book, time type and day (CSV)."""

from __future__ import annotations

import numpy as np
import polars as pl

from simulator.care_catalogue import SERVICES, TIME_TYPES
from simulator.feeds.files import Delivery

FEED = "timeslots"
HEADER = ("Datum;Vårdenhet;Tidbok;Tidtyp;Vårdtjänst;Antal tider;Webbokningsbara;Bokade;"
          "Lediga vid start")


def write_timeslots(delivery: Delivery, world, region: str, rows: pl.DataFrame) -> None:
    """One file per day of the period (header only on days without visits)."""
    units = world.units
    text = rows.sort("day", "tidbok_idx", "time_type").select(
        "day",
        pl.concat_str([
            pl.from_epoch(pl.col("day"), time_unit="d").dt.strftime("%Y-%m-%d"),
            pl.lit(units.units["hsa_id"]).gather(pl.col("unit_idx")),
            pl.lit(pl.Series(units.tidbok_hsa)).gather(pl.col("tidbok_idx")),
            pl.lit(pl.Series([t.code for t in TIME_TYPES])).gather(pl.col("time_type")),
            pl.lit(pl.Series(list(SERVICES))).gather(pl.col("service")),
            pl.col("total").cast(pl.String), pl.col("web").cast(pl.String),
            pl.col("booked").cast(pl.String), pl.col("free_at_start").cast(pl.String),
        ], separator=";").alias("line"))
    days = text["day"].to_numpy()
    lines = text["line"].to_list()
    bounds = np.searchsorted(days, np.arange(world.first_day, world.last_day + 2))
    for offset, day in enumerate(range(world.first_day, world.last_day + 1)):
        date = str(np.datetime64(day, "D"))
        delivery.write_rows(FEED, region, f"tider_{region}_{date}.csv",
                            lines[bounds[offset]:bounds[offset + 1]], fmt="csv", header=HEADER)
