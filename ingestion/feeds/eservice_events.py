"""`eservice_events`: residents' use of the 1177 booking e-services (SOURCES.md 3b),
JSON Lines, one event per line.

The resident (`subjectOfCare`) is pseudonymised at the gate. Events may be
delivered more than once: every copy is loaded, and each copy after the first
in a file is flagged `is_duplicate` (dbt keeps one row per `event_id`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pyarrow as pa

from ingestion.canonical import TS
from ingestion.delimited import BATCH_ROWS, FileRejected
from ingestion.encoding import UndetectableEncoding, detect_encoding
from ingestion.feeds import _field_rules as r
from ingestion.feeds._csv_common import ends_with_newline
from ingestion.feeds.base import Batch, LandingFile, check
from ingestion.feeds.booking_csv import age_band_expr
from ingestion.people import resolve_people
from ingestion.privacy import SCRUBBED, quote_value, scrub_expr

# One row per event line delivered (duplicates included, flagged).
ESERVICE_EVENTS = pa.schema([
    ("region_code", pa.string()),  # the landing folder: a county code or "national"
    ("event_id", pa.string()),
    ("session_id", pa.string()),
    ("event_time", TS),
    ("resident_pseudonym", pa.string()),
    ("resident_id_type", pa.string()),
    ("birth_year", pa.int16()),
    ("age_band", pa.string()),
    ("sex", pa.string()),
    ("service", pa.string()),
    ("event", pa.string()),
    ("unit_hsa_id", pa.string()),
    ("time_type_id", pa.string()),
    ("result_code", pa.string()),
    ("auth_method", pa.string()),
    ("is_duplicate", pa.bool_()),
    ("source_file_hash", pa.string()),
    ("source_row", pa.int64()),
])

FIELDS = ("eventId", "sessionId", "timestamp", "subjectOfCare", "service", "event", "unitHsaId",
          "timeTypeId", "resultCode", "authMethod")
REQUIRED = ("eventId", "sessionId", "timestamp", "service", "event")
RECORD = pl.Struct({name: pl.String for name in FIELDS})
# A key of a JSON object: a string followed by a colon (inside a JSON string a
# quote is always escaped, so this never matches text within a value).
_KEY = r'"(?:[^"\\]|\\.)*"\s*:'

# `service` -> canonical service.
SERVICE_LABELS = {"bokade_tider": "view_bookings", "webbtidbok": "web_booking",
                  "triage": "triage", "uthopp": "external_booking"}
SERVICES = {label.lower(): code for label, code in SERVICE_LABELS.items()}
EVENT_CODES = (
    "view_upcoming", "view_history", "search_slots", "book_started", "book_again_started",
    "book_completed", "rebook_completed", "cancel_completed", "add_to_calendar",
    "triage_started", "triage_completed", "referral_issued", "jump_out",
    "return_from_jump_out", "error",
)
EVENTS = {code: code for code in EVENT_CODES}
# resultCode: crm:scheduling 1.1 ResultCodeEnum (OK, ERROR, INFO; the reference
# XSD) and the error codes of its successor supportprocess:logistics:scheduling 2
# (ResultCodeEnum), which SOURCES.md 3b quotes. Kept verbatim: a national code list.
RESULT_CODE_LIST = (
    "OK", "ERROR", "INFO",
    "REQUESTED_TIME_IS_ALREADY_RESERVED", "REQUESTED_TIME_HAS_ALREADY_PASSED",
    "REQUESTED_TIME_IS_NO_LONGER_AVAILABLE", "TOO_LATE_TO_MAKE_APPOINTMENT",
    "USER_IS_ALREADY_OCCUPIED", "APPOINTMENT_IS_NOT_ALLOWED", "APPOINTMENT_IS_ALREADY_CANCELED",
    "APPOINTMENT_IS_ALREADY_UPDATED", "TOO_LATE_TO_UPDATE_APPOINTMENT",
    "APPOINTMENT_DOES_NOT_EXIST", "UPDATE_APPOINTMENT_IS_NOT_ALLOWED",
    "TOO_LATE_TO_CANCEL_APPOINTMENT", "CANCEL_IS_NOT_ALLOWED", "APPOINTMENT_IS_ALREADY_CONFIRMED",
    "TOO_LATE_TO_CONFIRM_APPOINTMENT", "CONFIRM_IS_NOT_ALLOWED",
)
RESULT_CODES = {code.lower(): code for code in RESULT_CODE_LIST}
AUTH_METHOD_LIST = ("bankid_mobile", "bankid_file", "freja", "other")
AUTH_METHODS = {code: code for code in AUTH_METHOD_LIST}

ADAPTER = "EserviceEvents"  # found by ingestion.registry


def event_time(column: str = "timestamp") -> pl.Expr:
    """ISO 8601 with an offset (or Z) -> Swedish local time; without one it already is."""
    text = pl.col(column).str.replace(" ", "T", literal=True)
    with_offset = text.str.contains(r"(Z|[+-]\d{2}:?\d{2})$")
    offset = (text.str.replace(r"Z$", "+00:00")
              .str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%z", strict=False, time_unit="us",
                               time_zone="UTC")
              .dt.convert_time_zone("Europe/Stockholm").dt.replace_time_zone(None))
    local = pl.coalesce(
        text.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", strict=False, time_unit="us"),
        text.str.to_datetime("%Y-%m-%dT%H:%M", strict=False, time_unit="us"),
    )
    return pl.when(with_offset).then(offset).otherwise(local)


def row_rules() -> list[pl.Expr]:
    """Every rule an event must pass; each names its field, none quotes a value.
    Rows carry `event_time` (parsed once) and the resident's facts (resolve_people)."""
    return [
        r.missing("eventId"),
        r.missing("sessionId"),
        r.missing("timestamp"),
        check(pl.col("timestamp").is_not_null() & pl.col("event_time").is_null(), "timestamp",
              "not an ISO 8601 timestamp"),
        # A resident may be absent (an error before log-in), never invalid.
        check(pl.col("person_error").is_not_null(), "subjectOfCare", pl.col("person_error")),
        r.missing("service"), r.unknown_code("service", SERVICES, SERVICE_LABELS),
        r.missing("event"), r.unknown_code("event", EVENTS, EVENT_CODES),
        r.not_hsa_id("unitHsaId"),
        r.unknown_code("resultCode", RESULT_CODES, ("OK", "ERROR", "INFO",
                                                   "the RIVTA scheduling error codes")),
        r.unknown_code("authMethod", AUTH_METHODS, AUTH_METHOD_LIST),
    ]


def to_canonical(rows: pl.DataFrame, file: LandingFile) -> pl.DataFrame:
    at = pl.col("event_time")
    return rows.select(
        pl.lit(file.region_code).alias("region_code"),
        pl.col("eventId").alias("event_id"),
        pl.col("sessionId").alias("session_id"),
        at,
        pl.col("patient_pseudonym").alias("resident_pseudonym"),
        pl.col("patient_id_type").alias("resident_id_type"),
        pl.col("birth_date").dt.year().cast(pl.Int16).alias("birth_year"),
        age_band_expr(r.age_on(at, pl.col("birth_date"))).alias("age_band"),
        "sex",
        r.coded("service", SERVICES).alias("service"),
        r.coded("event", EVENTS).alias("event"),
        pl.col("unitHsaId").alias("unit_hsa_id"),
        pl.col("timeTypeId").alias("time_type_id"),
        r.coded("resultCode", RESULT_CODES).alias("result_code"),
        r.coded("authMethod", AUTH_METHODS).alias("auth_method"),
        pl.col("is_duplicate"),
        pl.lit(file.file_hash).alias("source_file_hash"),
        pl.col("line_number").alias("source_row"),
    )


def masked_record(rows: pl.DataFrame) -> pl.Expr:
    """A rejected event as JSON with the resident replaced by the pseudonym."""
    fields = [scrub_expr(pl.col(c)).alias(c) for c in FIELDS if c != "subjectOfCare"]
    return pl.struct([pl.col("patient_pseudonym").alias("subjectOfCare (pseudonym)"), *fields]
                     ).struct.json_encode()


def masked_line(line: pl.Expr) -> pl.Expr:
    """An unreadable line, its subjectOfCare value and anything like an identifier masked."""
    # The value may be cut off (no closing quote): mask up to the next quote or delimiter.
    masked = line.str.replace_all(r'("subjectOfCare"\s*:\s*)("[^"]*"?|[^,}\s]*)',
                                  f'${{1}}"{SCRUBBED}"')
    return scrub_expr(masked)


def iter_lines(path: Path, batch_rows: int = BATCH_ROWS) -> Iterator[pl.DataFrame]:
    """Yield frames of (line_number, line) for the non-empty lines of a UTF-8 file."""
    lines = pl.scan_csv(
        path, has_header=False, separator="\x1f", quote_char=None, new_columns=["line"],
        schema_overrides={"line": pl.String}, infer_schema=False, encoding="utf8",
        raise_if_empty=False,
    ).with_row_index("line_number", offset=1)
    for batch in lines.collect_batches(chunk_size=batch_rows):
        batch = batch.filter(pl.col("line").str.strip_chars().fill_null("") != "")
        if batch.height:
            yield batch.with_columns(pl.col("line_number").cast(pl.Int64))


def _broken_line_reason(line: str) -> tuple[str, str] | None:
    """(field, reason) when a line cannot become a record; None when it can."""
    try:
        value = json.loads(line)
    except ValueError:
        return "(line)", "(line): not valid JSON"
    if not isinstance(value, dict):
        return "(line)", "(line): not a JSON object"
    for name in FIELDS:
        if isinstance(value.get(name), dict | list):
            return name, f"{name}: an object or list, expected a text value"
    return None


def decode(lines: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(records, broken): the lines as records of FIELDS, and the lines that are not
    JSON objects of scalar values (line_number, field, reason, record)."""
    try:
        decoded = lines.with_columns(pl.col("line").str.json_decode(RECORD).alias("record"),
                                     pl.lit(None, pl.String).alias("field"),
                                     pl.lit(None, pl.String).alias("reason"))
    except pl.exceptions.ComputeError:
        decoded = _decode_line_by_line(lines)
    is_broken = pl.col("record").is_null()  # also a bare `null` line
    broken = decoded.filter(is_broken).select(
        "line_number",
        pl.col("field").fill_null("(line)"),
        pl.col("reason").fill_null("(line): not a JSON object"),
        masked_line(pl.col("line")).alias("record"),
    )
    return decoded.filter(~is_broken), broken


def _decode_line_by_line(lines: pl.DataFrame) -> pl.DataFrame:
    """The rare batch with a line that is not a JSON object of scalars: find which
    in Python, decode the others in Polars."""
    found = [_broken_line_reason(line) for line in lines["line"].to_list()]
    lines = lines.with_columns(
        pl.Series("field", [f[0] if f else None for f in found], dtype=pl.String),
        pl.Series("reason", [f[1] if f else None for f in found], dtype=pl.String))
    readable = pl.col("reason").is_null()
    return pl.concat([
        lines.filter(readable).with_columns(pl.col("line").str.json_decode(RECORD).alias("record")),
        lines.filter(~readable).with_columns(pl.lit(None, dtype=RECORD).alias("record")),
    ]).sort("line_number")


def check_keys(records: pl.DataFrame) -> None:
    """Schema drift rejects the file: a field outside the contract (a renamed one),
    or a required field absent from every record of the batch."""
    # Fast: remove the contract's keys (quoted names), look for any key left over;
    # only such lines are taken apart to name the unexpected fields.
    names = [f'"{name}"' for name in FIELDS]
    leftover = pl.col("line").str.replace_many(names, [""] * len(names))
    odd = records.filter(leftover.str.contains(_KEY))
    keys = set(odd.select(
        pl.col("line").str.extract_all(_KEY).explode().unique()
        .str.extract(r'^"(.*)"\s*:$', 1).str.replace_all(r"\\(.)", "${1}")
    ).to_series().drop_nulls().to_list())
    unexpected = sorted(keys - set(FIELDS))
    absent = [name for name in REQUIRED
              if records["record"].struct.field(name).null_count() == records.height
              and not records["line"].str.contains(f'"{name}"', literal=True).any()]
    detail = []
    if absent:
        detail.append("field(s) missing from every record: " + ", ".join(absent))
    if unexpected:
        detail.append("unexpected field(s) " + ", ".join(quote_value(k) for k in unexpected))
    if detail:
        raise FileRejected("records do not match the eservice_events contract: "
                           + "; ".join(detail))


class EserviceEvents:
    feed = "eservice_events"
    tables = {"eservice_events": ESERVICE_EVENTS}

    def __init__(self, work_dir: Path):
        self.work_dir = work_dir
        self.encoding: str | None = None

    def count_records(self, path: Path) -> int:
        """Records in a wholly rejected file: its non-empty lines (no header)."""
        with path.open("rb") as fh:
            return sum(1 for line in fh if line.strip())

    def read(self, file: LandingFile) -> Iterator[Batch]:
        try:
            self.encoding = detect_encoding(file.path)
        except UndetectableEncoding as exc:
            raise FileRejected(f"cannot detect the text encoding: {exc}") from None
        if self.encoding == "cp1252":
            raise FileRejected("JSON Lines must be UTF-8 (RFC 8259); the file is not")
        seen = pl.Series("seen", [], dtype=pl.UInt64)  # hashes of event ids loaded so far
        rules = row_rules()
        complete = ends_with_newline(file.path)
        batches = iter_lines(file.path)
        current = next(batches, None)
        while current is not None:
            following = next(batches, None)
            batch, seen = self._batch(current, file, rules, seen,
                                      complete or following is not None)
            yield batch
            current = following

    def _batch(self, lines: pl.DataFrame, file: LandingFile, rules: list[pl.Expr],
               seen: pl.Series, ends_cleanly: bool) -> tuple[Batch, pl.Series]:
        records, broken = decode(lines)
        last_line = lines["line_number"].max()
        if not ends_cleanly and last_line in broken["line_number"]:
            raise FileRejected(f"truncated: the last line ({last_line}) is incomplete and the "
                               "file does not end with a line break")
        if records.height:
            check_keys(records)
        rows = records.select("line_number", pl.col("record").struct.unnest()
                              ).with_columns(event_time().alias("event_time"))
        people = resolve_people(rows["subjectOfCare"])
        rows = rows.join(people, left_on="subjectOfCare", right_on="raw_id", how="left",
                         maintain_order="left")
        rows = rows.with_columns(pl.concat_str(rules, separator="; ", ignore_nulls=True
                                               ).alias("errors"))
        is_bad = pl.col("errors").is_not_null() & (pl.col("errors") != "")
        bad = rows.filter(is_bad)
        good = rows.filter(~is_bad).with_columns(pl.col("eventId").hash().alias("id_hash"))
        good = good.with_columns(
            (~pl.col("id_hash").is_first_distinct() | pl.col("id_hash").is_in(seen.implode()))
            .alias("is_duplicate"))
        seen = pl.concat([seen, good["id_hash"].unique().rename("seen")]).unique()
        rejected = pl.concat([
            broken,
            bad.select("line_number", pl.col("errors").str.extract(r"^([^:]+):").alias("field"),
                       pl.col("errors").alias("reason"), masked_record(bad).alias("record")),
        ]).rename({"line_number": "row_number"})
        loaded = to_canonical(good, file)
        return Batch(loaded={"eservice_events": loaded}, rejected=rejected,
                     rows_read=lines.height,
                     days=set(loaded["event_time"].dt.date().unique().to_list())), seen
