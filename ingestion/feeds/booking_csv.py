"""`booking_csv`: regions' delta extracts of their time books (SOURCES.md 1a).

Every row is one version of a booking; all valid versions are loaded (the
state history) and dbt picks the latest `Ändrad` per booking.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from ingestion import canonical
from ingestion.delimited import FileRejected
from ingestion.feeds._csv_common import DelimitedFeed
from ingestion.feeds._people_cache import PeopleCache
from ingestion.feeds.base import Batch, LandingFile, check
from ingestion.hsa import HSA_ID_PATTERN
from ingestion.privacy import scrub_expr
from tidbok import codes

COLUMNS = [
    "Bokningsid", "Vårdenhet", "Tidbok", "Personnummer", "Tidtyp", "Tidtypsnamn", "Vårdtjänst",
    "Kontakttyp", "Starttid", "Sluttid", "Bokad", "Kanal", "Hänvisning", "Status", "Avbokad",
    "Avbokad av", "Avbokningsorsak", "Ombokad från", "Påminnelse", "Ändrad",
]
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M"
_DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")


TIMES = ("Starttid", "Sluttid", "Bokad", "Avbokad", "Ändrad")
FREE_TEXT = ("Avbokningsorsak",)


def _parse_ts(column: str) -> pl.Expr:
    return pl.col(column).str.strptime(pl.Datetime("us"), TIMESTAMP_FORMAT, strict=False)


def _ts(column: str) -> pl.Expr:
    """A timestamp field, parsed once per batch and distinct value (`with_times`)."""
    return pl.col(f"_ts_{column}")


def _per_distinct(rows: pl.DataFrame, column: str, expr: pl.Expr, name: str) -> pl.DataFrame:
    """`expr` of `column` computed once per distinct value and joined back: times and
    free texts repeat a lot, so this is several times cheaper than per row (and
    each time is parsed once, not once per rule that reads it)."""
    distinct = rows.select(pl.col(column).unique()).with_columns(expr.alias(name))
    return rows.join(distinct, on=column, how="left", maintain_order="left", nulls_equal=True)


def with_times(rows: pl.DataFrame) -> pl.DataFrame:
    """The timestamps parsed (`_ts_<field>`) and the free texts scrubbed (`_scrubbed_<field>`)."""
    for c in TIMES:
        rows = _per_distinct(rows, c, _parse_ts(c), f"_ts_{c}")
    for c in FREE_TEXT:
        rows = _per_distinct(rows, c, scrub_expr(pl.col(c)), f"_scrubbed_{c}")
    return rows


def _coded(column: str, mapping: dict[str, str]) -> pl.Expr:
    return pl.col(column).replace_strict(mapping, default=None, return_dtype=pl.String)


def _not_in(column: str, mapping: dict[str, str]) -> pl.Expr:
    return pl.col(column).is_not_null() & _coded(column, mapping).is_null()


def _unparseable(column: str) -> pl.Expr:
    return pl.col(column).is_not_null() & _ts(column).is_null()


def _listing(mapping: dict[str, str]) -> str:
    return ", ".join(mapping)


def row_rules() -> list[pl.Expr]:
    """Every rule a row must pass; each names its field. Values are never quoted
    here, so no identifier can reach a message."""
    hsa = HSA_ID_PATTERN
    return [
        check(pl.col("Bokningsid").is_null(), "Bokningsid", "missing"),
        check(pl.col("Vårdenhet").is_null(), "Vårdenhet", "missing"),
        check(pl.col("Vårdenhet").is_not_null() & ~pl.col("Vårdenhet").str.contains(hsa),
              "Vårdenhet", "not an HSA-id (SE<organisation number>-<local part>)"),
        check(pl.col("Tidbok").is_null(), "Tidbok", "missing"),
        check(pl.col("Tidbok").is_not_null() & ~pl.col("Tidbok").str.contains(hsa),
              "Tidbok", "not an HSA-id (SE<organisation number>-<local part>)"),
        check(pl.col("Personnummer").is_null(), "Personnummer", "missing"),
        check(pl.col("person_error").is_not_null(), "Personnummer", pl.col("person_error")),
        check(_not_in("Vårdtjänst", {c: c for c in codes.CARE_SERVICES}), "Vårdtjänst",
              "not one of " + ", ".join(codes.CARE_SERVICES)),
        check(_not_in("Kontakttyp", codes.CSV_CONTACT_TYPE), "Kontakttyp",
              "not one of " + _listing(codes.CSV_CONTACT_TYPE)),
        check(pl.col("Starttid").is_null(), "Starttid", "missing"),
        check(_unparseable("Starttid"), "Starttid", "not a timestamp YYYY-MM-DD HH:MM"),
        check(_unparseable("Sluttid"), "Sluttid", "not a timestamp YYYY-MM-DD HH:MM"),
        check(_ts("Sluttid") < _ts("Starttid"), "Sluttid", "before Starttid"),
        check(pl.col("Bokad").is_null(), "Bokad", "missing"),
        check(_unparseable("Bokad"), "Bokad", "not a timestamp YYYY-MM-DD HH:MM"),
        check(_not_in("Kanal", codes.CSV_CHANNEL), "Kanal",
              "not one of " + _listing(codes.CSV_CHANNEL)),
        check(pl.col("Status").is_null(), "Status", "missing"),
        check(_not_in("Status", codes.CSV_STATUS), "Status",
              "not one of " + _listing(codes.CSV_STATUS)),
        check(_unparseable("Avbokad"), "Avbokad", "not a timestamp YYYY-MM-DD HH:MM"),
        check(_not_in("Avbokad av", codes.CSV_CANCELLED_BY), "Avbokad av",
              "not one of " + _listing(codes.CSV_CANCELLED_BY)),
        check(_not_in("Påminnelse", codes.CSV_REMINDER), "Påminnelse",
              "not one of " + _listing(codes.CSV_REMINDER)),
        check(pl.col("Ändrad").is_null(), "Ändrad", "missing"),
        check(_unparseable("Ändrad"), "Ändrad", "not a timestamp YYYY-MM-DD HH:MM"),
    ]


def _age_at(start: pl.Expr, birth: pl.Expr) -> pl.Expr:
    before_birthday = (start.dt.month() * 100 + start.dt.day()) < (
        birth.dt.month() * 100 + birth.dt.day())
    return (start.dt.year() - birth.dt.year() - before_birthday.cast(pl.Int32)).cast(pl.Int32)


def age_band_expr(age: pl.Expr) -> pl.Expr:
    expr = pl.lit(None, dtype=pl.String)
    for low, high, label in reversed(codes.AGE_BANDS):
        expr = pl.when(age.is_between(low, high)).then(pl.lit(label)).otherwise(expr)
    return expr


def to_canonical(rows: pl.DataFrame, file: LandingFile, extract_date) -> pl.DataFrame:
    start = _ts("Starttid")
    return rows.select(
        pl.lit(file.region_code).alias("region_code"),
        pl.lit("booking_csv").alias("source_feed"),
        pl.col("Bokningsid").alias("booking_id"),
        pl.col("Vårdenhet").alias("care_unit_hsa_id"),
        pl.col("Tidbok").alias("time_book_hsa_id"),
        "patient_pseudonym",
        "patient_id_type",
        pl.col("birth_date").dt.year().cast(pl.Int16).alias("birth_year"),
        age_band_expr(_age_at(start, pl.col("birth_date"))).alias("age_band"),
        "sex",
        pl.col("Tidtyp").alias("time_type_code"),
        pl.col("Tidtypsnamn").alias("time_type_name"),
        pl.col("Vårdtjänst").alias("care_service"),
        _coded("Kontakttyp", codes.CSV_CONTACT_TYPE).alias("contact_type"),
        pl.lit(None, dtype=pl.String).alias("appointment_type"),  # not in this feed
        start.alias("start_time"),
        _ts("Sluttid").alias("end_time"),
        _ts("Bokad").alias("booked_at"),
        _coded("Kanal", codes.CSV_CHANNEL).fill_null("unknown").alias("booking_channel"),
        pl.col("Hänvisning").alias("referral_id"),
        _coded("Status", codes.CSV_STATUS).alias("status"),
        _ts("Avbokad").alias("cancelled_at"),
        _coded("Avbokad av", codes.CSV_CANCELLED_BY).alias("cancelled_by"),
        pl.col("_scrubbed_Avbokningsorsak").alias("cancel_reason"),
        pl.col("Ombokad från").alias("rebooked_from_booking_id"),
        _coded("Påminnelse", codes.CSV_REMINDER).alias("reminder"),
        _ts("Ändrad").alias("changed_at"),
        pl.coalesce(pl.lit(extract_date, dtype=pl.Date),
                    _ts("Ändrad").dt.date()).alias("extract_date"),
        pl.lit(None, dtype=pl.String).alias("source_record_id"),
        pl.lit(file.file_hash).alias("source_file_hash"),
        pl.col("line_number").alias("source_row"),
    )


def masked_record(rows: pl.DataFrame) -> pl.Expr:
    """The rejected row as JSON with the identifier replaced by its pseudonym."""
    fields = [scrub_expr(pl.col(c)).alias(c) for c in COLUMNS if c != "Personnummer"]
    return pl.struct([pl.col("patient_pseudonym").alias("Personnummer (pseudonym)"), *fields]
                     ).struct.json_encode()


def extract_date_from_name(name: str):
    import datetime as dt

    match = _DATE_IN_NAME.search(name)
    return dt.date.fromisoformat(match.group(1)) if match else None


ADAPTER = "BookingCsv"  # found by ingestion.registry


class BookingCsv(DelimitedFeed):
    """Read as every delimited feed (`DelimitedFeed`: encoding, streamed batches, wrong
    field counts, truncation); its own are the strict header, the people joined
    before the rules, and the identifier masked in quarantined records."""

    feed = "booking_csv"
    tables = {"bookings": canonical.BOOKINGS}
    columns = tuple(COLUMNS)
    separator = ";"

    def row_rules(self) -> list[pl.Expr]:
        return row_rules()

    def to_canonical(self, rows: pl.DataFrame, file: LandingFile, extract_date) -> pl.DataFrame:
        return to_canonical(rows, file, extract_date)

    def delivery_date(self, path: Path, file: LandingFile, header: list[str]):
        return extract_date_from_name(file.path.name)

    def partition_days(self, loaded: pl.DataFrame, delivery_date) -> set:
        return set(loaded["extract_date"].unique().to_list())

    def check_header(self, header: list[str]) -> None:
        _check_header(header)

    def read(self, file: LandingFile) -> Iterator[Batch]:
        self._people = PeopleCache()  # each person of the file resolved once
        yield from super().read(file)

    def prepare(self, rows: pl.DataFrame) -> pl.DataFrame:
        return with_times(self._people.join(rows, "Personnummer"))

    def _record(self, bad: pl.DataFrame) -> pl.Expr:
        return masked_record(bad).alias("record")


def _check_header(header: list[str]) -> None:
    cleaned = [h.strip().lstrip("\ufeff") for h in header]
    if cleaned == COLUMNS:
        return
    missing = [c for c in COLUMNS if c not in cleaned]
    unexpected = [c for c in cleaned if c not in COLUMNS]
    detail = []
    if missing:
        detail.append("missing column(s) " + ", ".join(missing))
    if unexpected:
        detail.append("unexpected column(s) " + ", ".join(repr(c[:40]) for c in unexpected))
    if not detail:
        detail.append("columns in the wrong order")
    raise FileRejected("header does not match the booking_csv contract: " + "; ".join(detail))
