"""Feed 3b, `eservice_events`: residents' use of the 1177 booking e-services, one JSON
Lines file per region (the resident's) and day, events in time order."""

from __future__ import annotations

import numpy as np
import polars as pl

from simulator.contacts import Sessions
from simulator.feeds.files import Delivery, RowInfo
from simulator.textformat import iso_offset_text

FEED = "eservice_events"
FIELDS = ("eventId", "sessionId", "timestamp", "subjectOfCare", "service", "event",
          "unitHsaId", "timeTypeId", "resultCode", "authMethod")


def write_events(delivery: Delivery, world, region: str, sessions: Sessions,
                 create_all: bool = True) -> None:
    events = sessions.events
    lines = events.select(
        "day", "identity", "eventId",
        pl.struct(
            "eventId", "sessionId",
            iso_offset_text(pl.col("minute"), pl.col("second")).alias("timestamp"),
            pl.col("identity").alias("subjectOfCare"),
            "service", "event", "unitHsaId", "timeTypeId",
            pl.col("result").alias("resultCode"), "authMethod",
        ).struct.json_encode().alias("line"))
    days = lines["day"].to_numpy()
    text = lines["line"].to_list()
    ids = lines["identity"].to_list()
    keys = lines["eventId"].to_list()
    bounds = np.searchsorted(days, np.arange(world.first_day, world.last_day + 2))
    for offset, day in enumerate(range(world.first_day, world.last_day + 1)):
        lo, hi = int(bounds[offset]), int(bounds[offset + 1])
        if lo == hi and not create_all:
            continue
        date = str(np.datetime64(day, "D"))
        delivery.write_rows(FEED, region, f"eservice_{region}_{date}.jsonl", text[lo:hi],
                            fmt="jsonl", info=RowInfo(ids[lo:hi], keys[lo:hi]))
