"""Read back what the gate wrote, for the national aggregation-layer feed tests."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl


def lake(home: Path, table: str, order: str = "source_row") -> pl.DataFrame:
    return duckdb.sql(f"select * from read_parquet('{home}/lake/{table}/**/*.parquet', "
                      f"union_by_name=true) order by {order}").pl()


def quarantine(home: Path) -> pl.DataFrame:
    files = list((home / "quarantine").glob("**/*.parquet"))
    if not files:
        return pl.DataFrame()
    return duckdb.sql(f"select * from read_parquet('{home}/quarantine/**/*.parquet', "
                      "union_by_name=true) order by row_number, field").pl()


def ledger(home: Path) -> pl.DataFrame:
    return duckdb.sql(f"select * from read_parquet('{home}/lake/_ledger/*.parquet') "
                      "order by file_path").pl()


def landing(home: Path, feed: str, name: str) -> Path:
    folder = home / "landing" / feed / "national"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def everything_written(home: Path) -> str:
    """Lake, quarantine and ledger as text, to prove no identifier is in clear."""
    parts = []
    paths = sorted(home.glob("lake/**/*.parquet")) + sorted(home.glob("quarantine/**/*.parquet"))
    for path in paths:
        parts.append(pl.read_parquet(path).write_csv())
    return "\n".join(parts)
