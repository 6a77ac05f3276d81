"""`aggregator_requests`: the national aggregating service's request log, one
line per citizen view of "Bokade tider" (SOURCES.md 2a).

A line becomes one request row, one row per source system called, and one row
per booking a source returned that 1177 did not show. The line is the record:
if any part of it breaks the contract, the whole line is quarantined.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pyarrow as pa

from ingestion.canonical import TS
from ingestion.feeds.base import Batch, LandingFile, check
from ingestion.json_records import (
    Field,
    LineBatch,
    check_drift,
    count_json_lines,
    iter_json_lines,
    masked_json,
    shape_errors,
)
from ingestion.people import resolve_people
from ingestion.rivta import ESERVICES_1177_PREFIX, PLATFORM_HSA_ID_PATTERN
from tidbok import codes

AGGREGATOR_REQUESTS = pa.schema([
    ("request_id", pa.string()),
    ("requested_at", TS),
    ("consumer_id", pa.string()),
    ("is_1177_consumer", pa.bool_()),
    ("patient_pseudonym", pa.string()),
    ("patient_id_type", pa.string()),
    ("birth_year", pa.int16()),
    ("age_band", pa.string()),
    ("sex", pa.string()),
    ("ei_hits", pa.int32()),
    ("sources_called", pa.int32()),
    ("bookings_shown", pa.int32()),
    ("bookings_hidden", pa.int32()),
    ("source_file_hash", pa.string()),
    ("source_row", pa.int64()),
])

AGGREGATOR_SOURCE_CALLS = pa.schema([
    ("request_id", pa.string()),
    ("requested_at", TS),
    ("call_index", pa.int32()),  # position in the line's `sources` array, from 1
    ("logical_address", pa.string()),
    ("source_system_id", pa.string()),
    ("status", pa.string()),
    ("response_time_ms", pa.int32()),
    ("bookings_returned", pa.int32()),
    ("source_file_hash", pa.string()),
    ("source_row", pa.int64()),
])

AGGREGATOR_HIDDEN_BOOKINGS = pa.schema([
    ("request_id", pa.string()),
    ("requested_at", TS),
    ("booking_id", pa.string()),
    ("logical_address", pa.string()),
    ("reason", pa.string()),
    ("source_file_hash", pa.string()),
    ("source_row", pa.int64()),
])

REQUEST_FIELDS = {
    "requestId": Field("string"), "timestamp": Field("string"),
    "consumerHsaId": Field("string"), "subjectOfCare": Field("string"),
    "eiHits": Field("integer"), "sources": Field("array"),
    "bookingsShown": Field("integer"), "bookingsHidden": Field("array"),
}
SOURCE_FIELDS = {
    "logicalAddress": Field("string"), "sourceSystemHsaId": Field("string"),
    "status": Field("string"),
    # A source that timed out or failed may report no time or count.
    "responseTimeMs": Field("integer", nullable=True),
    "bookingsReturned": Field("integer", nullable=True),
}
HIDDEN_FIELDS = {"bookingId": Field("string"), "logicalAddress": Field("string"),
                 "reason": Field("string")}
IDENTIFIERS = frozenset({"subjectOfCare"})

# Source codes -> canonical codes (English snake_case).
SOURCE_STATUS = {"OK": "ok", "ERROR": "error", "TIMEOUT": "timeout"}
HIDDEN_REASON = {
    "NO_RECEPTION_RELATION": "no_reception_relation",  # no mottagningsrelation in 1177
    "HIDDEN_TIME_TYPE": "hidden_time_type",
    "SERVICE_NOT_ACTIVATED": "service_not_activated",
}
INT32_MAX = 2**31 - 1

# ISO 8601 local time, optionally with an offset (then converted to Swedish time).
_ISO = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})?$"
_HAS_OFFSET = r"(Z|[+-]\d{2}:\d{2})$"

ADAPTER = "AggregatorRequests"  # found by ingestion.registry


def local_time(expr: pl.Expr) -> pl.Expr:
    """ISO 8601 text as naive Swedish local time; null when it is not a real time."""
    text = expr.str.replace(" ", "T", literal=True)
    with_offset = (text.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%#z", strict=False,
                                        time_unit="us")
                   .dt.convert_time_zone("Europe/Stockholm").dt.replace_time_zone(None))
    naive = text.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", strict=False, time_unit="us")
    return (pl.when(~expr.str.contains(_ISO)).then(None)
            .when(expr.str.contains(_HAS_OFFSET)).then(with_offset)
            .otherwise(naive))


def _age_at(when: pl.Expr, birth: pl.Expr) -> pl.Expr:
    before_birthday = (when.dt.month() * 100 + when.dt.day()) < (
        birth.dt.month() * 100 + birth.dt.day())
    return when.dt.year() - birth.dt.year() - before_birthday.cast(pl.Int32)


def age_band_at(when: pl.Expr, birth: pl.Expr) -> pl.Expr:
    age = _age_at(when, birth)
    expr = pl.lit(None, dtype=pl.String)
    for low, high, label in reversed(codes.AGE_BANDS):
        expr = pl.when(age.is_between(low, high)).then(pl.lit(label)).otherwise(expr)
    return expr


def _not_platform_hsa_id(column: str, field: str) -> pl.Expr:
    return check(~pl.col(column).str.contains(PLATFORM_HSA_ID_PATTERN), field,
                 "not an HSA-id (SE<organisation number>-<local part>)")


def _not_in(column: str, field: str, mapping: dict[str, str]) -> pl.Expr:
    return check(~pl.col(column).is_in(list(mapping)), field, "not one of " + ", ".join(mapping))


def _out_of_range(column: str, field: str) -> pl.Expr:
    value = pl.col(column)
    return check(value.is_not_null() & ((value < 0) | (value > INT32_MAX)), field,
                 "not a non-negative 32-bit whole number")


def request_rules() -> list[pl.Expr]:
    return [
        check(pl.col("requested_at").is_null(), "timestamp",
              "not an ISO 8601 time (YYYY-MM-DDThh:mm:ss, optional offset)"),
        check(~pl.col("consumerHsaId").str.contains(PLATFORM_HSA_ID_PATTERN), "consumerHsaId",
              "not a consumer HSA-id (SE…-… or T-SERVICES-SE…-…)"),
        check(pl.col("person_error").is_not_null(), "subjectOfCare", pl.col("person_error")),
        _out_of_range("eiHits", "eiHits"),
        _out_of_range("bookingsShown", "bookingsShown"),
    ]


def _child_field(name: str) -> pl.Expr:
    """`sources[2].status`: the array position (from 0, as in the JSON) and field."""
    return pl.format("{}[{}].{}", pl.col("array"), pl.col("index") - 1, pl.lit(name))


def _child_check(condition: pl.Expr, name: str, message: str) -> pl.Expr:
    return pl.when(condition).then(pl.format("{}: {}", _child_field(name), pl.lit(message)))


def source_rules() -> list[pl.Expr]:
    hsa = PLATFORM_HSA_ID_PATTERN
    value_range = "not a non-negative 32-bit whole number"
    return [
        _child_check(~pl.col("logicalAddress").str.contains(hsa), "logicalAddress",
                     "not an HSA-id (SE<organisation number>-<local part>)"),
        _child_check(~pl.col("sourceSystemHsaId").str.contains(hsa), "sourceSystemHsaId",
                     "not an HSA-id (SE<organisation number>-<local part>)"),
        _child_check(~pl.col("status").is_in(list(SOURCE_STATUS)), "status",
                     "not one of " + ", ".join(SOURCE_STATUS)),
        _child_check(pl.col("responseTimeMs").is_not_null()
                     & ~pl.col("responseTimeMs").is_between(0, INT32_MAX), "responseTimeMs",
                     value_range),
        _child_check(pl.col("bookingsReturned").is_not_null()
                     & ~pl.col("bookingsReturned").is_between(0, INT32_MAX), "bookingsReturned",
                     value_range),
    ]


def hidden_rules() -> list[pl.Expr]:
    return [
        _child_check(~pl.col("logicalAddress").str.contains(PLATFORM_HSA_ID_PATTERN),
                     "logicalAddress", "not an HSA-id (SE<organisation number>-<local part>)"),
        _child_check(~pl.col("reason").is_in(list(HIDDEN_REASON)), "reason",
                     "not one of " + ", ".join(HIDDEN_REASON)),
    ]


class AggregatorRequests:
    feed = "aggregator_requests"
    tables = {
        "aggregator_requests": AGGREGATOR_REQUESTS,  # primary: one row per line
        "aggregator_source_calls": AGGREGATOR_SOURCE_CALLS,
        "aggregator_hidden_bookings": AGGREGATOR_HIDDEN_BOOKINGS,
    }
    encoding = "utf-8"

    def __init__(self, work_dir: Path):
        self.work_dir = work_dir

    def read(self, file: LandingFile) -> Iterator[Batch]:
        first = True
        for lines in iter_json_lines(file.path):
            if first:
                check_drift([obj for _, obj in lines.records], REQUEST_FIELDS, "request lines")
                first = False
            yield self._batch(lines, file)

    def count_records(self, path: Path) -> int:
        return count_json_lines(path)

    def _batch(self, lines: LineBatch, file: LandingFile) -> Batch:
        requests, sources, hidden, shape_rejects = _flatten(lines)
        people = resolve_people(pl.Series([o.get("subjectOfCare") for _, o in lines.records
                                           if isinstance(o.get("subjectOfCare"), str)],
                                          dtype=pl.String))
        requests = requests.join(people, left_on="subjectOfCare", right_on="raw_id",
                                 how="left", maintain_order="left"
                                 ).with_columns(local_time(pl.col("timestamp")).alias("requested_at"))
        errors = pl.concat([
            requests.select("line_number", pl.concat_list(request_rules()).alias("errors")),
            sources.select("line_number", pl.concat_list(source_rules()).alias("errors")),
            hidden.select("line_number", pl.concat_list(hidden_rules()).alias("errors")),
        ]).explode("errors").drop_nulls("errors")
        errors = errors.group_by("line_number", maintain_order=True).agg(
            pl.col("errors").str.join("; "))
        bad_lines = set(errors["line_number"].to_list())
        good = requests.filter(~pl.col("line_number").is_in(bad_lines))

        pseudonyms = dict(zip(people["raw_id"], people["patient_pseudonym"], strict=True))
        objects = dict(lines.records)
        rejected_rows = [(n, "(line)", reason, None) for n, reason in lines.broken]
        rejected_rows += [(n, _first_field(reason), reason,
                           masked_json(objects[n], IDENTIFIERS, pseudonyms))
                          for n, reason in [*shape_rejects,
                                            *zip(errors["line_number"], errors["errors"],
                                                 strict=True)]]
        rejected = pl.DataFrame(rejected_rows, orient="row", schema={
            "row_number": pl.Int64, "field": pl.String, "reason": pl.String, "record": pl.String,
        }).sort("row_number")

        loaded_requests = self._requests(good, file)
        times = loaded_requests.select("source_row", "request_id", "requested_at")
        return Batch(
            loaded={
                "aggregator_requests": loaded_requests,
                "aggregator_source_calls": self._sources(sources, times, file),
                "aggregator_hidden_bookings": self._hidden(hidden, times, file),
            },
            rejected=rejected,
            rows_read=lines.rows_read,
            days=set(loaded_requests["requested_at"].dt.date().unique().to_list()),
        )

    @staticmethod
    def _requests(rows: pl.DataFrame, file: LandingFile) -> pl.DataFrame:
        at = pl.col("requested_at")
        return rows.select(
            pl.col("requestId").alias("request_id"),
            at,
            pl.col("consumerHsaId").alias("consumer_id"),
            pl.col("consumerHsaId").str.starts_with(ESERVICES_1177_PREFIX
                                                    ).alias("is_1177_consumer"),
            "patient_pseudonym",
            "patient_id_type",
            pl.col("birth_date").dt.year().cast(pl.Int16).alias("birth_year"),
            age_band_at(at, pl.col("birth_date")).alias("age_band"),
            "sex",
            pl.col("eiHits").cast(pl.Int32).alias("ei_hits"),
            pl.col("sources_called").cast(pl.Int32),
            pl.col("bookingsShown").cast(pl.Int32).alias("bookings_shown"),
            pl.col("bookings_hidden").cast(pl.Int32),
            pl.lit(file.file_hash).alias("source_file_hash"),
            pl.col("line_number").alias("source_row"),
        )

    @staticmethod
    def _sources(rows: pl.DataFrame, times: pl.DataFrame, file: LandingFile) -> pl.DataFrame:
        rows = rows.join(times, left_on="line_number", right_on="source_row", how="inner",
                         maintain_order="left")
        return rows.select(
            "request_id", "requested_at",
            pl.col("index").cast(pl.Int32).alias("call_index"),
            pl.col("logicalAddress").alias("logical_address"),
            pl.col("sourceSystemHsaId").alias("source_system_id"),
            pl.col("status").replace_strict(SOURCE_STATUS, return_dtype=pl.String),
            pl.col("responseTimeMs").cast(pl.Int32).alias("response_time_ms"),
            pl.col("bookingsReturned").cast(pl.Int32).alias("bookings_returned"),
            pl.lit(file.file_hash).alias("source_file_hash"),
            pl.col("line_number").alias("source_row"),
        )

    @staticmethod
    def _hidden(rows: pl.DataFrame, times: pl.DataFrame, file: LandingFile) -> pl.DataFrame:
        rows = rows.join(times, left_on="line_number", right_on="source_row", how="inner",
                         maintain_order="left")
        return rows.select(
            "request_id", "requested_at",
            pl.col("bookingId").alias("booking_id"),
            pl.col("logicalAddress").alias("logical_address"),
            pl.col("reason").replace_strict(HIDDEN_REASON, return_dtype=pl.String),
            pl.lit(file.file_hash).alias("source_file_hash"),
            pl.col("line_number").alias("source_row"),
        )


_REQUEST_COLUMNS = {"line_number": pl.Int64, "requestId": pl.String, "timestamp": pl.String,
                    "consumerHsaId": pl.String, "subjectOfCare": pl.String, "eiHits": pl.Int64,
                    "sources_called": pl.Int64, "bookingsShown": pl.Int64,
                    "bookings_hidden": pl.Int64}
_SOURCE_COLUMNS = {"line_number": pl.Int64, "array": pl.String, "index": pl.Int64,
                   "logicalAddress": pl.String, "sourceSystemHsaId": pl.String,
                   "status": pl.String, "responseTimeMs": pl.Int64,
                   "bookingsReturned": pl.Int64}
_HIDDEN_COLUMNS = {"line_number": pl.Int64, "array": pl.String, "index": pl.Int64,
                   "bookingId": pl.String, "logicalAddress": pl.String, "reason": pl.String}


def _flatten(lines: LineBatch):
    """Check each line's shape (Python, per line) and flatten the well-shaped ones
    into three frames for the vectorised rules. Returns the frames and the
    (line, reasons) of lines whose shape is wrong."""
    requests, sources, hidden, rejects = [], [], [], []
    for number, obj in lines.records:
        errors = shape_errors(obj, REQUEST_FIELDS)
        own_sources, own_hidden = [], []
        if not errors:
            for i, item in enumerate(obj["sources"]):
                if not isinstance(item, dict):
                    errors.append(f"sources[{i}]: expected object")
                    continue
                errors += shape_errors(item, SOURCE_FIELDS, f"sources[{i}].")
                own_sources.append((number, "sources", i + 1, item.get("logicalAddress"),
                                    item.get("sourceSystemHsaId"), item.get("status"),
                                    item.get("responseTimeMs"), item.get("bookingsReturned")))
            for i, item in enumerate(obj["bookingsHidden"]):
                if not isinstance(item, dict):
                    errors.append(f"bookingsHidden[{i}]: expected object")
                    continue
                errors += shape_errors(item, HIDDEN_FIELDS, f"bookingsHidden[{i}].")
                own_hidden.append((number, "bookingsHidden", i + 1, item.get("bookingId"),
                                   item.get("logicalAddress"), item.get("reason")))
        if errors:
            rejects.append((number, "; ".join(errors)))
            continue
        requests.append((number, obj["requestId"], obj["timestamp"], obj["consumerHsaId"],
                         obj["subjectOfCare"], obj["eiHits"], len(obj["sources"]),
                         obj["bookingsShown"], len(obj["bookingsHidden"])))
        sources += own_sources
        hidden += own_hidden
    return (_frame(requests, _REQUEST_COLUMNS), _frame(sources, _SOURCE_COLUMNS),
            _frame(hidden, _HIDDEN_COLUMNS), rejects)


def _frame(rows: list[tuple], schema: dict) -> pl.DataFrame:
    # Integers beyond 64 bits cannot be stored; they are out of range anyway.
    try:
        return pl.DataFrame(rows, orient="row", schema=schema)
    except (OverflowError, pl.exceptions.ComputeError):
        clipped = [tuple(_clip(v) for v in row) for row in rows]
        return pl.DataFrame(clipped, orient="row", schema=schema)


def _clip(value):
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**63:
        return -1  # fails the range rule, with the field named
    return value


def _first_field(reason: str) -> str:
    return reason.split(":", 1)[0]
