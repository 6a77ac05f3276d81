"""Shared fixtures: one tiny simulation per test session, and its booking_csv rows read back."""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from simulator.generate import simulate


def read_extract(path: Path) -> tuple[str, list[str], list[list[str]]]:
    """(encoding, header, rows) of one booking_csv file, detecting the encoding by its BOM."""
    raw = path.read_bytes()
    encoding = "utf-8-sig" if raw.startswith(codecs.BOM_UTF8) else "cp1252"
    text = raw.decode(encoding)
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    return encoding, records[0], records[1:]


@pytest.fixture(scope="session", name="read_extract")
def read_extract_fixture() -> Callable[[Path], tuple[str, list[str], list[list[str]]]]:
    return read_extract


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("tiny_seed1")
    summary = simulate(out, scale="tiny", seed=1)
    truth = json.loads((out / "ground_truth.json").read_text(encoding="utf-8"))
    return {"out": out, "summary": summary, "truth": truth}


@pytest.fixture(scope="session")
def tiny_rows(tiny: dict[str, Any]) -> pl.DataFrame:
    """Every booking_csv row of the tiny run, with `region` and `file_day` columns."""
    frames = []
    for path in sorted((tiny["out"] / "booking_csv").glob("*/bokningar_*.csv")):
        _, header, rows = read_extract(path)
        if not rows:
            continue
        region = path.parent.name
        day = path.stem.rsplit("_", 1)[1]
        frame = pl.DataFrame(rows, schema=header, orient="row").with_columns(
            pl.lit(region).alias("region"), pl.lit(day).alias("file_day"))
        frames.append(frame)
    # Empty field = null, as the contract says.
    columns = pl.col(pl.String)
    return pl.concat(frames).with_columns(
        pl.when(columns == "").then(None).otherwise(columns).name.keep())


def _run(tmp_path_factory: pytest.TempPathFactory, name: str, **kwargs: Any) -> dict[str, Any]:
    out = tmp_path_factory.mktemp(name)
    summary = simulate(out, scale="tiny", seed=1, **kwargs)
    truth = json.loads((out / "ground_truth.json").read_text(encoding="utf-8"))
    return {"out": out, "summary": summary, "truth": truth}


@pytest.fixture(scope="session")
def realistic(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Tiny, clean, every time-book shape (preset 'realistic')."""
    return _run(tmp_path_factory, "tiny_realistic", profile="realistic")


@pytest.fixture(scope="session")
def messy(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Tiny with every defect kind (preset 'messy')."""
    return _run(tmp_path_factory, "tiny_messy", profile="messy")


def read_delimited(paths: list[Path], separator: str = ";") -> pl.DataFrame:
    """Rows of CSV files (encoding by BOM or UTF-8/Windows-1252) with a `file` column."""
    frames = []
    for path in paths:
        raw = path.read_bytes()
        if raw.startswith(codecs.BOM_UTF8):
            text = raw[3:].decode("utf-8")
        else:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = raw.decode("cp1252")
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
        if len(records) > 1:
            frames.append(pl.DataFrame(records[1:], schema=records[0], orient="row")
                          .with_columns(pl.lit(path.name).alias("file"),
                                        pl.lit(path.parent.name).alias("folder")))
    columns = pl.col(pl.String)
    return pl.concat(frames).with_columns(
        pl.when(columns == "").then(None).otherwise(columns).name.keep())


def read_json_lines(paths: list[Path]) -> list[dict]:
    records = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                record["_file"] = path.name
                record["_folder"] = path.parent.name
                records.append(record)
    return records


def feed_files(out: Path, feed: str, pattern: str = "*") -> list[Path]:
    return sorted(p for p in (out / feed).glob(f"*/{pattern}") if p.is_file())


@pytest.fixture(scope="session")
def latest_bookings(tiny_rows: pl.DataFrame) -> pl.DataFrame:
    """Each booking's latest booking_csv row (latest Ändrad wins), with its first Kanal."""
    ordered = tiny_rows.sort("Ändrad")
    first = ordered.group_by("region", "Bokningsid").agg(pl.col("Kanal").first().alias(
        "first_kanal"))
    return (ordered.group_by("region", "Bokningsid").agg(pl.all().last())
            .join(first, on=["region", "Bokningsid"]))
