"""Where everything lives: one place that turns TIDBOK_HOME into paths.

Every component asks this module for its paths, so that tests can point a whole
run at a temporary TIDBOK_HOME by setting one environment variable.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt"
# The regions (county codes, names, HSA prefixes, population) ship with the dbt
# project as a seed; the simulator and ingestion read the same file so there is
# one copy. Source: ../shared/reference/regions.csv (SCB, public registers).
REGIONS_CSV = DBT_PROJECT_DIR / "seeds" / "regions.csv"


def home() -> Path:
    return Path(os.environ.get("TIDBOK_HOME", "data")).resolve()


def landing_dir() -> Path:
    return home() / "landing"


def lake_dir() -> Path:
    return home() / "lake"


def quarantine_dir() -> Path:
    return home() / "quarantine"


def ledger_dir() -> Path:
    # The ledger is part of the lake so that dbt and any other engine can read it.
    return lake_dir() / "_ledger"


def warehouse_path() -> Path:
    return home() / "warehouse.duckdb"


def serving_path() -> Path:
    return home() / "serving.duckdb"


def serving_versions_dir() -> Path:
    return home() / "serving_versions"


def dagster_home() -> Path:
    return home() / "dagster"


def ensure_layout() -> Path:
    """Create the TIDBOK_HOME folders; returns the home."""
    for path in (landing_dir(), lake_dir(), quarantine_dir(), ledger_dir(),
                 serving_versions_dir(), dagster_home()):
        path.mkdir(parents=True, exist_ok=True)
    return home()
