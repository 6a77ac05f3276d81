"""fct_bookings built incrementally, a month of deliveries at a time, equals a full
refresh over the same lake: late outcomes, new rebookings in old chains, refills of
old slots and late-delivered versions all reach the rows they change."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from tests.metrics import pipeline

pytestmark = pytest.mark.e2e
REGIONS = ["03", "06", "12", "13", "25"]  # UTF-8 and cp1252 deliveries, small and large
DELIVERY_MONTHS = ("2025-01", "2025-02", "2025-03")


def fct_rows(home: Path) -> list[tuple]:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute("select * from marts.fct_bookings order by booking_key").fetchall()
    finally:
        con.close()


def hold_back(landing: Path, held: Path, month: str) -> None:
    """Move every booking_csv extract of `month` or later out of the landing folder."""
    for path in sorted((landing / "booking_csv").glob("*/*.csv")):
        if path.stem.rsplit("_", 1)[-1][:7] >= month:
            target = held / path.relative_to(landing)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(path, target)


def release(landing: Path, held: Path, month: str) -> None:
    for path in sorted((held / "booking_csv").glob("*/*.csv")):
        if path.stem.rsplit("_", 1)[-1][:7] == month:
            shutil.move(path, landing / path.relative_to(held))


def test_incremental_runs_equal_a_full_refresh(tmp_path: Path) -> None:
    home, held = tmp_path / "home", tmp_path / "held"
    landing = home / "landing"
    pipeline.wait(pipeline.simulate(home, seed=5, regions=REGIONS))
    pipeline.keep_regions(home, set(REGIONS))
    hold_back(landing, held, DELIVERY_MONTHS[1])
    snapshots = []
    for step, month in enumerate(DELIVERY_MONTHS):
        if step:
            release(landing, held, month)
        pipeline.wait(pipeline.ingest(home))
        # the models and seeds only: the data tests run in the project's own builds
        pipeline.wait(pipeline.dbt(home, "build", "--select", "+fct_bookings",
                                   "--exclude", "test_type:unit", "test_type:data"))
        snapshots.append(fct_rows(home))
    compiled = home / "dbt_target" / "run" / "tidbok" / "models" / "marts" / "core"
    assert "delete from" in (compiled / "fct_bookings.sql").read_text().lower(), (
        "the last run was not incremental")

    pipeline.wait(pipeline.dbt(home, "run", "--select", "fct_bookings", "--full-refresh"))
    full = fct_rows(home)
    incremental = snapshots[-1]
    assert len(full) > 1000
    assert set(incremental) == set(full), (
        f"{len(set(incremental) - set(full))} incremental rows differ from the full refresh")

    # the later months really changed rows already in the table (late outcomes,
    # cancellations, rebookings), not only added new ones
    first = {row[0]: row for row in snapshots[0]}
    changed = [row for row in full if row[0] in first and first[row[0]] != row]
    assert len(changed) > 100
