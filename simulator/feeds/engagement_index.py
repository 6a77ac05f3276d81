"""Feed 2c, `engagement_index`: Engagemangsindex Update transactions that reached the
index, one national JSON Lines file per day (regions appended one after another)."""

from __future__ import annotations

import numpy as np
import polars as pl

from simulator.aggregation import Aggregation
from simulator.feeds.files import Delivery, RowInfo
from simulator.textformat import ts_text

FEED = "engagement_index"


def write_updates(delivery: Delivery, world, aggregation: Aggregation) -> None:
    ei = aggregation.ei_updates.filter(
        (pl.col("day") >= world.first_day) & (pl.col("day") <= world.last_day))
    engagement = pl.struct(
        pl.col("identity").alias("registeredResidentIdentification"),
        pl.lit("riv:crm:scheduling").alias("serviceDomain"),
        pl.lit("Booking").alias("categorization"),
        pl.col("unit_hsa").alias("logicalAddress"),
        pl.col("booking_id").alias("businessObjectInstanceIdentifier"),
        pl.col("process_id").alias("clinicalProcessInterestId"),
        ts_text(pl.col("start_at")).alias("mostRecentContent"),
        pl.col("system_hsa").alias("sourceSystem"),
        ts_text(pl.col("index_at")).alias("creationTime"),
        ts_text(pl.col("at")).alias("updateTime"),
        pl.col("data_controller").alias("dataController"),
        pl.col("system_hsa").alias("owner"),
    )
    lines = ei.select("day", "identity", "booking_id", pl.struct(
        pl.col("delete").alias("deleteFlag"), engagement.alias("engagement"))
        .struct.json_encode().alias("line"))
    _write_daily(delivery, FEED, "national", "ei_updates", world, lines)


def _write_daily(delivery: Delivery, feed: str, folder: str, stem: str, world,
                 lines: pl.DataFrame, identity: str | None = "identity",
                 key: str | None = "booking_id") -> None:
    """Append a batch's lines to the national file of each day (created on first use)."""
    days = lines["day"].to_numpy()
    text = lines["line"].to_list()
    ids = lines[identity].to_list() if identity else None
    keys = lines[key].to_list() if key else None
    bounds = np.searchsorted(days, np.arange(world.first_day, world.last_day + 2))
    for offset, day in enumerate(range(world.first_day, world.last_day + 1)):
        lo, hi = int(bounds[offset]), int(bounds[offset + 1])
        if lo == hi:
            continue
        date = str(np.datetime64(day, "D"))
        delivery.write_rows(feed, folder, f"{stem}_{date}.jsonl", text[lo:hi], fmt="jsonl",
                            info=RowInfo(ids[lo:hi] if ids else None,
                                         keys[lo:hi] if keys else None))
