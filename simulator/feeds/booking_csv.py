"""Feed 1a, `booking_csv`: one Swedish CSV delta extract per region and day.

Each file holds every booking created or changed that day, once, in its state
at the end of the day (so `Ändrad` is the day's last change and strictly later
than the booking's row in any earlier file). The region's encoding (UTF-8 with
BOM or Windows-1252) and line ends come from its profile; the encoding is not
declared, as in real deliveries.
"""

from __future__ import annotations

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
from simulator.feeds.files import Delivery, RowInfo
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


def minutes_to_text(column: str) -> pl.Expr:
    """Whole minutes since 1970 (local time) as `YYYY-MM-DD HH:MM`."""
    return pl.from_epoch(pl.col(column) * 60, time_unit="s").dt.strftime("%Y-%m-%d %H:%M")


def _label(column: str, labels: tuple[str, ...]) -> pl.Expr:
    return pl.lit(pl.Series(labels)).gather(pl.col(column))


def extract_rows(bookings: pl.DataFrame, versions: pl.DataFrame, units: UnitCatalogue,
                 residents: pl.DataFrame) -> pl.DataFrame:
    """The rows of every extract of one region, with an `extract_day` column, in file order."""
    # The day's last version of each booking: a delta extract shows the state at extraction.
    # Versions are sorted by booking and time, so the day's last is the last of its group;
    # next_gap (minutes to the booking's next version) says whether a correction delivered
    # a minute later would pass it (corrected re-deliveries, defects.py).
    seq = versions["seq"].to_numpy()
    changed = versions["changed_at"].to_numpy()
    gap = np.full(len(seq), -1, dtype=np.int64)
    same = seq[1:] == seq[:-1]
    gap[:-1][same] = (changed[1:] - changed[:-1])[same]
    daily = (versions.with_columns(
        (pl.col("changed_at") // MINUTES_PER_DAY).alias("extract_day"),
        pl.Series("next_gap", gap).replace(-1, None))
        .unique(["seq", "extract_day"], keep="last", maintain_order=True))
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
        pl.col("may_dash").alias("_numeric_id"),
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
        "seq", "extract_day", "changed_at", "next_gap",
        _label("kanal_channel", CSV_CHANNEL_LABEL).alias("Kanal"),
        pl.col("status").replace_strict(_STATUS_LABEL).alias("Status"),
        minutes_to_text("cancelled_at").alias("Avbokad"),
        pl.col("cancelled_by").replace_strict(_CANCELLED_BY_LABEL, default=None)
        .alias("Avbokad av"),
        pl.col("cancel_reason").alias("Avbokningsorsak"),
        minutes_to_text("changed_at").alias("Ändrad"),
    )
    rows = changing.join(fixed, on="seq", how="inner").sort(["extract_day", "changed_at", "seq"])
    late = bookings.select("seq", "fate_at", "late_outcome_days")
    rows = rows.join(late, on="seq", how="left", maintain_order="left").with_columns(
        pl.when((pl.col("changed_at") == pl.col("fate_at"))
                & pl.col("Status").is_in(["Genomförd", "Uteblev"]))
        .then(pl.col("late_outcome_days")).otherwise(0).alias("_late_days"))
    return rows.select(
        "extract_day", "seq", "changed_at", "next_gap", "_late_days", *HEADER,
        # The number as written, where a defect may break it (not reservnummer).
        pl.when(pl.col("_numeric_id")).then(pl.col("Personnummer")).alias("_identity"))


def write_region_extracts(delivery: Delivery, profile: RegionProfile, rows: pl.DataFrame,
                          first_day: int, last_day: int, create_all: bool = True,
                          identity_written: pl.Series | None = None,
                          redeliveries: bool = True) -> WrittenFeed:
    """One file per extract day, header-only on days without changes (as a nightly job does).

    `rows` come from extract_rows (plus `next_gap` when corrected re-deliveries may be
    injected). A later chunk of the same region appends (create_all=False)."""
    code = profile.region.code
    newline = profile.line_terminator
    # Render the region's rows once and cut the text per day: thousands of small
    # write_csv calls cost far more than one. No field holds a line break, so one
    # line is one row.
    text = rows.select(HEADER).write_csv(
        separator=";", line_terminator=newline, null_value="", quote_style="necessary",
        include_header=False)
    lines = text.split(newline)[:-1]
    if len(lines) != rows.height:
        raise ValueError("a booking_csv field contains a line break")
    per_day = np.bincount(rows["extract_day"].to_numpy() - first_day,
                          minlength=last_day - first_day + 1)
    bounds = np.concatenate([[0], np.cumsum(per_day)])
    header = ";".join(HEADER)
    defects = delivery.defects(FEED)
    with_info = bool(defects.kinds)
    keys = None
    identity = rows["_identity"].to_list() if with_info and "_identity" in rows.columns else None
    if with_info:
        keys = rows["Bokningsid"].to_list()
    redeliver = redeliveries and "corrected_redelivery" in defects.kinds
    late_days = None
    if "_late_days" in rows.columns and (rows["_late_days"] > 0).any():
        late_days = rows["_late_days"].to_list()
        keys = rows["Bokningsid"].to_list()
    chosen_days = set()
    if redeliver:
        eligible = _correctable(rows, first_day, last_day)
        days = sorted(eligible)
        chosen_days = {days[i] for i in np.flatnonzero(
            defects.draw("corrected_redelivery", len(days)))}
    for offset, day in enumerate(range(first_day, last_day + 1)):
        lo, hi = int(bounds[offset]), int(bounds[offset + 1])
        if hi == lo and not create_all:
            continue
        body = lines[lo:hi]
        date = str(np.datetime64(day, "D"))
        name = extract_name(code, date)
        info = RowInfo(identity[lo:hi], keys[lo:hi]) if with_info else None
        tags = late_outcome_tags(late_days, keys, lo, hi) if late_days is not None else None
        if day in chosen_days:
            _with_wrong_statuses(delivery, rows, lines, lo, hi, day, code, date, header,
                                 profile, info, tags)
            continue
        delivery.write_rows(FEED, code, name, body, fmt="csv", header=header,
                            encoding=profile.encoding, newline=newline, info=info, tags=tags)
    return WrittenFeed(files=last_day - first_day + 1, rows=rows.height)


def extract_name(region_code: str, day: str, suffix: str = "") -> str:
    return f"bokningar_{region_code}_{day}{suffix}.csv"


def _correctable(rows: pl.DataFrame, first_day: int, last_day: int) -> dict[int, np.ndarray]:
    """Rows per extract day whose status could be delivered wrong and corrected a minute
    later without passing midnight or the booking's next change."""
    if "next_gap" not in rows.columns:
        return {}
    ok = (rows["Status"].is_in(["Genomförd", "Uteblev"])
          & (rows["Ändrad"].str.slice(11, 5) < "23:58")
          & (rows["next_gap"].is_null() | (rows["next_gap"] >= 2))).to_numpy()
    day = rows["extract_day"].to_numpy()
    found: dict[int, np.ndarray] = {}
    for d in np.unique(day[ok]):
        found[int(d)] = np.flatnonzero(ok & (day == d))
    return found


def _with_wrong_statuses(delivery: Delivery, rows: pl.DataFrame, lines: list[str], lo: int,
                         hi: int, day: int, code: str, date: str, header: str,
                         profile: RegionProfile, info: RowInfo | None,
                         tags: dict[int, dict] | None) -> None:
    """Deliver the day with 1-3 statuses swapped, then the corrected re-delivery."""
    defects = delivery.defects(FEED)
    candidates = _correctable(rows.slice(lo, hi - lo), 0, 0).get(day, np.array([], int))
    n = min(len(candidates), int(defects.rng.integers(1, 4)))
    candidates = np.array([i for i in candidates if not tags or int(i) not in tags], dtype=int)
    n = min(len(candidates), n)
    picked = sorted(int(i) for i in defects.rng.choice(candidates, size=n, replace=False))
    wrong = list(lines[lo:hi])
    corrected = list(lines[lo:hi])
    status_at = HEADER.index("Status")
    changed_at = HEADER.index("Ändrad")
    swap = {"Genomförd": "Uteblev", "Uteblev": "Genomförd"}
    for i in picked:
        cells = wrong[i].split(";")
        cells[status_at] = swap[cells[status_at]]
        wrong[i] = ";".join(cells)
        cells = corrected[i].split(";")
        minute = np.datetime64(cells[changed_at].replace(" ", "T")) + np.timedelta64(1, "m")
        cells[changed_at] = str(minute).replace("T", " ")[:16]
        corrected[i] = ";".join(cells)
    original = delivery.write_rows(FEED, code, extract_name(code, date), wrong, fmt="csv",
                                   header=header, encoding=profile.encoding,
                                   newline=profile.line_terminator, info=info,
                                   tags={**(tags or {}), **{i: None for i in picked}})
    again = delivery.write_rows(FEED, code, extract_name(code, date, "_rattad"), corrected,
                                fmt="csv", header=header, encoding=profile.encoding,
                                newline=profile.line_terminator)
    delivery.mark_damaged(original)
    delivery.mark_damaged(again)
    for i in picked:
        delivery.log.add("corrected_redelivery", FEED, delivery.relative(original), "loaded",
                         line=i + 2, key=rows["Bokningsid"][lo + i],
                         corrected_in=delivery.relative(again), corrected_line=i + 2)


def late_outcome_tags(late_days: list[int], keys: list[str], lo: int, hi: int
                      ) -> dict[int, dict]:
    """The rows of a file that carry an outcome registered days late (messy data)."""
    return {i - lo: {"kind": "late_outcome", "expected": "loaded", "key": keys[i],
                     "days_after_visit": int(late_days[i])}
            for i in range(lo, hi) if late_days[i]}
