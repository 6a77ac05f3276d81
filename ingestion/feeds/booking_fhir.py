"""`booking_fhir`: FHIR R4 Appointment bulk exports, NDJSON (SOURCES.md 1c).

Each resource is the current version of one appointment and becomes one
version row of the canonical `bookings` table (`source_record_id` =
id/versionId, `changed_at` = meta.lastUpdated). Resources that are not
bookings by contract (`entered-in-error`; `proposed`, `pending`, `waitlist`)
are not loaded: they are counted in the quarantine with field `status`, so
the ledger still reconciles.

Status decision: `arrived`, `checked-in` and `fulfilled` all mean the resident
came, so they are `attended` as soon as the source says so, whether or not the
visit is over: for the no-show rate what counts is that the patient showed up
(as `PatientArrived` in the event feed). A later version (e.g. `cancelled`)
still supersedes it in dbt.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl

from ingestion import canonical, fhir
from ingestion.booking_versions import (
    first_field,
    gc_paused,
    join_people,
    person_columns,
    rejected_frame,
)
from ingestion.feeds.base import Batch, LandingFile, check
from ingestion.feeds.booking_csv import extract_date_from_name
from ingestion.hsa import HSA_ID_PATTERN
from ingestion.iso_time import local_time, unparseable
from ingestion.json_records import LineBatch, count_json_lines, iter_json_lines, masked_json
from tidbok import codes

# R4 status -> canonical status; the statuses missing here are never loaded.
STATUS = {"booked": "booked", "arrived": "attended", "checked-in": "attended",
          "fulfilled": "attended", "noshow": "no_show", "cancelled": "cancelled"}
NOT_LOADED = {
    "entered-in-error": "entered in error: dropped by contract (SOURCES.md 1c), counted here",
    "proposed": "not a booking yet: dropped by contract (SOURCES.md 1c), counted here",
    "pending": "not a booking yet: dropped by contract (SOURCES.md 1c), counted here",
    "waitlist": "not a booking yet: dropped by contract (SOURCES.md 1c), counted here",
}
APPOINTMENT_TYPE = {"CHECKUP": "check_up", "EMERGENCY": "emergency", "FOLLOWUP": "follow_up",
                    "ROUTINE": "routine", "WALKIN": "walk_in"}
DIGITAL_CANCELLATION = "pat-cpp"  # cancelled by the patient in a portal: 1177, digital
IDENTIFIERS = frozenset({"patientId"})
_DATE = r"^\d{4}-\d{2}-\d{2}$"


def _rule(condition: pl.Expr, column: str, message: pl.Expr | str) -> pl.Expr:
    """A rule on a flat field, reported at its place in the resource."""
    return check(condition, fhir.ELEMENT[column], message)


def _not_in(column: str, allowed) -> pl.Expr:
    return _rule(pl.col(column).is_not_null() & ~pl.col(column).is_in(list(allowed)), column,
                 "not one of " + ", ".join(allowed))


def _not_instant(column: str) -> pl.Expr:
    return _rule(unparseable(pl.col(column), offset_required=True), column,
                 "not an R4 instant (YYYY-MM-DDThh:mm:ss with a time zone)")


def _not_hsa(column: str) -> pl.Expr:
    return _rule(pl.col(column).is_not_null() & ~pl.col(column).str.contains(HSA_ID_PATTERN),
                 column, "not an HSA-id (SE<organisation number>-<local part>)")


def created_time(expr: pl.Expr) -> pl.Expr:
    """`created` is an R4 dateTime: a date-time with a zone, or (here) at least a day."""
    return pl.when(expr.str.contains(_DATE)).then(
        expr.str.to_datetime("%Y-%m-%d", time_unit="us", strict=False)
    ).otherwise(local_time(expr, offset_required=True))


def row_rules() -> list[pl.Expr]:
    """Code lists, formats and R4 invariants, on the flat records."""
    start, end = local_time(pl.col("start"), True), local_time(pl.col("end"), True)
    id_type = pl.col("patientSystem").replace_strict(fhir.PATIENT_SYSTEMS, default=None)
    return [
        _not_in("status", fhir.STATUSES),
        _not_instant("lastUpdated"),
        _rule(pl.col("start").is_null(), "start",
              "missing (a booking without a time cannot be placed)"),
        _not_instant("start"),
        _not_instant("end"),
        _rule(pl.col("start").is_null() != pl.col("end").is_null(), "end",
              "start and end are both given or both absent (R4 app-2)"),
        _rule(end < start, "end", "before start"),
        _rule(pl.col("created").is_null(), "created",
              "missing (when the booking was made is part of the contract)"),
        _rule(pl.col("created").is_not_null() & created_time(pl.col("created")).is_null(),
              "created", "not an R4 dateTime with at least a day (and a zone when timed)"),
        _rule(pl.col("person_error").is_not_null(), "patientId", pl.col("person_error")),
        _rule(pl.col("patient_id_type").is_not_null() & (pl.col("patient_id_type") != id_type),
              "patientId", pl.format("the number is not a {} (identifier system {})",
                                     id_type, pl.col("patientSystem"))),
        _not_hsa("location"),
        _not_hsa("healthcareService"),
        _not_in("cancelationReason", fhir.CANCELLATION_REASONS),
        _rule(pl.col("cancelationReason").is_not_null()
              & ~pl.col("status").is_in(["cancelled", "noshow"]), "cancelationReason",
              "only for a cancelled or no-show appointment (R4 app-4)"),
        _not_in("serviceType", codes.CARE_SERVICES),
        _not_in("appointmentType", fhir.APPOINTMENT_TYPES),
        _not_in("bookingChannel", codes.BOOKING_CHANNELS),
        _not_in("contactType", codes.CONTACT_TYPES),
    ]


def to_canonical(rows: pl.DataFrame, file: LandingFile, extract_date) -> pl.DataFrame:
    changed = local_time(pl.col("lastUpdated"), True)
    start = local_time(pl.col("start"), True)
    status = pl.col("status").replace_strict(STATUS, default=None, return_dtype=pl.String)
    reason = pl.col("cancelationReason")
    cancelled = pl.col("status") == "cancelled"
    return rows.select(
        pl.lit(file.region_code).alias("region_code"),
        pl.lit("booking_fhir").alias("source_feed"),
        pl.col("id").alias("booking_id"),
        pl.col("location").alias("care_unit_hsa_id"),
        pl.col("healthcareService").alias("time_book_hsa_id"),
        *person_columns(start),
        pl.lit(None, dtype=pl.String).alias("time_type_code"),
        pl.lit(None, dtype=pl.String).alias("time_type_name"),
        pl.col("serviceType").alias("care_service"),
        pl.col("contactType").alias("contact_type"),
        pl.col("appointmentType").replace_strict(APPOINTMENT_TYPE, default=None,
                                                 return_dtype=pl.String).alias("appointment_type"),
        start.alias("start_time"),
        local_time(pl.col("end"), True).alias("end_time"),
        created_time(pl.col("created")).alias("booked_at"),
        # The channel of the latest action: a portal cancellation is digital.
        pl.when(cancelled & (reason == DIGITAL_CANCELLATION)).then(pl.lit("eservice"))
        .otherwise(pl.col("bookingChannel")).fill_null("unknown").alias("booking_channel"),
        pl.col("basedOn").alias("referral_id"),
        status.alias("status"),
        pl.when(cancelled).then(changed).alias("cancelled_at"),
        pl.when(reason.str.starts_with("pat")).then(pl.lit("patient"))
        .when(reason.str.starts_with("prov")).then(pl.lit("provider")).alias("cancelled_by"),
        reason.alias("cancel_reason"),
        pl.lit(None, dtype=pl.String).alias("rebooked_from_booking_id"),
        pl.lit(None, dtype=pl.String).alias("reminder"),
        changed.alias("changed_at"),
        pl.coalesce(pl.lit(extract_date, dtype=pl.Date), changed.dt.date()).alias("extract_date"),
        pl.format("{}/{}", pl.col("id"), pl.col("versionId")).alias("source_record_id"),
        pl.lit(file.file_hash).alias("source_file_hash"),
        pl.col("line_number").alias("source_row"),
    )


def _flatten(lines: LineBatch) -> tuple[pl.DataFrame, dict[int, dict]]:
    data: dict[str, list] = {"line_number": [], "shape_errors": [],
                             **{name: [] for name in fhir.FLAT_FIELDS}}
    flats = {}
    with gc_paused():
        for number, resource in lines.records:
            flat, errors = fhir.flatten_appointment(resource)
            flats[number] = flat
            data["line_number"].append(number)
            data["shape_errors"].append("; ".join(errors) if errors else None)
            for name in fhir.FLAT_FIELDS:
                data[name].append(flat[name])
    schema = {"line_number": pl.Int64, "shape_errors": pl.String,
              **{name: pl.String for name in fhir.FLAT_FIELDS}}
    return pl.DataFrame(data, schema=schema), flats


ADAPTER = "BookingFhir"  # found by ingestion.registry


class BookingFhir:
    feed = "booking_fhir"
    tables = {"bookings": canonical.BOOKINGS}
    encoding = "utf-8"

    def __init__(self, work_dir: Path):
        self.work_dir = work_dir  # unused: NDJSON is read in place

    def read(self, file: LandingFile) -> Iterator[Batch]:
        extract_date = extract_date_from_name(file.path.name)
        rules = row_rules()
        for lines in iter_json_lines(file.path):
            yield self._batch(lines, file, extract_date, rules)

    def count_records(self, path: Path) -> int:
        return count_json_lines(path)

    def _batch(self, lines: LineBatch, file: LandingFile, extract_date, rules) -> Batch:
        rows, flats = _flatten(lines)
        rows, pseudonyms = join_people(rows, "patientId")
        not_loaded = pl.col("status").replace_strict(NOT_LOADED, default=None,
                                                     return_dtype=pl.String)
        rows = rows.with_columns(
            pl.when(pl.col("resourceType").fill_null("") != "Appointment")
            .then(pl.col("shape_errors"))  # nothing else applies to another resource
            .when(not_loaded.is_not_null())
            .then(pl.format("status: {}: {}", pl.col("status"), not_loaded))
            .otherwise(pl.concat_str([pl.col("shape_errors"), *rules], separator="; ",
                                     ignore_nulls=True))
            .alias("errors"))
        failed = pl.col("errors").is_not_null() & (pl.col("errors") != "")
        bad, good = rows.filter(failed), rows.filter(~failed)
        rejected = [(n, "(line)", reason, None) for n, reason in lines.broken]
        rejected += [(n, first_field(reason), reason,
                      masked_json(flats[n], IDENTIFIERS, pseudonyms))
                     for n, reason in bad.select("line_number", "errors").iter_rows()]
        loaded = to_canonical(good, file, extract_date)
        return Batch(loaded={"bookings": loaded}, rejected=rejected_frame(rejected),
                     rows_read=lines.rows_read,
                     days=set(loaded["extract_date"].unique().to_list()))
