"""Feed 1a, `booking_csv`: one Swedish CSV delta extract per region and day.

Each file holds every booking created or changed that day, once, in its state
at the end of the day (so `Ändrad` is the day's last change and strictly later
than the booking's row in any earlier file). The region's encoding (UTF-8 with
BOM or Windows-1252) and line ends come from its profile; the encoding is not
declared, as in real deliveries.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from simulator.bookings import MINUTES_PER_DAY
from simulator.care_catalogue import (
    CSV_CHANNEL_LABEL,
    CSV_CONTACT_LABEL,
    CSV_REMINDER_LABEL,
    SERVICES,
    TIME_TYPES,
)
from simulator.feeds import WrittenFeed
from simulator.identifiers import RESERVNUMMER
from simulator.regions import RegionProfile
from simulator.units import UnitCatalogue
from tidbok.codes import CSV_CANCELLED_BY, CSV_STATUS

FEED = "booking_csv"
HEADER = (
    "Bokningsid", "Vårdenhet", "Tidbok", "Personnummer", "Tidtyp", "Tidtypsnamn", "Vårdtjänst",
    "Kontakttyp", "Starttid", "Sluttid", "Bokad", "Kanal", "Hänvisning", "Status", "Avbokad",
    "Avbokad av", "Avbokningsorsak", "Ombokad från", "Påminnelse", "Ändrad",
)
_STATUS_LABEL = {code: label for label, code in CSV_STATUS.items()}
_CANCELLED_BY_LABEL = {code: label for label, code in CSV_CANCELLED_BY.items()}


def extract_path(out: Path, region_code: str, day: str) -> Path:
    return out / FEED / region_code / f"bokningar_{region_code}_{day}.csv"


def minutes_to_text(column: str) -> pl.Expr:
    """Whole minutes since 1970 (local time) as `YYYY-MM-DD HH:MM`."""
    return pl.from_epoch(pl.col(column) * 60, time_unit="s").dt.strftime("%Y-%m-%d %H:%M")


def _label(column: str, labels: tuple[str, ...]) -> pl.Expr:
    return pl.lit(pl.Series(labels)).gather(pl.col(column))


def extract_rows(bookings: pl.DataFrame, versions: pl.DataFrame, units: UnitCatalogue,
                 residents: pl.DataFrame) -> pl.DataFrame:
    """The rows of every extract of one region, with an `extract_day` column, in file order."""
    # The day's last version of each booking: a delta extract shows the state at extraction.
    daily = (versions.with_columns((pl.col("changed_at") // MINUTES_PER_DAY).alias("extract_day"))
             .group_by("seq", "extract_day").agg(pl.all().sort_by("changed_at").last()))
    identity = residents.select(
        "resident_idx",
        pl.col("identity"),
        (pl.col("id_kind") != RESERVNUMMER).alias("may_dash"),
    )
    fixed = bookings.join(identity, on="resident_idx", how="left").select(
        "seq",
        pl.col("booking_id").alias("Bokningsid"),
        pl.lit(units.units["hsa_id"]).gather(pl.col("unit_idx")).alias("Vårdenhet"),
        pl.lit(pl.Series(units.tidbok_hsa)).gather(pl.col("tidbok_idx")).alias("Tidbok"),
        # Reservnummer are written as issued; the others with or without the '-'.
        pl.when(pl.col("dash") & pl.col("may_dash"))
        .then(pl.col("identity").str.slice(0, 8) + "-" + pl.col("identity").str.slice(8))
        .otherwise(pl.col("identity")).alias("Personnummer"),
        _label("time_type", tuple(t.code for t in TIME_TYPES)).alias("Tidtyp"),
        _label("time_type", tuple(t.name for t in TIME_TYPES)).alias("Tidtypsnamn"),
        _label("service", SERVICES).alias("Vårdtjänst"),
        _label("contact", CSV_CONTACT_LABEL).alias("Kontakttyp"),
        minutes_to_text("start_at").alias("Starttid"),
        minutes_to_text("end_at").alias("Sluttid"),
        minutes_to_text("booked_at").alias("Bokad"),
        pl.col("referral_id").alias("Hänvisning"),
        pl.col("rebooked_from").alias("Ombokad från"),
        _label("reminder", CSV_REMINDER_LABEL).alias("Påminnelse"),
    )
    changing = daily.select(
        "seq", "extract_day", "changed_at",
        _label("kanal_channel", CSV_CHANNEL_LABEL).alias("Kanal"),
        pl.col("status").replace_strict(_STATUS_LABEL).alias("Status"),
        minutes_to_text("cancelled_at").alias("Avbokad"),
        pl.col("cancelled_by").replace_strict(_CANCELLED_BY_LABEL, default=None)
        .alias("Avbokad av"),
        pl.col("cancel_reason").alias("Avbokningsorsak"),
        minutes_to_text("changed_at").alias("Ändrad"),
    )
    rows = changing.join(fixed, on="seq", how="inner").sort(["extract_day", "changed_at", "seq"])
    return rows.select("extract_day", *HEADER)


def write_region_extracts(out: Path, profile: RegionProfile, rows: pl.DataFrame,
                          first_day: int, last_day: int) -> WrittenFeed:
    """One file per extract day, header-only on days without changes (as a nightly job does)."""
    code = profile.region.code
    folder = out / FEED / code
    folder.mkdir(parents=True, exist_ok=True)
    newline = profile.line_terminator
    # Render the region's rows once and cut the text per day: thousands of small
    # write_csv calls cost far more than one. No field holds a line break, so one
    # line is one row.
    text = rows.drop("extract_day").write_csv(
        separator=";", line_terminator=newline, null_value="", quote_style="necessary",
        include_header=False)
    lines = text.split(newline)[:-1]
    if len(lines) != rows.height:
        raise ValueError("a booking_csv field contains a line break")
    per_day = np.bincount(rows["extract_day"].to_numpy() - first_day,
                          minlength=last_day - first_day + 1)
    bounds = np.concatenate([[0], np.cumsum(per_day)])
    header = ";".join(HEADER)
    for offset, day in enumerate(range(first_day, last_day + 1)):
        body = lines[bounds[offset]:bounds[offset + 1]]
        content = newline.join([header, *body]) + newline
        date = str(np.datetime64(day, "D"))
        # Strict encoding: a character Windows-1252 cannot hold must fail here, not
        # turn into '?' in a delivery.
        extract_path(out, code, date).write_bytes(content.encode(profile.encoding))
    return WrittenFeed(files=last_day - first_day + 1, rows=rows.height)
