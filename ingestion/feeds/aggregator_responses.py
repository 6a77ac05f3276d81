"""`aggregator_responses`: what each citizen was shown in "Bokade tider", a ZIP per
day of `<requestId>.xml` members, each a RIVTA crm:scheduling 1.1
`GetSubjectOfCareScheduleResponse` (SOURCES.md 2b).

Every member is parsed safely (no DTD, no entities, no network) and validated
against the product's copy of the XSD (ingestion/schemas/). Rows read are the
`timeslotDetail` elements of the members that pass, plus one record for each
member that does not (not XML, not well-formed, not the right document, fails
the XSD): such a member is quarantined whole, named, with the reason. A file
that is not a readable ZIP is rejected whole.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import polars as pl
import pyarrow as pa

from ingestion.canonical import TS
from ingestion.delimited import FileRejected
from ingestion.feeds.aggregator_requests import age_band_at
from ingestion.feeds.base import Batch, LandingFile, check
from ingestion.people import resolve_people
from ingestion.privacy import scrub_expr, scrub_text
from ingestion.rivta import (
    CORE_NS,
    EXT_NS,
    PLATFORM_HSA_ID_PATTERN,
    RESPONDER_NS,
    UnsafeOrBrokenXml,
    local_name,
    parse_xml_safely,
    ts_expr,
    xsd_errors,
)

AGGREGATOR_SHOWN_BOOKINGS = pa.schema([
    ("request_id", pa.string()),
    ("booking_id", pa.string()),
    ("healthcare_facility", pa.string()),
    ("healthcare_facility_name", pa.string()),
    ("start_time", TS),
    ("end_time", TS),
    ("time_type_id", pa.string()),
    ("time_type_name", pa.string()),
    ("care_type_id", pa.string()),
    ("care_type_name", pa.string()),
    ("patient_pseudonym", pa.string()),
    ("patient_id_type", pa.string()),
    ("birth_year", pa.int16()),
    ("age_band", pa.string()),
    ("sex", pa.string()),
    ("cancel_booking_allowed", pa.bool_()),
    ("rebooking_allowed", pa.bool_()),
    ("message_allowed", pa.bool_()),
    ("is_invitation", pa.bool_()),
    ("response_date", pa.date32()),
    ("source_file_hash", pa.string()),
    ("source_member", pa.string()),  # the ZIP member, <requestId>.xml
    ("source_row", pa.int64()),  # position of the timeslotDetail in its member, from 1
])

BATCH_ROWS = 100_000
MAX_MEMBER_BYTES = 8 << 20  # a schedule response is kilobytes; more is a bomb or an error
ROOT = f"{{{RESPONDER_NS}}}GetSubjectOfCareScheduleResponse"
TIMESLOT = f"{{{RESPONDER_NS}}}timeslotDetail"
# The timeslotDetail children we keep (others, e.g. performerName, purpose and reason,
# are personal or clinical free text the statistics do not need).
CORE_FIELDS = ("bookingId", "healthcare_facility", "healthcare_facility_name",
               "startTimeInclusive", "endTimeExclusive", "timeTypeID", "timeTypeName",
               "careTypeID", "careTypeName", "subject_of_care", "cancel_booking_allowed",
               "rebooking_allowed", "message_allowed")
EXT_FIELDS = ("isInvitation",)
FIELDS = CORE_FIELDS + EXT_FIELDS
_KEEP = {f"{{{CORE_NS}}}{f}": f for f in CORE_FIELDS} | {f"{{{EXT_NS}}}{f}": f
                                                         for f in EXT_FIELDS}
XSD_BOOLEAN = {"true": True, "1": True, "false": False, "0": False}
_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?!\d)")

ADAPTER = "AggregatorResponses"  # found by ingestion.registry


class MemberRejected(Exception):
    """One member cannot be read as a schedule response; the message names why."""


def read_member(data: bytes) -> list[dict[str, str | None]]:
    """The kept fields of every timeslotDetail of one member, or MemberRejected."""
    try:
        root = parse_xml_safely(data)
    except UnsafeOrBrokenXml as exc:
        raise MemberRejected(str(exc)) from None
    if root.tag != ROOT:
        raise MemberRejected(f"root element is {local_name(root.tag)!r}, expected "
                             f"GetSubjectOfCareScheduleResponse in {RESPONDER_NS}")
    errors = xsd_errors(root)
    if errors:
        raise MemberRejected("fails the XSD (GetSubjectOfCareScheduleResponder 1.1): "
                             + "; ".join(errors))
    slots = []
    for detail in root.iter(TIMESLOT):
        values = dict.fromkeys(FIELDS)
        for child in detail:
            name = _KEEP.get(child.tag)
            if name:
                values[name] = (child.text or "").strip() or None
        slots.append(values)
    return slots


def rules() -> list[pl.Expr]:
    """Rules beyond the XSD: what the statistics need to use a shown booking."""
    start, end = pl.col("start_time"), pl.col("end_time")
    return [
        check(pl.col("bookingId").is_null(), "bookingId",
              "missing: a shown booking cannot be matched to the time book without it"),
        check(~pl.col("healthcare_facility").str.contains(PLATFORM_HSA_ID_PATTERN),
              "healthcare_facility", "not an HSA-id (SE<organisation number>-<local part>)"),
        check(pl.col("startTimeInclusive").is_not_null() & start.is_null(), "startTimeInclusive",
              "not a real time YYYYMMDDhhmmss"),
        check(pl.col("endTimeExclusive").is_not_null() & end.is_null(), "endTimeExclusive",
              "not a real time YYYYMMDDhhmmss"),
        check(end < start, "endTimeExclusive", "before startTimeInclusive"),
        check(pl.col("person_error").is_not_null(), "subject_of_care", pl.col("person_error")),
    ]


def _boolean(column: str) -> pl.Expr:
    return pl.col(column).replace_strict(XSD_BOOLEAN, default=None, return_dtype=pl.Boolean)


def response_date_from_name(name: str) -> dt.date | None:
    match = _DATE_IN_NAME.search(name)
    if not match:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


class AggregatorResponses:
    feed = "aggregator_responses"
    tables = {"aggregator_shown_bookings": AGGREGATOR_SHOWN_BOOKINGS}
    encoding = None  # each XML member declares its own

    def __init__(self, work_dir: Path):
        self.work_dir = work_dir

    def count_records(self, path: Path) -> int:
        """A ZIP rejected whole: its members if the directory can be read, else 1."""
        try:
            with zipfile.ZipFile(path) as archive:
                return sum(1 for info in archive.infolist() if not info.is_dir())
        except (zipfile.BadZipFile, OSError):
            return 1

    def read(self, file: LandingFile) -> Iterator[Batch]:
        try:
            archive = zipfile.ZipFile(file.path)
        except zipfile.BadZipFile as exc:
            raise FileRejected(f"not a readable ZIP file (truncated or not a ZIP): {exc}"
                               ) from None
        with archive:
            day = response_date_from_name(file.path.name)
            slots: list[dict] = []
            rejects: list[tuple] = []
            members = [info for info in archive.infolist() if not info.is_dir()]
            for position, info in enumerate(members, start=1):
                try:
                    found = read_member(_member_bytes(archive, info, position))
                    request_id = _request_id(info.filename)
                except MemberRejected as exc:
                    rejects.append(_member_reject(position, info.filename, str(exc)))
                else:
                    member_day = day or dt.date(*info.date_time[:3])
                    for k, values in enumerate(found, start=1):
                        slots.append({**values, "position": position,
                                      "member": info.filename, "request_id": request_id,
                                      "slot": k, "response_date": member_day})
                if len(slots) + len(rejects) >= BATCH_ROWS:
                    yield self._batch(slots, rejects, file)
                    slots, rejects = [], []
            if slots or rejects:
                yield self._batch(slots, rejects, file)

    def _batch(self, slots: list[dict], rejects: list[tuple], file: LandingFile) -> Batch:
        rows = pl.DataFrame(slots, schema={
            **dict.fromkeys(FIELDS, pl.String), "position": pl.Int64, "member": pl.String,
            "request_id": pl.String, "slot": pl.Int64, "response_date": pl.Date})
        people = resolve_people(rows["subject_of_care"])
        rows = rows.join(people, left_on="subject_of_care", right_on="raw_id", how="left",
                         maintain_order="left").with_columns(
            ts_expr(pl.col("startTimeInclusive")).alias("start_time"),
            ts_expr(pl.col("endTimeExclusive")).alias("end_time"))
        rows = rows.with_columns(pl.concat_str(rules(), separator="; ", ignore_nulls=True
                                               ).alias("errors"))
        failed = pl.col("errors").is_not_null() & (pl.col("errors") != "")
        bad, good = rows.filter(failed), rows.filter(~failed)
        rejected = pl.concat([
            pl.DataFrame(rejects, orient="row", schema=_REJECTED),
            bad.select(
                pl.col("position").alias("row_number"),
                pl.col("errors").str.extract(r"^([^:]+):").alias("field"),
                pl.format("{} timeslotDetail[{}]: {}", scrub_expr(pl.col("member")),
                          pl.col("slot"), pl.col("errors")).alias("reason"),
                _masked_slot().alias("record"),
            ),
        ])
        loaded = _canonical(good, file)
        return Batch(loaded={"aggregator_shown_bookings": loaded}, rejected=rejected,
                     rows_read=rows.height + len(rejects),
                     days=set(rows["response_date"].drop_nulls().unique().to_list()))


_REJECTED = {"row_number": pl.Int64, "field": pl.String, "reason": pl.String,
             "record": pl.String}


def _member_bytes(archive: zipfile.ZipFile, info: zipfile.ZipInfo, position: int) -> bytes:
    name = PurePosixPath(info.filename).name
    if not name.lower().endswith(".xml"):
        raise MemberRejected("not an XML member (<requestId>.xml expected)")
    if info.file_size > MAX_MEMBER_BYTES:
        raise MemberRejected(f"larger than {MAX_MEMBER_BYTES >> 20} MiB uncompressed")
    try:
        with archive.open(info) as member:
            data = member.read(MAX_MEMBER_BYTES + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        # The delivery itself is damaged (bad CRC, cut-off data): reject the file.
        raise FileRejected(f"damaged ZIP: member {position} cannot be read: {exc}") from None
    except (RuntimeError, NotImplementedError) as exc:  # encrypted, unknown compression
        raise MemberRejected(f"cannot be read: {exc}") from None
    if len(data) > MAX_MEMBER_BYTES:
        raise MemberRejected(f"larger than {MAX_MEMBER_BYTES >> 20} MiB uncompressed")
    return data


def _request_id(member_name: str) -> str:
    stem = PurePosixPath(member_name).name[:-len(".xml")]
    if not stem:
        raise MemberRejected("the member name holds no requestId")
    if scrub_text(stem) != stem:
        # Never let an identifier into the lake through a file name.
        raise MemberRejected("the member name looks like a personal identity number")
    return stem


def _member_reject(position: int, name: str, reason: str) -> tuple:
    safe_name = scrub_text(name)
    return (position, "(member)", f"{safe_name}: {reason}",
            json.dumps({"member": safe_name}, ensure_ascii=False))


def _masked_slot() -> pl.Expr:
    fields = [scrub_expr(pl.col(f)).alias(f) for f in FIELDS if f != "subject_of_care"]
    # (the TS texts as delivered, not their parse: the record shows the source)
    return pl.struct([scrub_expr(pl.col("member")).alias("member"), pl.col("slot"),
                      pl.col("patient_pseudonym").alias("subject_of_care (pseudonym)"), *fields]
                     ).struct.json_encode()


def _canonical(rows: pl.DataFrame, file: LandingFile) -> pl.DataFrame:
    start = pl.col("start_time")
    return rows.select(
        "request_id",
        pl.col("bookingId").alias("booking_id"),
        "healthcare_facility",
        scrub_expr(pl.col("healthcare_facility_name")).alias("healthcare_facility_name"),
        "start_time",
        "end_time",
        pl.col("timeTypeID").alias("time_type_id"),
        scrub_expr(pl.col("timeTypeName")).alias("time_type_name"),
        pl.col("careTypeID").alias("care_type_id"),
        scrub_expr(pl.col("careTypeName")).alias("care_type_name"),
        "patient_pseudonym",
        "patient_id_type",
        pl.col("birth_date").dt.year().cast(pl.Int16).alias("birth_year"),
        age_band_at(start, pl.col("birth_date")).alias("age_band"),
        "sex",
        _boolean("cancel_booking_allowed").alias("cancel_booking_allowed"),
        _boolean("rebooking_allowed").alias("rebooking_allowed"),
        _boolean("message_allowed").alias("message_allowed"),
        _boolean("isInvitation").alias("is_invitation"),
        "response_date",
        pl.lit(file.file_hash).alias("source_file_hash"),
        pl.col("member").alias("source_member"),
        pl.col("slot").alias("source_row"),
    )
