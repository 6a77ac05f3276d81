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
