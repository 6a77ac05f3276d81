"""booking_csv deliveries follow SOURCES.md 1a: layout, header, encodings, delta semantics."""

from __future__ import annotations

import codecs
import datetime as dt
from collections.abc import Callable
from typing import Any

import polars as pl

HEADER = [
    "Bokningsid", "Vårdenhet", "Tidbok", "Personnummer", "Tidtyp", "Tidtypsnamn", "Vårdtjänst",
    "Kontakttyp", "Starttid", "Sluttid", "Bokad", "Kanal", "Hänvisning", "Status", "Avbokad",
    "Avbokad av", "Avbokningsorsak", "Ombokad från", "Påminnelse", "Ändrad",
]
TIMESTAMP = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$"
REGIONS = {"01", "03", "04", "05", "06", "07", "08", "09", "10", "12", "13", "14", "17", "18",
           "19", "20", "21", "22", "23", "24", "25"}


def test_one_file_per_region_and_day_with_exact_header(tiny: dict[str, Any],
                                                       read_extract: Callable) -> None:
    root = tiny["out"] / "booking_csv"
    assert {p.name for p in root.iterdir()} == REGIONS
    days = [dt.date(2025, 1, 1) + dt.timedelta(d) for d in range(90)]
    for region in REGIONS:
        names = sorted(p.name for p in (root / region).iterdir())
        assert names == [f"bokningar_{region}_{day.isoformat()}.csv" for day in days]
        for name in names[::7]:
            _, header, _ = read_extract(root / region / name)
            assert header == HEADER


def test_encodings_as_assigned(tiny: dict[str, Any]) -> None:
    profiles = tiny["truth"]["parameters"]["regions"]["value"]
    encodings = {code: profile["encoding"] for code, profile in profiles.items()}
    assert set(encodings) == REGIONS
    assert sum(enc == "cp1252" for enc in encodings.values()) == 7  # default: every third
    for region, encoding in encodings.items():
        for path in sorted((tiny["out"] / "booking_csv" / region).iterdir()):
            raw = path.read_bytes()
            if encoding == "utf-8-sig":
                assert raw.startswith(codecs.BOM_UTF8)
                raw.decode("utf-8-sig")
                assert b"\r\n" not in raw
            else:
                assert not raw.startswith(codecs.BOM_UTF8)
                text = raw.decode("cp1252")
                assert any(letter in text for letter in "åäö")
                assert "Vårdenhet" in text and "Påminnelse" in text
                assert b"\r\n" in raw
                try:
                    raw.decode("utf-8")
                except UnicodeDecodeError:
                    pass
                else:
                    raise AssertionError(f"{path} is valid UTF-8, expected Windows-1252")


def test_values_follow_the_contract(tiny_rows: pl.DataFrame) -> None:
    rows = tiny_rows
    for column in ("Starttid", "Sluttid", "Bokad", "Ändrad"):
        assert rows[column].str.contains(TIMESTAMP).all(), column
    assert rows["Avbokad"].drop_nulls().str.contains(TIMESTAMP).all()
    assert set(rows["Status"]) == {"Bokad", "Avbokad", "Genomförd", "Uteblev"}
    assert set(rows["Kanal"]) == {"1177", "Telefon", "Reception", "Vårdpersonal", "Kallelse",
                                  "Extern app"}
    assert set(rows["Påminnelse"]) == {"SMS", "1177", "Ingen"}
    assert set(rows["Kontakttyp"]) == {"Fysiskt besök", "Videobesök", "Telefonkontakt",
                                       "Hembesök"}
    assert {"VACCINATION", "PROVTAGNING", "SCREENING"} <= set(rows["Vårdtjänst"])
    assert (rows["Starttid"] < rows["Sluttid"]).all()
    assert (rows["Bokad"] <= rows["Ändrad"]).all()
    assert rows["Hänvisning"].null_count() < rows.height
    cancelled = rows.filter(pl.col("Status") == "Avbokad")
    assert set(cancelled["Avbokad av"]) == {"Patient", "Vårdgivare"}
    assert cancelled.select("Avbokad", "Avbokningsorsak").null_count().row(0) == (0, 0)
    assert (cancelled["Avbokad"] == cancelled["Ändrad"]).all()
    assert (cancelled["Avbokad"] < cancelled["Starttid"]).all()
    other = rows.filter(pl.col("Status") != "Avbokad")
    empty = other.select("Avbokad", "Avbokad av", "Avbokningsorsak").null_count().row(0)
    assert empty == (other.height,) * 3
    outcomes = rows.filter(pl.col("Status").is_in(["Genomförd", "Uteblev"]))
    assert (outcomes["Ändrad"] >= outcomes["Starttid"]).all()  # registered after the start


def test_delta_semantics(tiny_rows: pl.DataFrame) -> None:
    rows = tiny_rows
    # A file carries only that day's changes, each booking once.
    assert (rows["Ändrad"].str.slice(0, 10) == rows["file_day"]).all()
    assert rows.select("region", "file_day", "Bokningsid").is_duplicated().sum() == 0
    # Ändrad strictly increases between successive versions of a booking.
    ordered = rows.sort("region", "Bokningsid", "file_day")
    steps = ordered.with_columns(
        pl.col("Ändrad").shift(1).over("region", "Bokningsid").alias("previous"))
    steps = steps.filter(pl.col("previous").is_not_null())
    assert steps.height > 0
    assert (steps["Ändrad"] > steps["previous"]).all()
    # Fixed fields never change between versions.
    fixed = ["Vårdenhet", "Tidbok", "Tidtyp", "Starttid", "Bokad", "Ombokad från"]
    assert (rows.group_by("region", "Bokningsid").agg(
        [pl.col(c).n_unique() for c in fixed]).select(fixed).max().row(0)) == (1,) * len(fixed)
    # Some bookings need a third version (a missed visit corrected to attended).
    assert (rows.group_by("region", "Bokningsid").len()["len"] >= 3).any()


def test_lifecycle_is_complete(tiny_rows: pl.DataFrame) -> None:
    latest = tiny_rows.sort("Ändrad").group_by("region", "Bokningsid").last()
    statuses = dict(latest.group_by("Status").len().iter_rows())
    assert statuses["Genomförd"] > statuses["Avbokad"] > statuses["Uteblev"] > 0
    # A visit still Bokad at the end either lies after the period or is recent enough
    # that its outcome may not be registered yet (at most 10 days plus a weekend).
    open_visits = latest.filter(pl.col("Status") == "Bokad")
    assert (open_visits["Starttid"] >= "2025-03-17").all()
    assert (open_visits["Starttid"] > "2025-04-01").any()
    # A rebooked booking ends cancelled by the patient.
    replaced = set(latest["Ombokad från"].drop_nulls())
    old = latest.filter(pl.col("Bokningsid").is_in(list(replaced)))
    assert old.height == len(replaced)
    assert set(old["Status"]) == {"Avbokad"} and set(old["Avbokad av"]) == {"Patient"}
    # Late (under 24 h) and early patient cancellations both occur.
    patient = latest.filter(pl.col("Avbokad av") == "Patient").with_columns(
        (pl.col("Starttid").str.to_datetime() - pl.col("Avbokad").str.to_datetime())
        .dt.total_hours().alias("hours_before"))
    assert (patient["hours_before"] < 24).any() and (patient["hours_before"] > 72).any()
