"""`platform_stats`: the national service platform's call statistics, one JSON
document per file in exactly the format of skltp's `*.STAT.json` (SOURCES.md 2d):
`plattform`, `startDate`, `endDate` and `statistics[]`, one entry per
consumer, service namespace and logical address.

Rows read are the `statistics` entries; the array is streamed, so a file of
any length is read in bounded memory. A document that is not valid JSON, or
whose header fields are missing or wrong, is rejected whole.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pyarrow as pa

from ingestion.delimited import FileRejected
from ingestion.feeds.base import Batch, LandingFile, check
from ingestion.json_records import (
    Field,
    check_drift,
    iter_document,
    json_type,
    masked_json,
    shape_errors,
)
from ingestion.rivta import BOOKING_DOMAINS, ESERVICES_1177_PREFIX, namespace_parts

PLATFORM_CALLS = pa.schema([
    ("platform", pa.string()),
    ("start_date", pa.date32()),
    ("end_date", pa.date32()),
    ("original_consumer_id", pa.string()),
    ("consumer_id", pa.string()),
    ("calls", pa.int64()),
    ("namespace", pa.string()),
    ("service_domain", pa.string()),  # crm:scheduling (null when not a RIVTA namespace)
    ("interaction", pa.string()),  # GetSubjectOfCareSchedule
    ("major_version", pa.int16()),
    ("logical_address", pa.string()),
    ("average_response_time_ms", pa.float64()),
    ("is_booking_namespace", pa.bool_()),
    ("is_1177_consumer", pa.bool_()),
    ("source_file_hash", pa.string()),
    ("source_row", pa.int64()),  # position of the entry in `statistics`, from 1
])

ARRAY = "statistics"
HEADER_FIELDS = {"plattform": Field("string"), "startDate": Field("string"),
                 "endDate": Field("string")}
ENTRY_FIELDS = {
    "originalConsumerId": Field("string"), "consumerId": Field("string"),
    "calls": Field("integer"), "namespace": Field("string"),
    "logicalAddress": Field("string"), "averageResponseTime": Field("number"),
}
BATCH_ROWS = 200_000
_DATE = "%Y-%m-%d"

ADAPTER = "PlatformStats"  # found by ingestion.registry


def read_header(path: Path) -> dict:
    """`plattform`, `startDate`, `endDate`, wherever they stand in the document
    (usually first, so this stops at once)."""
    header: dict = {}
    for key, value in iter_document(path, ARRAY):
        if key != ARRAY:
            if key in header:
                raise FileRejected(f"not valid: the field {key!r} occurs twice")
            header[key] = value
        if HEADER_FIELDS.keys() <= header.keys():
            break
    errors = shape_errors({k: v for k, v in header.items() if k in HEADER_FIELDS},
                          HEADER_FIELDS)
    unexpected = sorted(k for k in header if k not in HEADER_FIELDS)
    if unexpected:
        errors.append("unexpected field(s) " + ", ".join(repr(k[:40]) for k in unexpected))
    if errors:
        raise FileRejected("the document header does not match the STAT.json contract: "
                           + "; ".join(errors))
    dates = {}
    for name in ("startDate", "endDate"):
        try:
            dates[name] = dt.datetime.strptime(header[name], _DATE).date()
        except ValueError:
            raise FileRejected(f"{name} is not a date YYYY-MM-DD") from None
    if dates["endDate"] < dates["startDate"]:
        raise FileRejected("endDate is before startDate")
    return {"platform": header["plattform"], **dates}


def rules() -> list[pl.Expr]:
    return [
        check(pl.col("calls") < 0, "calls", "negative or beyond 64 bits"),
        check(pl.col("averageResponseTime") < 0, "averageResponseTime", "negative"),
        check(pl.col("averageResponseTime").is_nan() | pl.col("averageResponseTime").is_infinite(),
              "averageResponseTime", "not a finite number"),
    ]


class PlatformStats:
    feed = "platform_stats"
    tables = {"platform_calls": PLATFORM_CALLS}
    encoding = "utf-8"

    def __init__(self, work_dir: Path):
        self.work_dir = work_dir

    def count_records(self, path: Path) -> int:
        """A document rejected whole: its `statistics` entries if it can be read that
        far, else 1 (the document)."""
        try:
            return max(1, sum(1 for key, _ in iter_document(path, ARRAY) if key == ARRAY))
        except (FileRejected, UnicodeDecodeError):
            return 1

    def read(self, file: LandingFile) -> Iterator[Batch]:
        try:
            header = read_header(file.path)
            yield from self._entries(file, header)
        except UnicodeDecodeError:
            raise FileRejected("not valid UTF-8 (JSON must be UTF-8)") from None

    def _entries(self, file: LandingFile, header: dict) -> Iterator[Batch]:
        entries: list[tuple[int, object]] = []
        position = 0
        first = True
        for key, value in iter_document(file.path, ARRAY):
            if key != ARRAY:
                if key not in HEADER_FIELDS:  # the header pass may have stopped before it
                    raise FileRejected("the document header does not match the STAT.json "
                                       f"contract: unexpected field(s) {key[:40]!r}")
                continue
            position += 1
            entries.append((position, value))
            if len(entries) >= BATCH_ROWS:
                yield self._batch(entries, header, file, first)
                entries, first = [], False
        if entries:
            yield self._batch(entries, header, file, first)

    def _batch(self, entries: list[tuple[int, object]], header: dict, file: LandingFile,
               first: bool) -> Batch:
        if first:
            check_drift([v for _, v in entries if isinstance(v, dict)], ENTRY_FIELDS,
                        "statistics entries")
        rows, rejects = [], []
        for position, entry in entries:
            if not isinstance(entry, dict):
                rejects.append((position, "(entry)", f"not a JSON object but {json_type(entry)}",
                                None))
                continue
            errors = shape_errors(entry, ENTRY_FIELDS)
            if errors:
                rejects.append((position, errors[0].split(":", 1)[0], "; ".join(errors),
                                masked_json(entry, frozenset(), {})))
                continue
            rows.append((position, entry["originalConsumerId"], entry["consumerId"],
                         _int64(entry["calls"]), entry["namespace"], entry["logicalAddress"],
                         float(entry["averageResponseTime"])))
        frame = pl.DataFrame(rows, orient="row", schema={
            "position": pl.Int64, "originalConsumerId": pl.String, "consumerId": pl.String,
            "calls": pl.Int64, "namespace": pl.String, "logicalAddress": pl.String,
            "averageResponseTime": pl.Float64})
        frame = frame.with_columns(pl.concat_str(rules(), separator="; ", ignore_nulls=True
                                                 ).alias("errors"))
        failed = pl.col("errors").is_not_null() & (pl.col("errors") != "")
        bad, good = frame.filter(failed), frame.filter(~failed)
        bad_json = [masked_json(e, frozenset(), {}) for e in
                    bad.select(pl.exclude("errors", "position")).to_dicts()]
        rejects += [(p, reason.split(":", 1)[0], reason, record) for p, reason, record
                    in zip(bad["position"], bad["errors"], bad_json, strict=True)]
        rejected = pl.DataFrame(rejects, orient="row", schema={
            "row_number": pl.Int64, "field": pl.String, "reason": pl.String, "record": pl.String,
        }).sort("row_number")
        return Batch(loaded={"platform_calls": _canonical(good, header, file)},
                     rejected=rejected, rows_read=len(entries), days={header["startDate"]})


def _int64(value: int) -> int:
    return value if -(2**63) <= value < 2**63 else -1  # fails the rule, with the field named


def _canonical(rows: pl.DataFrame, header: dict, file: LandingFile) -> pl.DataFrame:
    parts = rows.select(namespace_parts(pl.col("namespace")))
    rows = rows.hstack(parts)
    return rows.select(
        pl.lit(header["platform"]).alias("platform"),
        pl.lit(header["startDate"], dtype=pl.Date).alias("start_date"),
        pl.lit(header["endDate"], dtype=pl.Date).alias("end_date"),
        pl.col("originalConsumerId").alias("original_consumer_id"),
        pl.col("consumerId").alias("consumer_id"),
        "calls",
        "namespace",
        "service_domain",
        "interaction",
        "major_version",
        pl.col("logicalAddress").alias("logical_address"),
        pl.col("averageResponseTime").alias("average_response_time_ms"),
        pl.col("service_domain").is_in(list(BOOKING_DOMAINS)).fill_null(False
                                                                         ).alias("is_booking_namespace"),
        pl.col("originalConsumerId").str.starts_with(ESERVICES_1177_PREFIX
                                                     ).alias("is_1177_consumer"),
        pl.lit(file.file_hash).alias("source_file_hash"),
        pl.col("position").alias("source_row"),
    )
