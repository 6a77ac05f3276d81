"""`booking_aggregates`: monthly appointment counts in the NHS GPAD shape (SOURCES.md 1d).

Two headers are read: our own (`REGION_CODE,UNIT_HSA_ID,…`, `BOOKING_CHANNEL`
optional) and NHS England's regional "Appointments in General Practice" files
(`CCG_CODE,…`), the external no-show benchmark. An NHS file takes its region
code from its landing folder (`landing/booking_aggregates/NHS/`) and its CCG is
the unit. GPAD values are checked exactly; the lead-time band keeps GPAD's
labels, double spaces included.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import polars as pl
import pyarrow as pa

from ingestion.delimited import FileRejected, iter_field_batches, read_header
from ingestion.encoding import UndetectableEncoding, detect_encoding, transcode_to_utf8
from ingestion.feeds.base import Batch, LandingFile, check
from ingestion.hsa import HSA_ID_PATTERN
from ingestion.privacy import quote_value, scrub_expr
from tidbok import codes, config

# One row per unit, month and combination of GPAD dimensions: a count, not people.
BOOKING_COUNTS = pa.schema([
    ("region_code", pa.string()),  # county code, or the benchmark's folder (NHS)
    ("unit_id", pa.string()),  # care unit HSA-id, or the NHS CCG code
    ("month", pa.date32()),  # first day of Appointment_Month
    ("appt_status", pa.string()),
    ("hcp_type", pa.string()),
    ("appt_mode", pa.string()),
    ("lead_time_band", pa.string()),  # GPAD label, verbatim
    ("booking_channel", pa.string()),
    ("appointment_count", pa.int64()),
    ("source_format", pa.string()),  # tidbok | nhs_gpad
    ("source_file_hash", pa.string()),
    ("source_row", pa.int64()),
])

TIDBOK_COLUMNS = ("REGION_CODE", "UNIT_HSA_ID", "Appointment_Month", "APPT_STATUS", "HCP_TYPE",
                  "APPT_MODE", "TIME_BETWEEN_BOOK_AND_APPT", "BOOKING_CHANNEL",
                  "COUNT_OF_APPOINTMENTS")
TIDBOK_COLUMNS_NO_CHANNEL = tuple(c for c in TIDBOK_COLUMNS if c != "BOOKING_CHANNEL")
NHS_COLUMNS = ("CCG_CODE", "CCG_ONS_CODE", "CCG_NAME", "STP_ONS", "STPNM", "REGION_ONS_CODE",
               "REGION_NAME", "Appointment_Month", "APPT_STATUS", "HCP_TYPE", "APPT_MODE",
               "TIME_BETWEEN_BOOK_AND_APPT", "COUNT_OF_APPOINTMENTS")

# GPAD code lists, exactly as NHS England publishes them -> canonical codes.
APPT_STATUS = {"Attended": "attended", "DNA": "no_show", "Unknown": "unknown"}
HCP_TYPE = {"GP": "gp", "Other Practice staff": "other_practice_staff", "Unknown": "unknown"}
APPT_MODE = {"Face-to-Face": "physical", "Telephone": "phone", "Video/Online": "video",
             "Home Visit": "home", "Unknown": "unknown"}
LEAD_TIME_BANDS = ("Same Day", "1 Day", "2 to 7 Days", "8  to 14 Days", "15  to 21 Days",
                   "22  to 28 Days", "More than 28 Days", "Unknown / Data Issue")
# BOOKING_CHANNEL carries the canonical channel codes of SOURCES.md 1b, or GPAD's Unknown.
BOOKING_CHANNEL = {**{c: c for c in codes.BOOKING_CHANNELS}, "Unknown": "unknown"}
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
MONTH_PATTERN = rf"^({'|'.join(MONTHS)})\d{{4}}$"
COUNT_PATTERN = r"^\d{1,18}$"  # a non-negative whole number that fits 64 bits
# What makes a row one cell of the table: a second row with the same key is a duplicate.
KEY = ("unit_id", "Appointment_Month", "APPT_STATUS", "HCP_TYPE", "APPT_MODE",
       "TIME_BETWEEN_BOOK_AND_APPT", "BOOKING_CHANNEL")


@cache
def county_codes() -> tuple[str, ...]:
    with config.REGIONS_CSV.open(encoding="utf-8", newline="") as fh:
        return tuple(row["regionkod"] for row in csv.DictReader(fh))


def _month(column: str) -> pl.Expr:
    text = pl.col(column)
    number = text.str.slice(0, 3).replace_strict(
        {m: f"{i:02d}" for i, m in enumerate(MONTHS, start=1)}, default=None)
    return pl.when(text.str.contains(MONTH_PATTERN)).then(
        pl.concat_str([text.str.slice(3, 4), number, pl.lit("01")], separator="-")
        .str.to_date("%Y-%m-%d", strict=False))


def _not_in(column: str, allowed) -> pl.Expr:
    return check(pl.col(column).is_not_null() & ~pl.col(column).is_in(list(allowed)), column,
                 "not one of " + ", ".join(repr(v) for v in allowed))


def _missing(column: str) -> pl.Expr:
    return check(pl.col(column).is_null(), column, "missing")


def row_rules(source_format: str, folder_region: str) -> list[pl.Expr]:
    """Every rule a row must pass, each naming its field; values are never quoted."""
    if source_format == "tidbok":
        region = pl.col("REGION_CODE")
        own = [
            _missing("REGION_CODE"),
            check(region.is_not_null() & ~region.is_in(county_codes()), "REGION_CODE",
                  "not one of the 21 county codes (../reference/regions.csv)"),
            check(pl.lit(folder_region in county_codes()) & region.is_in(county_codes())
                  & (region != folder_region), "REGION_CODE",
                  f"not the region of the landing folder ({folder_region})"),
            _missing("UNIT_HSA_ID"),
            check(pl.col("UNIT_HSA_ID").is_not_null()
                  & ~pl.col("UNIT_HSA_ID").str.contains(HSA_ID_PATTERN), "UNIT_HSA_ID",
                  "not an HSA-id (SE<organisation number>-<local part>)"),
            _not_in("BOOKING_CHANNEL", BOOKING_CHANNEL),
        ]
    else:
        own = [_missing("CCG_CODE")]
    return [
        *own,
        _missing("Appointment_Month"),
        check(pl.col("Appointment_Month").is_not_null() & _month("Appointment_Month").is_null(),
              "Appointment_Month", "not a month as MAR2019"),
        *(_missing(c) for c in ("APPT_STATUS", "HCP_TYPE", "APPT_MODE",
                                "TIME_BETWEEN_BOOK_AND_APPT", "COUNT_OF_APPOINTMENTS")),
        _not_in("APPT_STATUS", APPT_STATUS),
        _not_in("HCP_TYPE", HCP_TYPE),
        _not_in("APPT_MODE", APPT_MODE),
        _not_in("TIME_BETWEEN_BOOK_AND_APPT", LEAD_TIME_BANDS),
        check(pl.col("COUNT_OF_APPOINTMENTS").is_not_null()
              & ~pl.col("COUNT_OF_APPOINTMENTS").str.contains(COUNT_PATTERN),
              "COUNT_OF_APPOINTMENTS", "not a non-negative whole number"),
    ]


def to_canonical(rows: pl.DataFrame, file: LandingFile, source_format: str) -> pl.DataFrame:
    tidbok = source_format == "tidbok"
    return rows.select(
        (pl.col("REGION_CODE") if tidbok else pl.lit(file.region_code)).alias("region_code"),
        pl.col("unit_id"),
        _month("Appointment_Month").alias("month"),
        pl.col("APPT_STATUS").replace_strict(APPT_STATUS).alias("appt_status"),
        pl.col("HCP_TYPE").replace_strict(HCP_TYPE).alias("hcp_type"),
        pl.col("APPT_MODE").replace_strict(APPT_MODE).alias("appt_mode"),
        pl.col("TIME_BETWEEN_BOOK_AND_APPT").alias("lead_time_band"),
        pl.col("BOOKING_CHANNEL").replace_strict(BOOKING_CHANNEL, default=None)
        .fill_null("unknown").alias("booking_channel"),
        pl.col("COUNT_OF_APPOINTMENTS").cast(pl.Int64).alias("appointment_count"),
        pl.lit(source_format).alias("source_format"),
        pl.lit(file.file_hash).alias("source_file_hash"),
        pl.col("line_number").alias("source_row"),
    )


def source_format_of(header: list[str]) -> str:
    """'tidbok' or 'nhs_gpad' from an exact header; otherwise the file is rejected."""
    cleaned = tuple(h.strip().lstrip("\ufeff") for h in header)
    if cleaned in (TIDBOK_COLUMNS, TIDBOK_COLUMNS_NO_CHANNEL):
        return "tidbok"
    if cleaned == NHS_COLUMNS:
        return "nhs_gpad"
    expected = NHS_COLUMNS if "CCG_CODE" in cleaned else TIDBOK_COLUMNS
    missing = [c for c in expected if c not in cleaned and c != "BOOKING_CHANNEL"]
    unexpected = [c for c in cleaned if c not in expected]
    detail = []
    if missing:
        detail.append("missing column(s) " + ", ".join(missing))
    if unexpected:
        detail.append("unexpected column(s) " + ", ".join(quote_value(c) for c in unexpected))
    if not detail:
        detail.append("columns in the wrong order")
    shape = "NHS GPAD regional" if expected is NHS_COLUMNS else "booking_aggregates"
    raise FileRejected(f"header does not match the {shape} contract: " + "; ".join(detail))


ADAPTER = "BookingAggregates"  # found by ingestion.registry


class BookingAggregates:
    feed = "booking_aggregates"
    tables = {"booking_counts": BOOKING_COUNTS}

    def __init__(self, work_dir: Path):
        self.work_dir = work_dir  # for a UTF-8 copy of a Windows-1252 file (inside landing/)
        self.encoding: str | None = None

    def read(self, file: LandingFile) -> Iterator[Batch]:
        try:
            self.encoding = detect_encoding(file.path)
        except UndetectableEncoding as exc:
            raise FileRejected(f"cannot detect the text encoding: {exc}") from None
        source = file.path
        if self.encoding == "cp1252":
            self.work_dir.mkdir(parents=True, exist_ok=True)
            source = self.work_dir / f"{file.file_hash}.utf8.csv"
            transcode_to_utf8(file.path, source, "cp1252")
        try:
            yield from self._read_utf8(source, file)
        finally:
            if source != file.path:
                source.unlink(missing_ok=True)

    def _read_utf8(self, path: Path, file: LandingFile) -> Iterator[Batch]:
        header = [h.strip().lstrip("\ufeff") for h in read_header(path, "utf-8-sig", ",")]
        source_format = source_format_of(header)
        if source_format == "nhs_gpad" and (file.region_code in county_codes()
                                            or file.region_code == "national"):
            raise FileRejected("an NHS GPAD file is a benchmark: it lands in its own folder "
                               "(booking_aggregates/NHS/), not in a Swedish region's")
        rules = row_rules(source_format, file.region_code)
        seen = pl.DataFrame(schema={"key_hash": pl.UInt64, "first_line": pl.Int64})
        complete = _ends_with_newline(path)
        batches = iter_field_batches(path, header, ",")
        current = next(batches, None)
        while current is not None:
            following = next(batches, None)
            batch, seen = self._batch(current, file, source_format, rules, seen,
                                      complete or following is not None)
            yield batch
            current = following

    def _batch(self, fields: pl.DataFrame, file: LandingFile, source_format: str, rules,
               seen: pl.DataFrame, ends_cleanly: bool) -> tuple[Batch, pl.DataFrame]:
        width = len(fields.columns) - 2  # line_number, field_count
        malformed = fields.filter(pl.col("field_count") != width).select(
            "line_number", pl.lit("(row)").alias("field"),
            pl.format("row has {} fields, expected {}", pl.col("field_count"), pl.lit(width)
                      ).alias("reason"),
            pl.lit(None, dtype=pl.String).alias("record"))
        rows = fields.filter(pl.col("field_count") == width)
        if "BOOKING_CHANNEL" not in rows.columns:
            rows = rows.with_columns(pl.lit(None, dtype=pl.String).alias("BOOKING_CHANNEL"))
        unit = "UNIT_HSA_ID" if source_format == "tidbok" else "CCG_CODE"
        rows = rows.with_columns(
            pl.col(unit).alias("unit_id"),
            pl.concat_str(rules, separator="; ", ignore_nulls=True).alias("errors"))
        rows, seen = _flag_duplicates(rows, seen)
        failed = pl.col("errors").is_not_null() & (pl.col("errors") != "")
        bad, good = rows.filter(failed), rows.filter(~failed)
        record = pl.struct([scrub_expr(pl.col(c)).alias(c) for c in fields.columns[2:]]
                           ).struct.json_encode()
        rejected = pl.concat([
            malformed,
            bad.select("line_number", pl.col("errors").str.extract(r"^([^:]+):").alias("field"),
                       pl.col("errors").alias("reason"), record.alias("record")),
        ]).rename({"line_number": "row_number"}).sort("row_number")
        last_line = fields["line_number"].max()
        if not ends_cleanly and last_line in rejected["row_number"]:
            raise FileRejected(f"truncated: the last line ({last_line}) is incomplete and the "
                               "file does not end with a line break")
        loaded = to_canonical(good, file, source_format)
        return Batch(loaded={"booking_counts": loaded}, rejected=rejected,
                     rows_read=fields.height,
                     days=set(loaded["month"].unique().to_list())), seen


def _flag_duplicates(rows: pl.DataFrame, seen: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A second valid row for the same cell (unit, month and every dimension) would
    count twice: it is rejected, naming the line it repeats. Only 64-bit key
    hashes are kept across batches, so memory stays small for any file."""
    valid = pl.col("errors").is_null() | (pl.col("errors") == "")
    rows = rows.with_columns(pl.struct(list(KEY)).hash(seed=0).alias("key_hash"))
    first = rows.filter(valid).group_by("key_hash").agg(
        pl.col("line_number").min().alias("batch_first"))
    rows = (rows.join(first, on="key_hash", how="left", maintain_order="left")
            .join(seen, on="key_hash", how="left", maintain_order="left"))
    repeats = pl.coalesce("first_line", "batch_first")
    duplicate = check(valid & (repeats != pl.col("line_number")), "(row)",
                      pl.format("duplicate of line {} (same unit, month and dimensions)", repeats))
    rows = rows.with_columns(
        pl.concat_str([pl.col("errors").replace("", None), duplicate], separator="; ",
                      ignore_nulls=True).alias("errors"))
    new = first.filter(~pl.col("key_hash").is_in(seen["key_hash"].implode())).rename(
        {"batch_first": "first_line"})
    return rows.drop("key_hash", "batch_first", "first_line"), pl.concat([seen, new])


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as fh:
        fh.seek(0, 2)
        if fh.tell() == 0:
            return False
        fh.seek(-1, 2)
        return fh.read(1) == b"\n"
