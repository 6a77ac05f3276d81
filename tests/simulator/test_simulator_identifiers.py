"""Identity numbers and HSA-ids are valid, unique and consistent between feeds."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from simulator.scales import get_scale
from simulator.world import build_world
from tidbok.config import REGIONS_CSV

HSA_ID = re.compile(r"^(SE\d{10})-([A-Z0-9]{3,6})$")
REFERENCE_VECTORS = Path("/work/shared/reference/personnummer-testdata.json")
HSA_HEADER = ("hsaId;parentHsaId;namn;regionkod;kommunkod;enhetstyp;ar_tidbok;latitud;"
              "longitud;giltig_from;giltig_tom")


def luhn_ok(ten: str) -> bool:
    total = 0
    for i, char in enumerate(ten):
        product = int(char) * (2 - i % 2)
        total += product // 10 + product % 10
    return total % 10 == 0


def classify(text: str) -> str:
    """'personnummer', 'samordningsnummer', 'reservnummer' or 'invalid' (written independently
    of the simulator's generator)."""
    if re.fullmatch(r"\d{8}[A-Z][0-9]{3}", text):
        return "reservnummer"
    match = re.fullmatch(r"(\d{8})[-+]?(\d{4})", text)
    if not match:
        return "invalid"
    date, serial = match.groups()
    year, month, day = int(date[:4]), int(date[4:6]), int(date[6:])
    kind = "samordningsnummer" if day > 60 else "personnummer"
    try:
        dt.date(year, month, day - 60 if day > 60 else day)
    except ValueError:
        return "invalid"
    if serial[:3] == "000" or not luhn_ok(date[2:] + serial):
        return "invalid"
    return kind


@pytest.mark.skipif(not REFERENCE_VECTORS.exists(), reason="shared reference not mounted")
def test_validator_agrees_with_reference_vectors() -> None:
    for vector in json.loads(REFERENCE_VECTORS.read_text(encoding="utf-8")):
        if not re.fullmatch(r"\d{12}", vector["long_format"]):
            continue
        kind = classify(vector["long_format"])
        assert (kind != "invalid") == vector["valid"], vector["long_format"]
        if vector["valid"]:
            assert kind == ("samordningsnummer" if vector["type"] == "con" else "personnummer")


def test_every_personnummer_is_valid(tiny_rows: pl.DataFrame) -> None:
    kinds = [classify(text) for text in tiny_rows["Personnummer"].unique()]
    assert "invalid" not in kinds
    assert {"personnummer"} <= set(kinds)
    styles = tiny_rows["Personnummer"].str.contains("-")
    assert styles.any() and not styles.all()  # written both with and without '-'


def test_a_rebooking_keeps_the_resident_and_unit(tiny_rows: pl.DataFrame) -> None:
    first = tiny_rows.group_by("region", "Bokningsid").agg(
        pl.col("Personnummer").str.replace("-", "").first().alias("pnr"),
        pl.col("Vårdenhet").first())
    moved = tiny_rows.filter(pl.col("Ombokad från").is_not_null()).group_by(
        "region", "Bokningsid").agg(
        pl.col("Ombokad från").first(),
        pl.col("Personnummer").str.replace("-", "").first().alias("pnr"),
        pl.col("Vårdenhet").first())
    joined = moved.join(first, left_on=["region", "Ombokad från"],
                        right_on=["region", "Bokningsid"], how="left", suffix="_old")
    assert moved.height > 0
    assert joined["pnr_old"].null_count() == 0
    assert (joined["pnr"] == joined["pnr_old"]).all()
    assert (joined["Vårdenhet"] == joined["Vårdenhet_old"]).all()


def test_identity_mix_matches_parameters() -> None:
    """At scale small (100 000 residents, no bookings needed) the shares are measurable."""
    world = build_world(get_scale("small"), seed=3)
    residents = world.residents.frame
    assert residents["identity"].n_unique() == residents.height  # one number per person
    kinds = residents["identity"].map_elements(classify, return_dtype=pl.String)
    share = kinds.value_counts(normalize=True)
    share = dict(zip(share["identity"], share["proportion"], strict=True))
    assert "invalid" not in share
    assert 0.007 < share["samordningsnummer"] < 0.02  # 1.5 % of ages 16-70
    assert 0.003 < share["reservnummer"] < 0.008
    assert 0.48 < residents["female"].mean() < 0.53
    assert 0.15 < (residents["age"] >= 65).mean() < 0.24


def read_hsa_units(out: Path) -> tuple[str, pl.DataFrame]:
    text = (out / "hsa_units" / "national" / "hsa_units.csv").read_bytes().decode("utf-8")
    rows = list(csv.reader(text.splitlines(), delimiter=";"))
    return text.splitlines()[0], pl.DataFrame(rows[1:], schema=rows[0], orient="row")


def test_hsa_units_catalogue_is_valid(tiny: dict[str, Any]) -> None:
    header, units = read_hsa_units(tiny["out"])
    assert header == HSA_HEADER
    with REGIONS_CSV.open(encoding="utf-8") as fh:
        prefix = {row["regionkod"]: row["hsa_prefix"] for row in csv.DictReader(fh)}
    assert units["hsaId"].n_unique() == units.height
    for row in units.iter_rows(named=True):
        match = HSA_ID.match(row["hsaId"])
        assert match and match.group(1) == prefix[row["regionkod"]], row["hsaId"]
        assert re.fullmatch(row["regionkod"] + r"\d{2}", row["kommunkod"])
        assert 55.0 < float(row["latitud"]) < 69.1 and 10.9 < float(row["longitud"]) < 24.2
        dt.date.fromisoformat(row["giltig_from"])
    care_units = units.filter(pl.col("ar_tidbok") == "0")
    books = units.filter(pl.col("ar_tidbok") == "1")
    assert set(care_units["regionkod"]) == set(prefix)  # every region has units
    assert care_units["parentHsaId"].str.len_chars().max() == 0
    assert set(books["parentHsaId"]) <= set(care_units["hsaId"])
    assert {"Vårdcentral", "Specialistmottagning"} <= set(care_units["enhetstyp"])
    per_region = care_units.group_by("regionkod").len()["len"]
    assert per_region.min() >= 2 and per_region.max() <= 4


def test_bookings_point_at_catalogued_units(tiny: dict[str, Any],
                                            tiny_rows: pl.DataFrame) -> None:
    _, units = read_hsa_units(tiny["out"])
    open_books = units.filter((pl.col("ar_tidbok") == "1") & (pl.col("giltig_tom") == ""))
    parent = dict(zip(open_books["hsaId"], open_books["parentHsaId"], strict=True))
    care_units = set(units.filter(pl.col("ar_tidbok") == "0")["hsaId"])
    pairs = tiny_rows.select("Vårdenhet", "Tidbok").unique()
    for unit, book in pairs.iter_rows():
        assert unit in care_units
        # Booked in the unit's own HSA-id, or in one of its open time books.
        assert book == unit or parent.get(book) == unit, (unit, book)
    assert (pairs["Tidbok"] == pairs["Vårdenhet"]).any()
    assert (pairs["Tidbok"] != pairs["Vårdenhet"]).any()
