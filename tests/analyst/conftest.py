"""Fixtures for the analysts' tests: a small published serving file (fast), and a real one
built by simulate tiny → tidbok run (session-scoped, for the e2e tests only)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tidbok import config, publish
from tidbok.duck import connect

REPO_ROOT = Path(__file__).resolve().parents[2]

NO_SHOW_ROWS = [
    ("13", date(2025, 1, 1), "eservice", 12, 300),
    ("13", date(2025, 1, 1), "phone", 30, 410),
    ("13", date(2025, 2, 1), "eservice", 3, 40),
    ("01", date(2025, 1, 1), "eservice", 50, 1200),
]


def make_documented_warehouse(home: Path, scale: int = 1) -> None:
    """A warehouse shaped like dbt's: marts with persisted descriptions, plus row-level
    staging and an undocumented mart that must not reach the analyst schema."""
    con = connect(home / "warehouse.duckdb")
    try:
        for schema in ("marts", "staging", "intermediate", "reference"):
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        con.execute("CREATE OR REPLACE TABLE marts.no_show_rate (region_code VARCHAR, "
                    "month DATE, booking_channel VARCHAR, numerator BIGINT, "
                    "denominator BIGINT, rate DOUBLE)")
        con.executemany("INSERT INTO marts.no_show_rate VALUES (?, ?, ?, ?, ?, ?)",
                        [(r, m, c, n * scale, d * scale, n / d) for r, m, c, n, d in NO_SHOW_ROWS])
        con.execute("COMMENT ON TABLE marts.no_show_rate IS 'Uteblivna besök / No-show rate. "
                    "No-shows divided by attended visits plus no-shows, per region, month and "
                    "booking channel. Re-aggregate by summing numerator and denominator.'")
        for column, text in (("region_code", "Two-digit county code."),
                             ("month", "First day of the month of the appointment start."),
                             ("booking_channel", "How the booking was made."),
                             ("numerator", "No-shows (Uteblev)."),
                             ("denominator", "Attended visits plus no-shows."),
                             ("rate", "numerator / denominator.")):
            con.execute(f"COMMENT ON COLUMN marts.no_show_rate.{column} IS '{text}'")
        con.execute("CREATE OR REPLACE TABLE marts.dim_regions AS SELECT * FROM (VALUES "
                    "('01', 'Region Stockholm', 2473307::BIGINT), "
                    "('13', 'Region Halland', 345000::BIGINT)) t(region_code, region_name, "
                    "population)")
        con.execute("COMMENT ON TABLE marts.dim_regions IS 'The 21 Swedish regions.'")
        con.execute("COMMENT ON COLUMN marts.dim_regions.region_code IS 'Two-digit county code.'")
        con.execute("CREATE OR REPLACE TABLE marts.scratch_undocumented AS SELECT 1 AS x")
        con.execute("CREATE OR REPLACE TABLE staging.bookings AS SELECT 'pseudo-abc' AS "
                    "patient_pseudonym, '13' AS region_code")
        con.execute("COMMENT ON TABLE staging.bookings IS 'Row-level bookings.'")
    finally:
        con.close()


@pytest.fixture
def served(tidbok_home: Path) -> Path:
    """A published serving file (with its analyst schema) in a fresh TIDBOK_HOME."""
    config.ensure_layout()
    make_documented_warehouse(tidbok_home)
    publish.publish()
    return tidbok_home


def tidbok_env(home: Path) -> dict[str, str]:
    env = {**os.environ, "TIDBOK_HOME": str(home), "TIDBOK_PSEUDONYM_KEY": "analyst-test-key"}
    # dagster-dbt runs `dbt` from PATH: the one in this environment.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    return env


def run_tidbok(*args: str, home: Path, timeout: float = 120, check: bool = False):
    return subprocess.run([sys.executable, "-m", "tidbok.cli", *args], env=tidbok_env(home),
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout,
                          check=check)


@pytest.fixture(scope="session")
def pipeline_home(published_world: Path) -> Path:
    """simulate tiny → tidbok run: the real serving file shared by the end-to-end tests
    (tests/conftest.py: published_world; TIDBOK_E2E_HOME reuses an existing home)."""
    return published_world
