"""`booking_events`: regions' booking event streams, JSON Lines (SOURCES.md 1b).

Every event becomes one version row of the canonical `bookings` table, its
`eventId` the version's `source_record_id` and its `eventTime` the version's
`changed_at`. Events arrive late, out of order and more than once: the lake
keeps every delivery and dbt orders the versions (one per `eventId`).

Reading is columnar and streamed (`_jsonl.FlatJsonLines`: bounded batches,
polars' JSON reader with this contract's schema, the exact per-line reasons for
every line that is not a clean record); the rules run vectorised, timestamps and
free texts are parsed or scrubbed once per distinct value, and each patient of
a file is pseudonymised once (`_people_cache`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl

from ingestion import canonical
from ingestion.booking_versions import first_field, person_columns, rejected_frame
from ingestion.feeds._jsonl import FlatJsonLines, LineFrame
from ingestion.feeds._people_cache import PeopleCache
from ingestion.feeds.base import Batch, LandingFile, check
from ingestion.feeds.booking_csv import extract_date_from_name
from ingestion.hsa import HSA_ID_PATTERN
from ingestion.iso_time import local_time
from ingestion.json_records import Field, count_json_lines, masked_json
from ingestion.privacy import scrub_expr
from tidbok import codes

_OPTIONAL = Field("string", required=False, nullable=True)
_FLAG = Field("boolean", required=False, nullable=True)
FIELDS = {
    "eventId": Field("string"), "eventType": Field("string"), "eventTime": Field("string"),
    "bookingId": Field("string"), "careUnitId": Field("string"), "timeBookId": Field("string"),
    "patientId": Field("string"), "timeTypeId": _OPTIONAL, "timeTypeName": _OPTIONAL,
    "careService": _OPTIONAL, "contactType": _OPTIONAL, "startTime": Field("string"),
    "endTime": _OPTIONAL, "channel": _OPTIONAL, "referralId": _OPTIONAL,
    "cancelledBy": _OPTIONAL, "cancelReason": _OPTIONAL, "previousStartTime": _OPTIONAL,
    "reminder": _OPTIONAL, "cancelAllowed": _FLAG, "rescheduleAllowed": _FLAG,
}
TIMES = ("eventTime", "startTime", "endTime", "previousStartTime")
IDENTIFIERS = frozenset({"patientId"})

# eventType -> the canonical status the booking has after the event.
EVENT_STATUS = {
    "BookingCreated": "booked", "BookingMoved": "booked", "BookingCancelled": "cancelled",
    "PatientArrived": "attended", "VisitCompleted": "attended", "PatientNoShow": "no_show",
}


def _not_in(column: str, allowed) -> pl.Expr:
    return check(pl.col(column).is_not_null() & ~pl.col(column).is_in(list(allowed)), column,
                 "not one of " + ", ".join(allowed))


def _ts(column: str) -> pl.Expr:
    """A timestamp field in Swedish local time, parsed once per batch (`with_times`)."""
    return pl.col(f"_ts_{column}")


FREE_TEXT = ("timeTypeName", "cancelReason")


def _per_distinct(rows: pl.DataFrame, column: str, expr: pl.Expr, name: str) -> pl.DataFrame:
    """`expr` of `column` computed once per distinct value and joined back: times and
    free texts repeat a lot, so this is several times cheaper than per row."""
    distinct = rows.select(pl.col(column).unique()).with_columns(expr.alias(name))
    return rows.join(distinct, on=column, how="left", maintain_order="left", nulls_equal=True)


def with_times(rows: pl.DataFrame) -> pl.DataFrame:
    """The timestamps parsed (`_ts_<field>`) and the free texts scrubbed (`_scrubbed_<field>`)."""
    for c in TIMES:
        rows = _per_distinct(rows, c, local_time(pl.col(c)), f"_ts_{c}")
    for c in FREE_TEXT:
        rows = _per_distinct(rows, c, scrub_expr(pl.col(c)), f"_scrubbed_{c}")
    return rows


def _not_iso(column: str) -> pl.Expr:
    return check(pl.col(column).is_not_null() & _ts(column).is_null(), column,
                 "not an ISO 8601 timestamp (YYYY-MM-DDThh:mm:ss, optional offset)")


def _not_hsa(column: str) -> pl.Expr:
    return check(pl.col(column).is_not_null() & ~pl.col(column).str.contains(HSA_ID_PATTERN),
                 column, "not an HSA-id (SE<organisation number>-<local part>)")


def row_rules() -> list[pl.Expr]:
    """Rules beyond the shape (presence and JSON types are checked per line first).
    Codes in this feed are the canonical English ones, matched exactly."""
    return [
        _not_in("eventType", EVENT_STATUS),
        _not_iso("eventTime"),
        _not_hsa("careUnitId"),
        _not_hsa("timeBookId"),
        check(pl.col("person_error").is_not_null(), "patientId", pl.col("person_error")),
        _not_in("careService", codes.CARE_SERVICES),
        _not_in("contactType", codes.CONTACT_TYPES),
        _not_iso("startTime"),
        _not_iso("endTime"),
        check(_ts("endTime") < _ts("startTime"), "endTime",
              "before startTime"),
        _not_in("channel", codes.BOOKING_CHANNELS),
        _not_in("cancelledBy", codes.CANCELLED_BY),
        _not_iso("previousStartTime"),
        _not_in("reminder", codes.REMINDERS),
    ]


def to_canonical(rows: pl.DataFrame, file: LandingFile, extract_date) -> pl.DataFrame:
    changed = _ts("eventTime")
    start = _ts("startTime")
    event = pl.col("eventType")
    return rows.select(
        pl.lit(file.region_code).alias("region_code"),
        pl.lit("booking_events").alias("source_feed"),
        pl.col("bookingId").alias("booking_id"),
        pl.col("careUnitId").alias("care_unit_hsa_id"),
        pl.col("timeBookId").alias("time_book_hsa_id"),
        *person_columns(start),
        pl.col("timeTypeId").alias("time_type_code"),
        pl.col("_scrubbed_timeTypeName").alias("time_type_name"),
        pl.col("careService").alias("care_service"),
        pl.col("contactType").alias("contact_type"),
        pl.lit(None, dtype=pl.String).alias("appointment_type"),
        start.alias("start_time"),
        _ts("endTime").alias("end_time"),
        # A creating or moving event is when the booking (its current time) was
        # made, as a CSV rebooking's `Bokad`; other events do not say: null.
        pl.when(event.is_in(["BookingCreated", "BookingMoved"])).then(changed).alias("booked_at"),
        pl.col("channel").fill_null("unknown").alias("booking_channel"),
        pl.col("referralId").alias("referral_id"),
        event.replace_strict(EVENT_STATUS, return_dtype=pl.String).alias("status"),
        pl.when(event == "BookingCancelled").then(changed).alias("cancelled_at"),
        pl.col("cancelledBy").alias("cancelled_by"),
        pl.col("_scrubbed_cancelReason").alias("cancel_reason"),
        pl.lit(None, dtype=pl.String).alias("rebooked_from_booking_id"),
        pl.col("reminder"),
        changed.alias("changed_at"),
        pl.coalesce(pl.lit(extract_date, dtype=pl.Date), changed.dt.date()).alias("extract_date"),
        pl.col("eventId").alias("source_record_id"),
        pl.lit(file.file_hash).alias("source_file_hash"),
        pl.col("line_number").alias("source_row"),
    )


ADAPTER = "BookingEvents"  # found by ingestion.registry


class BookingEvents:
    feed = "booking_events"
    tables = {"bookings": canonical.BOOKINGS}
    encoding = "utf-8"

    def __init__(self, work_dir: Path):
        self.work_dir = work_dir  # unused: JSON Lines are read in place

    def read(self, file: LandingFile) -> Iterator[Batch]:
        extract_date = extract_date_from_name(file.path.name)
        rules = row_rules()
        people = PeopleCache()  # each patient of the file resolved once
        for lines in FlatJsonLines(FIELDS, "event lines").batches(file.path):
            yield self._batch(lines, file, extract_date, rules, people)

    def count_records(self, path: Path) -> int:
        return count_json_lines(path)

    def _batch(self, lines: LineFrame, file: LandingFile, extract_date, rules,
               people: PeopleCache) -> Batch:
        rows = people.join(with_times(lines.rows), "patientId")
        rows = rows.with_columns(pl.concat_str([pl.col("shape_errors"), *rules], separator="; ",
                                               ignore_nulls=True).alias("errors"))
        failed = pl.col("errors").is_not_null() & (pl.col("errors") != "")
        bad = rows.filter(failed)
        good = rows.filter(~failed)
        pseudonyms = people.pseudonyms(bad["patientId"].to_list()) if bad.height else {}
        rejected = [(n, "(line)", reason, None) for n, reason in lines.broken]
        rejected += [(n, first_field(reason), reason,
                      masked_json(lines.record(n), IDENTIFIERS, pseudonyms))
                     for n, reason in bad.select("line_number", "errors").iter_rows()]
        loaded = to_canonical(good, file, extract_date)
        return Batch(loaded={"bookings": loaded}, rejected=rejected_frame(rejected),
                     rows_read=lines.rows_read,
                     days=set(loaded["extract_date"].unique().to_list()))
