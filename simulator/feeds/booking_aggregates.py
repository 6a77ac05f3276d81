"""Feed 1d, `booking_aggregates`: monthly appointment counts in the NHS GPAD shape, for
regions whose systems can only deliver counts.

One file per region and month of the period, counted from the state known at the
cutoff: appointments starting in the month that were not cancelled, by status
(Attended, DNA, or Unknown while no outcome is registered), staff type, mode,
GPAD lead-time band and booking channel.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from simulator.batch import Batch, month_ends
from simulator.bookings import MINUTES_PER_DAY
from simulator.care_catalogue import CHANNELS, CONTACT_TYPES, LEAD_TIME_BANDS, SERVICES
from simulator.feeds.files import Delivery
from simulator.no_show import lead_time_band

FEED = "booking_aggregates"
HEADER = ("REGION_CODE,UNIT_HSA_ID,Appointment_Month,APPT_STATUS,HCP_TYPE,APPT_MODE,"
          "TIME_BETWEEN_BOOK_AND_APPT,BOOKING_CHANNEL,COUNT_OF_APPOINTMENTS")
STATUS = {"attended": "Attended", "no_show": "DNA", "booked": "Unknown"}
MODE = {"physical": "Face-to-Face", "phone": "Telephone", "video": "Video/Online",
        "home": "Home Visit"}
# Physicians are GPAD's "GP"; every other profession "Other Practice staff".
HCP = {code: ("GP" if code in ("LAKARBESOK", "SPECIALIST") else "Other Practice staff")
       for code in SERVICES}
KEYS = ["region", "unit", "month", "status", "hcp", "mode", "band", "channel"]
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


def appointment_counts(batch: Batch) -> pl.DataFrame:
    """Counts of one batch (chunks of a region are summed before writing)."""
    world = batch.world
    known = batch.known.filter(pl.col("status") != "cancelled")
    lead = (known["start_at"] // MINUTES_PER_DAY - known["booked_at"] // MINUTES_PER_DAY
            ).to_numpy()
    month = pl.from_epoch(pl.col("start_at") * 60, time_unit="s")
    first, last = world.first_day * MINUTES_PER_DAY, world.cutoff
    return (known.with_columns(pl.Series("band", lead_time_band(lead)))
            .filter((pl.col("start_at") >= first) & (pl.col("start_at") <= last))
            .select(
                pl.lit(batch.region).alias("region"),
                pl.lit(world.units.units["hsa_id"]).gather(pl.col("unit_idx")).alias("unit"),
                month.dt.strftime("%Y-%m").alias("month"),
                pl.col("status").replace_strict(STATUS).alias("status"),
                pl.lit(pl.Series([HCP[s] for s in SERVICES])).gather(pl.col("service"))
                .alias("hcp"),
                pl.lit(pl.Series([MODE[c] for c in CONTACT_TYPES])).gather(pl.col("contact"))
                .alias("mode"),
                pl.lit(pl.Series([b for b, _, _ in LEAD_TIME_BANDS])).gather(pl.col("band"))
                .alias("band"),
                pl.lit(pl.Series(list(CHANNELS))).gather(pl.col("kanal_channel"))
                .alias("channel"))
            .group_by("region", "unit", "month", "status", "hcp", "mode", "band", "channel")
            .len("count"))


def write_aggregates(delivery: Delivery, world, region: str, counts: pl.DataFrame) -> None:
    counts = (counts.group_by("region", "unit", "month", "status", "hcp", "mode", "band",
                              "channel").agg(pl.col("count").sum())
              .sort("unit", "month", "status", "hcp", "mode", "band", "channel"))
    for month, _ in month_ends(world):
        rows = counts.filter(pl.col("month") == month)
        label = MONTHS[int(month[5:7]) - 1] + month[:4]
        lines = rows.select(pl.concat_str([
            pl.col("region"), pl.col("unit"), pl.lit(label), pl.col("status"), pl.col("hcp"),
            pl.col("mode"), pl.col("band"), pl.col("channel"),
            pl.col("count").cast(pl.String)], separator=",")).to_series().to_list()
        delivery.write_rows(FEED, region, f"tidbok_aggregat_{region}_{month}.csv", lines,
                            fmt="csv", header=HEADER, separator=",")


__all__ = ["appointment_counts", "write_aggregates", "np"]
