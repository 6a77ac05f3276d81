"""Process set-up shared by every entry point: absolute TIDBOK_HOME, Dagster's
home and instance settings, and telemetry off everywhere."""

from __future__ import annotations

import os
import sys

from tidbok import config

DAGSTER_YAML = """\
# Written by tidbok; Dagster's instance for this TIDBOK_HOME.
telemetry:
  enabled: false
# All DuckDB-writing steps share one pool of size 1 (DESIGN.md decision 2).
concurrency:
  pools:
    default_limit: 1
"""


def prepare_environment() -> None:
    home = config.ensure_layout()
    # dagster-dbt finds `dbt` on PATH: make the interpreter's own bin/ (the venv) come
    # first, so `.venv/bin/python -m tidbok.cli run` works without an activated venv.
    bin_dir = os.path.dirname(sys.executable)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    os.environ["TIDBOK_HOME"] = str(home)  # dbt and subprocesses need it absolute
    os.environ["DAGSTER_HOME"] = str(config.dagster_home())
    # dbt's run artefacts and logs belong to this home, not the source tree: dagster-dbt
    # gives every invocation its own folder under DBT_TARGET_PATH.
    os.environ["DBT_TARGET_PATH"] = str(home / "dbt_target")
    os.environ["DBT_LOG_PATH"] = str(home / "dbt_logs")
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    instance_yaml = config.dagster_home() / "dagster.yaml"
    if not instance_yaml.exists():
        instance_yaml.write_text(DAGSTER_YAML)
