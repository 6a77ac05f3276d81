"""`timeslots`: each region's daily capacity per time book and time type, and how
much of it was open for web booking in 1177 (SOURCES.md 1e)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pyarrow as pa

from ingestion.feeds import _field_rules as r
from ingestion.feeds._csv_common import DelimitedFeed
from ingestion.feeds.base import LandingFile
from tidbok import codes

# One row per region, day, time book and time type.
TIMESLOTS = pa.schema([
    ("region_code", pa.string()),
    ("date", pa.date32()),
    ("care_unit_hsa_id", pa.string()),
    ("time_book_hsa_id", pa.string()),
    ("time_type_code", pa.string()),
    ("care_service", pa.string()),
    ("slots_total", pa.int32()),
    ("slots_web_bookable", pa.int32()),
    ("slots_booked", pa.int32()),
    ("slots_free_at_start", pa.int32()),
    ("source_file_hash", pa.string()),
    ("source_row", pa.int64()),
])

COLUMNS = ("Datum", "Vårdenhet", "Tidbok", "Tidtyp", "Vårdtjänst", "Antal tider",
           "Webbokningsbara", "Bokade", "Lediga vid start")
COUNTS = {"Antal tider": "slots_total", "Webbokningsbara": "slots_web_bookable",
          "Bokade": "slots_booked", "Lediga vid start": "slots_free_at_start"}
CARE_SERVICE = {code.lower(): code for code in codes.CARE_SERVICES}

ADAPTER = "Timeslots"  # found by ingestion.registry


class Timeslots(DelimitedFeed):
    feed = "timeslots"
    tables = {"timeslots": TIMESLOTS}
    columns = COLUMNS

    def row_rules(self) -> list[pl.Expr]:
        return [
            r.missing("Datum"), r.bad_date("Datum"),
            r.missing("Vårdenhet"), r.not_hsa_id("Vårdenhet"),
            r.missing("Tidbok"), r.not_hsa_id("Tidbok"),
            r.missing("Tidtyp"),
            r.missing("Vårdtjänst"),
            r.unknown_code("Vårdtjänst", CARE_SERVICE, codes.CARE_SERVICES),
            *[rule for column in COUNTS for rule in (r.missing(column),
                                                     r.bad_whole_number(column))],
            # Slots open on the web, booked, or free at the start of the day are
            # all slots of that day; "booked" may exceed "free at start" because
            # bookings are made during the day too.
            r.exceeds("Webbokningsbara", "Antal tider"),
            r.exceeds("Bokade", "Antal tider"),
            r.exceeds("Lediga vid start", "Antal tider"),
        ]

    def to_canonical(self, rows: pl.DataFrame, file: LandingFile,
                     delivery_date: dt.date | None) -> pl.DataFrame:
        return rows.select(
            pl.lit(file.region_code).alias("region_code"),
            r.date("Datum").alias("date"),
            pl.col("Vårdenhet").alias("care_unit_hsa_id"),
            pl.col("Tidbok").alias("time_book_hsa_id"),
            pl.col("Tidtyp").alias("time_type_code"),
            r.coded("Vårdtjänst", CARE_SERVICE).alias("care_service"),
            *[r.whole_number(source).alias(target) for source, target in COUNTS.items()],
            pl.lit(file.file_hash).alias("source_file_hash"),
            pl.col("line_number").alias("source_row"),
        )

    def partition_days(self, loaded: pl.DataFrame, delivery_date: dt.date | None) -> set:
        return set(loaded["date"].unique().to_list())
