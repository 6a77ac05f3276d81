"""`population`: residents by region, year, age band and sex (SOURCES.md 3e), the
denominator of digital uptake by age.

`aldersgrupp` must use the product's age bands (tidbok.codes.AGE_BANDS: 0-17,
18-29, 30-49, 50-64, 65-79, 80+), so population and bookings share one band
definition; a file in SCB's finer bands is re-banded before delivery, not here.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pyarrow as pa

from ingestion.delimited import iter_field_batches
from ingestion.feeds import _field_rules as r
from ingestion.feeds._csv_common import DelimitedFeed
from ingestion.feeds.base import LandingFile, check
from tidbok import codes

# One row per region, year, age band and sex, per delivery.
POPULATION = pa.schema([
    ("region_code", pa.string()),
    ("year", pa.int16()),
    ("age_band", pa.string()),
    ("sex", pa.string()),
    ("residents", pa.int32()),
    ("delivery_date", pa.date32()),
    ("source_file_hash", pa.string()),
    ("source_row", pa.int64()),
])

COLUMNS = ("regionkod", "ar", "aldersgrupp", "kon", "antal")
AGE_BANDS = {label: label for _, _, label in codes.AGE_BANDS}
# `kon` -> legal sex as in bookings (M/F): SCB's codes 1/2 and its words.
SEX_LABELS = {"1": "M", "2": "F", "M": "M", "K": "F", "F": "F", "män": "M", "man": "M",
              "kvinnor": "F", "kvinna": "F"}
SEX = {label.lower(): code for label, code in SEX_LABELS.items()}
YEARS = (1900, 2100)

ADAPTER = "Population"  # found by ingestion.registry


def _year(column: str) -> pl.Expr:
    year = r.whole_number(column)
    return pl.when(pl.col(column).str.contains(r"^\d{4}$") & year.is_between(*YEARS)).then(year)


class Population(DelimitedFeed):
    feed = "population"
    tables = {"population": POPULATION}
    columns = COLUMNS
    separator = ","

    def row_rules(self) -> list[pl.Expr]:
        return [
            r.missing("regionkod"), r.unknown_region("regionkod"),
            r.missing("ar"),
            check(pl.col("ar").is_not_null() & _year("ar").is_null(), "ar",
                  f"not a year {YEARS[0]}-{YEARS[1]}"),
            r.missing("aldersgrupp"), r.unknown_code("aldersgrupp", AGE_BANDS, AGE_BANDS),
            r.missing("kon"), r.unknown_code("kon", SEX, SEX_LABELS),
            r.missing("antal"), r.bad_whole_number("antal"),
        ]

    def to_canonical(self, rows: pl.DataFrame, file: LandingFile,
                     delivery_date: dt.date | None) -> pl.DataFrame:
        return rows.select(
            pl.col("regionkod").alias("region_code"),
            _year("ar").cast(pl.Int16).alias("year"),
            r.coded("aldersgrupp", AGE_BANDS).alias("age_band"),
            r.coded("kon", SEX).alias("sex"),
            r.whole_number("antal").alias("residents"),
            pl.lit(delivery_date, dtype=pl.Date).alias("delivery_date"),
            pl.lit(file.file_hash).alias("source_file_hash"),
            pl.col("line_number").alias("source_row"),
        )

    def delivery_date(self, path: Path, file: LandingFile, header: list[str]) -> dt.date | None:
        """The date in the file name, else 31 December of the latest year (SCB counts
        the population at the end of the year)."""
        named = r.date_in_name(file.path.name)
        if named is not None:
            return named
        latest = None
        for fields in iter_field_batches(path, header, self.separator):
            found = fields.select(_year("ar").max()).item()
            if found is not None and (latest is None or found > latest):
                latest = found
        return dt.date(latest, 12, 31) if latest is not None else None
