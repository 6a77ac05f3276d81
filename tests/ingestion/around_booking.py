"""Write landing files and read back the lake, quarantine and ledger, for the
tests of the feeds around the booking (timeslots, telephony, eservice_events,
connections, hsa_units, population)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl


def write_landing(home: Path, feed: str, name: str, lines: list[str], region: str = "01",
                  encoding: str = "utf-8", final_newline: bool = True) -> Path:
    folder = home / "landing" / feed / region
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(("\n".join(lines) + ("\n" if final_newline else "")).encode(encoding))
    return path


def csv_row(values: dict[str, str], columns, separator: str = ";") -> str:
    return separator.join(values[c] for c in columns)


def lake(home: Path, table: str) -> pl.DataFrame:
    return duckdb.sql(f"select * from read_parquet('{home}/lake/{table}/**/part-*.parquet', "
                      "union_by_name=true, hive_partitioning=false) order by source_row").pl()


def lake_parts(home: Path, table: str) -> list[str]:
    """Partition folders written, relative to the table ('region=01/day=2025-03-04')."""
    root = home / "lake" / table
    return sorted(str(p.parent.relative_to(root)) for p in root.glob("**/part-*.parquet"))


def quarantine(home: Path) -> pl.DataFrame:
    return duckdb.sql(f"select * from read_parquet('{home}/quarantine/**/*.parquet', "
                      "union_by_name=true) order by row_number").pl()


def ledger(home: Path) -> pl.DataFrame:
    return duckdb.sql(f"select * from read_parquet('{home}/lake/_ledger/*.parquet') "
                      "order by file_path").pl()
