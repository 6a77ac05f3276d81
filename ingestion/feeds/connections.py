"""`connections`: the national list of which care units and time books are connected
to which 1177 booking service, and how far each onboarding has come (SOURCES.md 3c).

Each delivery is a full snapshot; rows carry its delivery date so dbt can take
the latest one.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pyarrow as pa

from ingestion.feeds import _field_rules as r
from ingestion.feeds._csv_common import DelimitedFeed
from ingestion.feeds.base import LandingFile, check

# One row per care unit (or time book), service and onboarding, per delivery.
UNIT_CONNECTIONS = pa.schema([
    ("care_unit_hsa_id", pa.string()),
    ("time_book_hsa_id", pa.string()),
    ("service", pa.string()),
    ("source_system", pa.string()),
    ("care_provider", pa.string()),
    ("applied_on", pa.date32()),
    ("tested_on", pa.date32()),
    ("production_on", pa.date32()),
    ("ended_on", pa.date32()),
    ("delivery_date", pa.date32()),
    ("source_file_hash", pa.string()),
    ("source_row", pa.int64()),
])

COLUMNS = ("vardenhet", "tidbok", "tjanst", "kallsystem", "vardgivare", "ansokan_datum",
           "test_datum", "produktion_datum", "avslutad_datum")
DATES = {"ansokan_datum": "applied_on", "test_datum": "tested_on",
         "produktion_datum": "production_on", "avslutad_datum": "ended_on"}
# `tjanst` -> canonical service: what the connection lets a resident do in 1177.
SERVICE_LABELS = {"se_bokade_tider": "view_bookings", "boka": "book", "omboka": "rebook",
                  "avboka": "cancel"}
SERVICES = {label.lower(): code for label, code in SERVICE_LABELS.items()}

ADAPTER = "Connections"  # found by ingestion.registry


def date_order_rules() -> list[pl.Expr]:
    """Impossible orders are errors: nothing is tested or live before it was
    applied for, and nothing ends before it went live (or was applied for).

    Allowed: any date missing (an open onboarding, a unit connected before
    applications were recorded, an onboarding abandoned before production),
    production before test (a retest after go-live, or no separate test), and
    dates after the delivery (a planned go-live)."""
    return [
        r.date_before("test_datum", "ansokan_datum"),
        r.date_before("produktion_datum", "ansokan_datum"),
        r.date_before("avslutad_datum", "produktion_datum"),
        check(r.date("produktion_datum").is_null()
              & (r.date("avslutad_datum") < r.date("ansokan_datum")),
              "avslutad_datum", "before ansokan_datum"),
    ]


class Connections(DelimitedFeed):
    feed = "connections"
    tables = {"unit_connections": UNIT_CONNECTIONS}
    columns = COLUMNS
    delivery_date_columns = tuple(DATES)

    def row_rules(self) -> list[pl.Expr]:
        return [
            r.missing("vardenhet"), r.not_hsa_id("vardenhet"),
            r.not_hsa_id("tidbok"),  # empty = the whole care unit is connected
            r.missing("tjanst"), r.unknown_code("tjanst", SERVICES, SERVICE_LABELS),
            *[r.bad_date(column) for column in DATES],
            *date_order_rules(),
        ]

    def to_canonical(self, rows: pl.DataFrame, file: LandingFile,
                     delivery_date: dt.date | None) -> pl.DataFrame:
        return rows.select(
            pl.col("vardenhet").alias("care_unit_hsa_id"),
            pl.col("tidbok").alias("time_book_hsa_id"),
            r.coded("tjanst", SERVICES).alias("service"),
            pl.col("kallsystem").alias("source_system"),
            pl.col("vardgivare").alias("care_provider"),
            *[r.date(source).alias(target) for source, target in DATES.items()],
            pl.lit(delivery_date, dtype=pl.Date).alias("delivery_date"),
            pl.lit(file.file_hash).alias("source_file_hash"),
            pl.col("line_number").alias("source_row"),
        )
