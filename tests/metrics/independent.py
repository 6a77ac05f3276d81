"""Booking metrics computed straight from the landing CSV files with polars.

Deliberately shares no code with ingestion, tidbok or dbt: its own encoding guess,
its own code maps, the rules restated from METRICS.md and SOURCES.md. If the marts
agree with this, the models are right (or wrong in two independent ways at once).
"""

from __future__ import annotations

import codecs
import io
from pathlib import Path

import polars as pl

CHANNELS = {"1177": "eservice", "Telefon": "phone", "Reception": "front_desk",
            "Vårdpersonal": "staff", "Kallelse": "invitation", "Extern app": "third_party_app"}
# hsa_units enhetstyp labels that are specialist care (METRICS.md: 72 h threshold)
SPECIALIST_UNIT_TYPES = {"specialistmottagning", "mammografimottagning",
                         "psykiatrisk mottagning"}
THRESHOLD_HOURS = {"primary_care": 24, "specialist_care": 72}  # METRICS.md default
TIME = "%Y-%m-%d %H:%M"


def _text(path: Path) -> str:
    raw = path.read_bytes()
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8):].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def booking_rows(landing: Path) -> pl.DataFrame:
    """Every row of every booking_csv file, with region, extract day and row number."""
    frames = []
    for path in sorted((landing / "booking_csv").glob("*/*.csv")):
        frame = pl.read_csv(io.StringIO(_text(path)), separator=";", infer_schema=False)
        if frame.height:
            frames.append(frame.with_columns(
                pl.lit(path.parent.name).alias("region"),
                pl.lit(path.stem.rsplit("_", 1)[-1]).alias("extract_day"),
                pl.int_range(pl.len()).alias("row")))
    return pl.concat(frames)


def bookings(landing: Path) -> pl.DataFrame:
    """One row per booking: its latest row, plus the booking channel and care level."""
    rows = booking_rows(landing).sort("Ändrad", "extract_day", "row")
    key = ["region", "Bokningsid"]
    latest = rows.group_by(key).last()
    first = rows.group_by(key).first().select(
        *key, pl.col("Kanal").alias("first_kanal"), pl.col("Status").alias("first_status"))
    rebooked = (rows.filter(pl.col("Ombokad från").is_not_null())
                .select("region", pl.col("Ombokad från").alias("Bokningsid")).unique()
                .with_columns(pl.lit(True).alias("is_rebooked")))
    # a rebooking first seen already cancelled was booked with its predecessor's cancellation
    predecessor = latest.filter(pl.col("Status") == "Avbokad").select(
        "region", pl.col("Bokningsid").alias("Ombokad från"),
        pl.col("Kanal").alias("predecessor_kanal"))
    units = _unit_types(landing)
    frame = (latest.join(first, on=key).join(rebooked, on=key, how="left")
             .join(predecessor, on=["region", "Ombokad från"], how="left")
             .join(units, left_on="Vårdenhet", right_on="hsaId", how="left"))
    first_seen_cancelled = pl.col("first_status") == "Avbokad"
    kanal = (pl.when(first_seen_cancelled & pl.col("predecessor_kanal").is_not_null())
             .then(pl.col("predecessor_kanal")).otherwise(pl.col("first_kanal")))
    specialist = (pl.col("unit_type").is_in(SPECIALIST_UNIT_TYPES)
                  | (pl.col("unit_type").is_null() & (pl.col("Vårdtjänst") == "SPECIALIST")))
    return frame.with_columns(
        kanal.replace_strict(CHANNELS, default="unknown").alias("channel"),
        pl.col("is_rebooked").fill_null(False),
        pl.when(specialist).then(pl.lit("specialist_care")).otherwise(pl.lit("primary_care"))
        .alias("care_level"),
        pl.col("Starttid").str.slice(0, 7).alias("visit_month"),
        pl.col("Bokad").str.slice(0, 7).alias("booking_month"),
    )


def _unit_types(landing: Path) -> pl.DataFrame:
    frames = [pl.read_csv(io.StringIO(_text(p)), separator=";", infer_schema=False)
              for p in sorted((landing / "hsa_units").glob("*/*.csv"))]
    units = pl.concat(frames).unique("hsaId", keep="last")
    return units.select("hsaId", pl.col("enhetstyp").str.to_lowercase().alias("unit_type"))


def _counts(frame: pl.DataFrame, by: list[str], numerator: pl.Expr) -> dict[tuple, tuple[int, int]]:
    grouped = frame.group_by(by).agg(numerator.sum().alias("n"), pl.len().alias("d"))
    return {tuple(r[:-2]): (int(r[-2]), int(r[-1])) for r in grouped.iter_rows()}


def no_show_rate(b: pl.DataFrame) -> dict[tuple, tuple[int, int]]:
    """(region, 'YYYY-MM', channel) -> (no-shows, attended + no-shows)."""
    visits = b.filter(pl.col("Status").is_in(["Genomförd", "Uteblev"]))
    return _counts(visits, ["region", "visit_month", "channel"], pl.col("Status") == "Uteblev")


def digital_booking_share(b: pl.DataFrame) -> dict[tuple, tuple[int, int]]:
    """(region, booking 'YYYY-MM', care service, unit) -> (made in 1177, all bookings);
    rebookings (Ombokad från filled in) are not bookings here."""
    first_bookings = b.filter(pl.col("Ombokad från").is_null())
    return _counts(first_bookings, ["region", "booking_month", "Vårdtjänst", "Vårdenhet"],
                   pl.col("channel") == "eservice")


def late_cancellation_rate(b: pl.DataFrame) -> dict[tuple, tuple[int, int]]:
    """(region, visit 'YYYY-MM', care level, care service, channel) -> (late patient
    cancellations, rebookings included, / bookings that reached their start or were
    cancelled). A booking still Bokad whose start is before the end of the last extract
    day with rows has reached its start."""
    as_of = b["extract_day"].max() + " 23:59"
    settled = b.filter(pl.col("Status").is_in(["Genomförd", "Uteblev", "Avbokad"])
                       | ((pl.col("Status") == "Bokad") & (pl.col("Starttid") <= as_of)))
    notice_minutes = (pl.col("Starttid").str.to_datetime(TIME)
                      - pl.col("Avbokad").str.to_datetime(TIME)).dt.total_minutes()
    threshold = pl.col("care_level").replace_strict(THRESHOLD_HOURS, return_dtype=pl.Int64) * 60
    late = ((pl.col("Status") == "Avbokad") & (pl.col("Avbokad av") == "Patient")
            & (notice_minutes < threshold)).fill_null(False)
    return _counts(settled, ["region", "visit_month", "care_level", "Vårdtjänst", "channel"], late)
