"""`hsa_units`: the national catalogue of care units and their time books
(SOURCES.md 3d), the denominator of every coverage metric.

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

# One row per HSA unit (care unit or time book) per delivery.
HSA_UNITS = pa.schema([
    ("hsa_id", pa.string()),
    ("parent_hsa_id", pa.string()),
    ("name", pa.string()),
    ("region_code", pa.string()),
    ("municipality_code", pa.string()),
    ("unit_type", pa.string()),
    ("is_time_book", pa.bool_()),
    ("latitude", pa.float64()),
    ("longitude", pa.float64()),
    ("valid_from", pa.date32()),
    ("valid_to", pa.date32()),
    ("delivery_date", pa.date32()),
    ("source_file_hash", pa.string()),
    ("source_row", pa.int64()),
])

COLUMNS = ("hsaId", "parentHsaId", "namn", "regionkod", "kommunkod", "enhetstyp", "ar_tidbok",
           "latitud", "longitud", "giltig_from", "giltig_tom")
# `enhetstyp` -> canonical unit type (compared case-insensitively).
UNIT_TYPE_LABELS = {
    "Vårdcentral": "primary_care_centre",
    "Hälsocentral": "primary_care_centre",  # the name some regions use for a vårdcentral
    "Specialistmottagning": "specialist_clinic",
    "Vaccinationsmottagning": "vaccination_clinic",
    "Provtagningsmottagning": "sampling_clinic",
    "Barnmorskemottagning": "midwife_clinic",
    "Mammografimottagning": "mammography_clinic",
    "Fysioterapimottagning": "physiotherapy_clinic",
    "Psykiatrisk mottagning": "psychiatric_clinic",
    "Tidbok": "time_book",
}
UNIT_TYPES = {label.lower(): code for label, code in UNIT_TYPE_LABELS.items()}
TIME_BOOK_FLAG = {"1": True, "0": False}
# Sweden's extent with a margin: catches swapped or mistyped coordinates.
LATITUDE = (55.0, 69.5)
LONGITUDE = (10.5, 24.5)

ADAPTER = "HsaUnits"  # found by ingestion.registry


class HsaUnits(DelimitedFeed):
    feed = "hsa_units"
    tables = {"hsa_units": HSA_UNITS}
    columns = COLUMNS
    delivery_date_columns = ("giltig_from", "giltig_tom")

    def row_rules(self) -> list[pl.Expr]:
        return [
            r.missing("hsaId"), r.not_hsa_id("hsaId"),
            r.not_hsa_id("parentHsaId"),
            r.missing("namn"),
            r.missing("regionkod"), r.unknown_region("regionkod"),
            check(pl.col("kommunkod").is_not_null() & ~pl.col("kommunkod").str.contains(r"^\d{4}$"),
                  "kommunkod", "not a four-digit municipality code"),
            r.missing("enhetstyp"), r.unknown_code("enhetstyp", UNIT_TYPES, UNIT_TYPE_LABELS),
            r.missing("ar_tidbok"), r.unknown_code("ar_tidbok", TIME_BOOK_FLAG, ("1", "0")),
            # A time book is a child of its care unit (SOURCES.md 3d).
            check((pl.col("ar_tidbok") == "1") & pl.col("parentHsaId").is_null(), "parentHsaId",
                  "missing for a time book (ar_tidbok = 1)"),
            r.bad_decimal("latitud", *LATITUDE),
            r.bad_decimal("longitud", *LONGITUDE),
            r.bad_date("giltig_from"), r.bad_date("giltig_tom"),
            r.date_before("giltig_tom", "giltig_from"),
        ]

    def to_canonical(self, rows: pl.DataFrame, file: LandingFile,
                     delivery_date: dt.date | None) -> pl.DataFrame:
        return rows.select(
            pl.col("hsaId").alias("hsa_id"),
            pl.col("parentHsaId").alias("parent_hsa_id"),
            pl.col("namn").alias("name"),
            pl.col("regionkod").alias("region_code"),
            pl.col("kommunkod").alias("municipality_code"),
            r.coded("enhetstyp", UNIT_TYPES).alias("unit_type"),
            pl.col("ar_tidbok").replace_strict(TIME_BOOK_FLAG, return_dtype=pl.Boolean
                                               ).alias("is_time_book"),
            r.decimal("latitud").alias("latitude"),
            r.decimal("longitud").alias("longitude"),
            r.date("giltig_from").alias("valid_from"),
            r.date("giltig_tom").alias("valid_to"),
            pl.lit(delivery_date, dtype=pl.Date).alias("delivery_date"),
            pl.lit(file.file_hash).alias("source_file_hash"),
            pl.col("line_number").alias("source_row"),
        )
