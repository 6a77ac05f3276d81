"""Ingestion throughput per feed, against DuckDB reading the same file straight
into Parquet with no validation (the baseline, measured in the same run).

Target (issue: ingest every source): no more than 3× the baseline's time for
booking_csv and booking_events.
"""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path

from tidbok.duck import connect

TARGET_RATIO = 3.0


def _big_booking_csv(workdir: Path, min_rows: int) -> Path:
    """Concatenate a simulated small-scale region's extracts into one large delivery."""
    from simulator.generate import simulate

    landing = workdir / "sim"
    simulate(landing, scale="small", seed=11)
    target = workdir / "landing" / "booking_csv" / "01" / "bokningar_01_2025-12-31.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    rows = 0
    with target.open("w", encoding="utf-8-sig", newline="") as out:
        for i, path in enumerate(sorted((landing / "booking_csv" / "01").glob("*.csv"))):
            lines = path.read_bytes().decode("utf-8-sig").splitlines(keepends=True)
            out.writelines(lines if i == 0 else lines[1:])
            rows += len(lines) - 1
            if rows >= min_rows:
                break
    return target


def _baseline_seconds(source: Path, workdir: Path) -> float:
    con = connect(":memory:")
    start = time.perf_counter()
    con.execute(
        f"COPY (SELECT * FROM read_csv('{source}', delim=';', header=true, all_varchar=true)) "
        f"TO '{workdir / 'baseline.parquet'}' (FORMAT parquet, COMPRESSION zstd)")
    elapsed = time.perf_counter() - start
    con.close()
    return elapsed


def run(workdir: Path) -> dict:
    os.environ["TIDBOK_HOME"] = str(workdir)
    os.environ.setdefault("TIDBOK_PSEUDONYM_KEY", "benchmark-key")
    source = _big_booking_csv(workdir, min_rows=int(os.environ.get("BENCH_ROWS", "500000")))
    baseline = _baseline_seconds(source, workdir)
    from ingestion.runner import ingest_landing

    start = time.perf_counter()
    summary = ingest_landing(feeds=("booking_csv",))
    elapsed = time.perf_counter() - start
    rows = summary.rows_read
    return {
        "feed": "booking_csv",
        "rows": rows,
        "file_mb": round(source.stat().st_size / 1e6, 1),
        "baseline_duckdb_seconds": round(baseline, 3),
        "tidbok_seconds": round(elapsed, 3),
        "tidbok_rows_per_second": round(rows / elapsed),
        "baseline_rows_per_second": round(rows / baseline),
        "ratio_to_baseline": round(elapsed / baseline, 2),
        "target_ratio": TARGET_RATIO,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
