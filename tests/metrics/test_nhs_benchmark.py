"""The external benchmark (METRICS.md G) through the same dbt models as the Swedish
counts: the real NHS GPAD Somerset extract comes out of marts.nhs_gpad_no_show_rate
as published, 4.60 % DNA / (Attended + DNA), and a month delivered again replaces the
earlier delivery rather than adding to it."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from ingestion.runner import ingest_landing
from tests.metrics.pipeline import dbt, wait

pytestmark = pytest.mark.e2e


def benchmark_rate(home) -> tuple[int, int]:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute("SELECT sum(numerator), sum(denominator) "
                           "FROM marts.nhs_gpad_no_show_rate").fetchone()
    finally:
        con.close()


def test_the_somerset_extract_gives_its_published_dna_rate(tidbok_home, reference_dir):
    folder = tidbok_home / "landing" / "booking_aggregates" / "NHS"
    folder.mkdir(parents=True)
    original = reference_dir / "nhs-gpad" / "Regional_CSV_Somerset.csv"
    shutil.copy(original, folder)
    ingest_landing()
    wait(dbt(tidbok_home, "build", "--select", "+nhs_gpad_no_show_rate",
             "--indirect-selection", "cautious"))
    no_shows, visits = benchmark_rate(tidbok_home)
    assert round(100 * no_shows / visits, 2) == 4.60

    # The same months delivered again (other bytes, another file): the latest wins.
    again = folder / "Regional_CSV_Somerset_again.csv"
    again.write_bytes(original.read_bytes() + b"\n")
    ingest_landing()
    wait(dbt(tidbok_home, "build", "--select", "+nhs_gpad_no_show_rate",
             "--indirect-selection", "cautious"))
    assert benchmark_rate(tidbok_home) == (no_shows, visits)
