"""`telephony`: clinics' phone queues per day and reason for calling (SOURCES.md 3a),
the observed counterpart of the phone calls the booking services should avoid."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pyarrow as pa

from ingestion.feeds import _field_rules as r
from ingestion.feeds._csv_common import DelimitedFeed
from ingestion.feeds.base import LandingFile
from ingestion.privacy import scrub_expr

# One row per region, day, care unit, queue and reason.
TELEPHONY_QUEUES = pa.schema([
    ("region_code", pa.string()),
    ("date", pa.date32()),
    ("care_unit_hsa_id", pa.string()),
    ("queue", pa.string()),
    ("reason", pa.string()),
    ("calls_offered", pa.int32()),
    ("calls_answered", pa.int32()),
    ("callbacks", pa.int32()),
    ("avg_wait_seconds", pa.float64()),
    ("avg_talk_seconds", pa.float64()),
    ("source_file_hash", pa.string()),
    ("source_row", pa.int64()),
])

COLUMNS = ("Datum", "Vårdenhet", "Kö", "Ärende", "Erbjudna samtal", "Besvarade samtal",
           "Återuppringningar", "Medelväntetid s", "Medelsamtalstid s")
# `Ärende` -> canonical reason (compared case-insensitively).
REASON_LABELS = {
    "Boka": "book",
    "Omboka": "rebook",
    "Avboka": "cancel",
    "Fråga om bokad tid": "booking_lookup",
    "Rådgivning": "advice",
    "Övrigt": "other",
}
REASONS = {label.lower(): code for label, code in REASON_LABELS.items()}

ADAPTER = "Telephony"  # found by ingestion.registry


class Telephony(DelimitedFeed):
    feed = "telephony"
    tables = {"telephony_queues": TELEPHONY_QUEUES}
    columns = COLUMNS

    def row_rules(self) -> list[pl.Expr]:
        return [
            r.missing("Datum"), r.bad_date("Datum"),
            r.missing("Vårdenhet"), r.not_hsa_id("Vårdenhet"),
            r.missing("Kö"),
            r.missing("Ärende"), r.unknown_code("Ärende", REASONS, REASON_LABELS),
            r.missing("Erbjudna samtal"), r.bad_whole_number("Erbjudna samtal"),
            r.missing("Besvarade samtal"), r.bad_whole_number("Besvarade samtal"),
            r.exceeds("Besvarade samtal", "Erbjudna samtal"),
            # Not every phone system offers call-backs, and an average over no
            # answered calls is empty: these three may be missing.
            r.bad_whole_number("Återuppringningar"),
            r.bad_decimal("Medelväntetid s", low=0),
            r.bad_decimal("Medelsamtalstid s", low=0),
        ]

    def to_canonical(self, rows: pl.DataFrame, file: LandingFile,
                     delivery_date: dt.date | None) -> pl.DataFrame:
        return rows.select(
            pl.lit(file.region_code).alias("region_code"),
            r.date("Datum").alias("date"),
            pl.col("Vårdenhet").alias("care_unit_hsa_id"),
            scrub_expr(pl.col("Kö")).alias("queue"),
            r.coded("Ärende", REASONS).alias("reason"),
            r.whole_number("Erbjudna samtal").alias("calls_offered"),
            r.whole_number("Besvarade samtal").alias("calls_answered"),
            r.whole_number("Återuppringningar").alias("callbacks"),
            r.decimal("Medelväntetid s").alias("avg_wait_seconds"),
            r.decimal("Medelsamtalstid s").alias("avg_talk_seconds"),
            pl.lit(file.file_hash).alias("source_file_hash"),
            pl.col("line_number").alias("source_row"),
        )

    def partition_days(self, loaded: pl.DataFrame, delivery_date: dt.date | None) -> set:
        return set(loaded["date"].unique().to_list())
