"""`engagement_index`: Engagemangsindex `Update` transactions that reached the
index, one JSON object per line (SOURCES.md 2c).

Field names, required fields and formats follow the EI 1.0 core schema
(`EngagementTransactionType`/`EngagementType` in
itintegration_engagementindex_1.0.xsd): TS timestamps `YYYYMMDDhhmmss`,
`registeredResidentIdentification` as `[0-9]{8}[0-9pPtTfF][0-9]{3}`. A future
booking without a live (not deleted) record is invisible in "Bokade tider".
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pyarrow as pa

from ingestion.canonical import TS
from ingestion.feeds.aggregator_requests import age_band_at
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
from ingestion.rivta import PLATFORM_HSA_ID_PATTERN, ts_expr

ENGAGEMENT_INDEX_UPDATES = pa.schema([
    ("patient_pseudonym", pa.string()),
    ("patient_id_type", pa.string()),
    ("birth_year", pa.int16()),
    ("age_band", pa.string()),
    ("sex", pa.string()),
    ("service_domain", pa.string()),
    ("categorization", pa.string()),
    ("logical_address", pa.string()),
    ("business_object_instance_identifier", pa.string()),  # the booking id for scheduling
    ("clinical_process_interest_id", pa.string()),
    ("most_recent_content", TS),
    ("source_system", pa.string()),
    ("creation_time", TS),
    ("update_time", TS),
    ("data_controller", pa.string()),
    ("owner", pa.string()),
    ("delete_flag", pa.bool_()),
    ("source_file_hash", pa.string()),
    ("source_row", pa.int64()),
])

TRANSACTION_FIELDS = {"deleteFlag": Field("boolean"), "engagement": Field("object")}
# minOccurs as in EngagementType: mostRecentContent, creationTime, updateTime and
# owner are optional, everything else is required.
ENGAGEMENT_FIELDS = {
    "registeredResidentIdentification": Field("string"),
    "serviceDomain": Field("string"),
    "categorization": Field("string"),
    "logicalAddress": Field("string"),
    "businessObjectInstanceIdentifier": Field("string"),
    "clinicalProcessInterestId": Field("string"),
    "mostRecentContent": Field("string", required=False, nullable=True),
    "sourceSystem": Field("string"),
    "creationTime": Field("string", required=False, nullable=True),
    "updateTime": Field("string", required=False, nullable=True),
    "dataController": Field("string"),
    "owner": Field("string", required=False, nullable=True),
}
IDENTIFIERS = frozenset({"registeredResidentIdentification"})
RESIDENT_ID_PATTERN = r"^[0-9]{8}[0-9pPtTfF][0-9]{3}$"  # the XSD's, anchored
# OrgNoType is a bare string in the XSD; in practice a Swedish organisation number,
# sometimes with the "16" prefix.
ORG_NO_PATTERN = r"^(?:16)?[0-9]{10}$"
# xs:anyURI: no whitespace (e.g. riv:crm:scheduling).
URI_PATTERN = r"^\S+$"
TIMES = {"mostRecentContent": "most_recent_content", "creationTime": "creation_time",
         "updateTime": "update_time"}
HSA_REASON = "not an HSA-id (SE<organisation number>-<local part>)"

ADAPTER = "EngagementIndex"  # found by ingestion.registry


def rules() -> list[pl.Expr]:
    hsa = PLATFORM_HSA_ID_PATTERN
    resident = pl.col("registeredResidentIdentification")
    return [
        check(~resident.str.contains(RESIDENT_ID_PATTERN), "registeredResidentIdentification",
              "not 12 characters [0-9]{8}[0-9pPtTfF][0-9]{3} "
              "(RegisteredResidentIdentificationType)"),
        check(resident.str.contains(RESIDENT_ID_PATTERN) & pl.col("person_error").is_not_null(),
              "registeredResidentIdentification", pl.col("person_error")),
        check(~pl.col("serviceDomain").str.contains(URI_PATTERN), "serviceDomain",
              "not a URI (contains whitespace)"),
        check(~pl.col("logicalAddress").str.contains(hsa), "logicalAddress", HSA_REASON),
        check(~pl.col("sourceSystem").str.contains(hsa), "sourceSystem", HSA_REASON),
        check(pl.col("owner").is_not_null() & ~pl.col("owner").str.contains(hsa), "owner",
              HSA_REASON),
        check(~pl.col("dataController").str.contains(ORG_NO_PATTERN), "dataController",
              "not an organisation number (10 digits)"),
        *[check(pl.col(name).is_not_null() & pl.col(column).is_null(), name,
                "not a TS time YYYYMMDDhhmmss") for name, column in TIMES.items()],
    ]


class EngagementIndex:
    feed = "engagement_index"
    tables = {"engagement_index_updates": ENGAGEMENT_INDEX_UPDATES}
    encoding = "utf-8"

    def __init__(self, work_dir: Path):
        self.work_dir = work_dir

    def count_records(self, path: Path) -> int:
        return count_json_lines(path)

    def read(self, file: LandingFile) -> Iterator[Batch]:
        first = True
        for lines in iter_json_lines(file.path):
            if first:
                objects = [obj for _, obj in lines.records]
                check_drift(objects, TRANSACTION_FIELDS, "transaction lines")
                check_drift([o["engagement"] for o in objects
                             if isinstance(o.get("engagement"), dict)],
                            ENGAGEMENT_FIELDS, "engagement objects")
                first = False
            yield self._batch(lines, file)

    def _batch(self, lines: LineBatch, file: LandingFile) -> Batch:
        rows, shape_rejects = [], []
        for number, obj in lines.records:
            errors = shape_errors(obj, TRANSACTION_FIELDS)
            if not errors:
                errors = shape_errors(obj["engagement"], ENGAGEMENT_FIELDS, "engagement.")
            if errors:
                shape_rejects.append((number, "; ".join(errors)))
                continue
            engagement = obj["engagement"]
            rows.append((number, obj["deleteFlag"],
                         *(engagement.get(name) for name in ENGAGEMENT_FIELDS)))
        frame = pl.DataFrame(rows, orient="row", schema={
            "line_number": pl.Int64, "deleteFlag": pl.Boolean,
            **dict.fromkeys(ENGAGEMENT_FIELDS, pl.String)})
        # Every identifier of the batch, also of lines rejected for their shape, so that
        # their quarantine record carries the pseudonym.
        people = resolve_people(pl.Series(
            [o["engagement"].get("registeredResidentIdentification") for _, o in lines.records
             if isinstance(o.get("engagement"), dict)
             and isinstance(o["engagement"].get("registeredResidentIdentification"), str)],
            dtype=pl.String))
        frame = frame.join(people, left_on="registeredResidentIdentification",
                           right_on="raw_id", how="left", maintain_order="left"
                           ).with_columns(ts_expr(pl.col(name)).alias(column)
                                          for name, column in TIMES.items())
        frame = frame.with_columns(pl.concat_str(rules(), separator="; ", ignore_nulls=True
                                                 ).alias("errors"))
        failed = pl.col("errors").is_not_null() & (pl.col("errors") != "")
        bad, good = frame.filter(failed), frame.filter(~failed)

        pseudonyms = dict(zip(people["raw_id"], people["patient_pseudonym"], strict=True))
        objects = dict(lines.records)
        rejected_rows = [(n, "(line)", reason, None) for n, reason in lines.broken]
        rejected_rows += [
            (n, reason.split(":", 1)[0].removeprefix("engagement."), reason,
             masked_json(objects[n], IDENTIFIERS, pseudonyms))
            for n, reason in [*shape_rejects, *zip(bad["line_number"], bad["errors"],
                                                   strict=True)]]
        rejected = pl.DataFrame(rejected_rows, orient="row", schema={
            "row_number": pl.Int64, "field": pl.String, "reason": pl.String, "record": pl.String,
        }).sort("row_number")
        loaded = _canonical(good, file)
        day = pl.coalesce("update_time", "creation_time", "most_recent_content").dt.date()
        return Batch(loaded={"engagement_index_updates": loaded}, rejected=rejected,
                     rows_read=lines.rows_read,
                     days=set(loaded.select(day).to_series().drop_nulls().unique().to_list()))


def _canonical(rows: pl.DataFrame, file: LandingFile) -> pl.DataFrame:
    as_of = pl.coalesce("update_time", "creation_time")
    return rows.select(
        "patient_pseudonym",
        "patient_id_type",
        pl.col("birth_date").dt.year().cast(pl.Int16).alias("birth_year"),
        age_band_at(as_of, pl.col("birth_date")).alias("age_band"),
        "sex",
        pl.col("serviceDomain").alias("service_domain"),
        pl.col("categorization"),
        pl.col("logicalAddress").alias("logical_address"),
        pl.col("businessObjectInstanceIdentifier").alias("business_object_instance_identifier"),
        pl.col("clinicalProcessInterestId").alias("clinical_process_interest_id"),
        "most_recent_content",
        pl.col("sourceSystem").alias("source_system"),
        "creation_time",
        "update_time",
        pl.col("dataController").alias("data_controller"),
        "owner",
        pl.col("deleteFlag").alias("delete_flag"),
        pl.lit(file.file_hash).alias("source_file_hash"),
        pl.col("line_number").alias("source_row"),
    )
