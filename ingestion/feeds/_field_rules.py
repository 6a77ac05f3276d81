"""The validation vocabulary of the feeds around the booking (SOURCES.md 1e, 3a-3e).

Each function returns Polars expressions: a parsed value, or a rule (see
`ingestion.feeds.base.check`) that names the field and the problem. Messages
never quote a value, so no identifier can reach the quarantine's reason.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from functools import cache

import polars as pl

from ingestion.feeds.base import check
from ingestion.hsa import HSA_ID_PATTERN
from tidbok import config

DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
_WHOLE = r"^\d+$"
_DECIMAL = r"^-?\d+([.,]\d+)?$"  # a decimal comma is accepted (Swedish spreadsheets)
INT32_MAX = 2**31 - 1
# A delivery date in a file name: 2025-03-04 or 20250304, not inside a longer number.
_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?!\d)")


def normalised(column: str) -> pl.Expr:
    """Codes compare case-insensitively: 'Boka', 'boka' and 'BOKA' are one code."""
    return pl.col(column).str.to_lowercase()


def coded(column: str, mapping: dict[str, str]) -> pl.Expr:
    """The canonical code of a source code (mapping keys in lower case), else null."""
    return normalised(column).replace_strict(mapping, default=None, return_dtype=pl.String)


def listing(labels) -> str:
    return ", ".join(labels)


def missing(column: str) -> pl.Expr:
    return check(pl.col(column).is_null(), column, "missing")


def unknown_code(column: str, mapping: dict[str, str], labels) -> pl.Expr:
    """Reject a present value that is not in the code list; `labels` are shown in the reason."""
    return check(pl.col(column).is_not_null() & coded(column, mapping).is_null(), column,
                 "not one of " + listing(labels))


def not_hsa_id(column: str) -> pl.Expr:
    return check(pl.col(column).is_not_null() & ~pl.col(column).str.contains(HSA_ID_PATTERN),
                 column, "not an HSA-id (SE<organisation number>-<local part>)")


def date(column: str) -> pl.Expr:
    """A YYYY-MM-DD date (null when absent or not a real date)."""
    text = pl.col(column)
    return pl.when(text.str.contains(DATE_PATTERN)).then(
        text.str.to_date("%Y-%m-%d", strict=False))


def bad_date(column: str) -> pl.Expr:
    return check(pl.col(column).is_not_null() & date(column).is_null(), column,
                 "not a date YYYY-MM-DD")


def whole_number(column: str) -> pl.Expr:
    """A non-negative whole number that fits a 32-bit integer, else null."""
    text = pl.col(column)
    value = text.str.to_integer(strict=False)
    return pl.when(text.str.contains(_WHOLE) & (value <= INT32_MAX)).then(value).cast(pl.Int32)


def bad_whole_number(column: str) -> pl.Expr:
    return check(pl.col(column).is_not_null() & whole_number(column).is_null(), column,
                 "not a non-negative whole number")


def decimal(column: str) -> pl.Expr:
    text = pl.col(column)
    return pl.when(text.str.contains(_DECIMAL)).then(
        text.str.replace(",", ".", literal=True).cast(pl.Float64, strict=False))


def bad_decimal(column: str, low: float | None = None, high: float | None = None) -> pl.Expr:
    """Reject a present value that is not a number, or outside [low, high]."""
    value = decimal(column)
    bad = pl.col(column).is_not_null() & value.is_null()
    if low is not None:
        bad = bad | (value < low)
    if high is not None:
        bad = bad | (value > high)
    if low is None and high is None:
        return check(bad, column, "not a number")
    if high is None:
        return check(bad, column, f"not a number of at least {low:g}")
    return check(bad, column, f"not a number between {low:g} and {high:g}")


def exceeds(column: str, limit_column: str) -> pl.Expr:
    """`column` > `limit_column`, both parsed as whole numbers (a count within its total)."""
    return check(whole_number(column) > whole_number(limit_column), column,
                 f"greater than {limit_column}")


def date_before(column: str, earlier_column: str) -> pl.Expr:
    return check(date(column) < date(earlier_column), column, f"before {earlier_column}")


@cache
def region_codes() -> tuple[str, ...]:
    """The 21 county codes (the regions seed, from ../reference/regions.csv)."""
    with config.REGIONS_CSV.open(encoding="utf-8", newline="") as fh:
        return tuple(row["regionkod"] for row in csv.DictReader(fh))


def unknown_region(column: str) -> pl.Expr:
    return check(pl.col(column).is_not_null() & ~pl.col(column).is_in(region_codes()), column,
                 "not one of the 21 county codes 01-25 (../reference/regions.csv)")


def date_in_name(name: str) -> dt.date | None:
    """The delivery date a file name carries (…_2025-03-04.csv or …_20250304.csv)."""
    for match in _DATE_IN_NAME.finditer(name):
        try:
            return dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            continue
    return None


def age_on(day: pl.Expr, birth_date: pl.Expr) -> pl.Expr:
    """Age in whole years on `day` (a date or timestamp) of someone born on `birth_date`."""
    before_birthday = (day.dt.month() * 100 + day.dt.day()) < (
        birth_date.dt.month() * 100 + birth_date.dt.day())
    return (day.dt.year() - birth_date.dt.year() - before_birthday.cast(pl.Int32)).cast(pl.Int32)
