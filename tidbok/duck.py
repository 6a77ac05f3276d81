"""Open DuckDB files the way every job here should: no progress bar."""

from __future__ import annotations

from pathlib import Path

import duckdb


def connect(path: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path), read_only=read_only)
    # A progress bar on stdout corrupts job logs; it is a session setting in DuckDB 2.0.
    con.execute("SET enable_progress_bar = false")
    return con
