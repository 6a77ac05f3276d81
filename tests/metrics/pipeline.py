"""Run the booking part of the pipeline for the metric tests: simulate, ingest the
booking feeds, dbt. Each step runs in a subprocess, so two homes can run side by
side on the two cores and no DuckDB or dbt state leaks into the test process.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from tidbok.config import DBT_PROJECT_DIR, REPO_ROOT

FEEDS = ("booking_csv", "hsa_units")
DBT = Path(sys.executable).parent / "dbt"


def environment(home: Path) -> dict[str, str]:
    return {**os.environ, "TIDBOK_HOME": str(home), "TIDBOK_PSEUDONYM_KEY": "metrics-test-key",
            "DO_NOT_TRACK": "1"}


def simulate(home: Path, seed: int, regions: list[str] | None = None) -> subprocess.Popen:
    """The tiny world of `seed` (the clean default parameters), all regions or some."""
    only = f", regions={sorted(regions)!r}" if regions else ""
    script = ("import sys; from pathlib import Path; from simulator.generate import simulate; "
              f"simulate(Path(sys.argv[1]), scale='tiny', seed={seed}{only})")
    return subprocess.Popen([sys.executable, "-c", script, str(home / "landing")],
                            env=environment(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def simulate_feeds(home: Path, seed: int, regions: list[str], feeds: list[str]) -> subprocess.Popen:
    """The tiny world of `seed`, only `regions` and only `feeds` written (the truth whole)."""
    script = ("import sys; from pathlib import Path; from simulator.generate import simulate; "
              f"simulate(Path(sys.argv[1]), scale='tiny', seed={seed}, "
              f"regions={list(regions)!r}, feeds={list(feeds)!r})")
    return subprocess.Popen([sys.executable, "-c", script, str(home / "landing")],
                            env=environment(home), cwd=REPO_ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def ingest_clean(home: Path, feeds: list[str]) -> subprocess.Popen:
    """Ingest `feeds`; fails if any file or row is rejected (the clean profile has none)."""
    script = ("import ingestion.runner as runner; "
              f"s = runner.ingest_landing(feeds={tuple(feeds)!r}).as_dict(); "
              "assert not (s['files_rejected'] or s['rows_quarantined']), s; print(s)")
    return subprocess.Popen([sys.executable, "-c", script], env=environment(home),
                            cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def truth(home: Path) -> dict:
    return json.loads((home / "landing" / "ground_truth.json").read_text(encoding="utf-8"))


def query(home: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def keep_regions(home: Path, regions: set[str]) -> None:
    """Drop the booking_csv folders of every other region before ingestion."""
    for folder in (home / "landing" / "booking_csv").iterdir():
        if folder.name not in regions:
            shutil.rmtree(folder)


def ingest(home: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.metrics.pipeline", "ingest"],
                            env=environment(home), cwd=REPO_ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def dbt(home: Path, *args: str) -> subprocess.Popen:
    command = [str(DBT), *args, "--project-dir", str(DBT_PROJECT_DIR),
               "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(home / "dbt_target"),
               "--log-path", str(home / "dbt_logs")]
    return subprocess.Popen(command, env=environment(home), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def wait(*processes: subprocess.Popen, timeout: float = 600) -> list[str]:
    """Wait for every process; fail with its output if one failed."""
    outputs = []
    for process in processes:
        out, err = process.communicate(timeout=timeout)
        if process.returncode != 0:
            raise AssertionError(f"{process.args!r} failed:\n{out[-4000:]}\n{err or ''}"[-8000:])
        outputs.append(out)
    return outputs


def _ingest() -> None:
    import ingestion.runner as runner

    summary = runner.ingest_landing(feeds=FEEDS).as_dict()
    if summary["files_rejected"] or summary["rows_quarantined"]:
        raise SystemExit(f"unexpected rejects: {summary}")
    print(summary)


if __name__ == "__main__" and sys.argv[1:] == ["ingest"]:
    _ingest()
