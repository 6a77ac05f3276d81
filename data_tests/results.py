"""The lake table `_gate_results`: every expectation checked on every file's
tables, so the data-quality dashboard can show what the gate saw.

One Parquet file per ingestion run (`lake/_gate_results/<run id>.parquet`),
staged with the run's parts and committed with them, before its ledger rows.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from ingestion import canonical
from tidbok import config

TABLE = "_gate_results"

GATE_RESULTS = pa.schema([
    ("run_id", pa.string()),  # the ingestion run (one Great Expectations pass per table)
    ("file_hash", pa.string()),
    ("feed", pa.string()),
    ("region_code", pa.string()),
    ("table_name", pa.string()),  # the lake table checked
    ("expectation", pa.string()),  # the rule's stable name, e.g. status_in_code_list
    ("expectation_type", pa.string()),  # the Great Expectations class it ran as
    ("column_name", pa.string()),
    ("severity", pa.string()),  # block | warn
    ("success", pa.bool_()),
    ("rows_checked", pa.int64()),
    ("unexpected_count", pa.int64()),
    ("observed", pa.string()),  # counts and code values only, never an identifier
    ("checked_at", canonical.TS),
])


def results_dir() -> Path:
    return config.lake_dir() / TABLE


def write_part(folder: Path, run_id: str, rows: list[dict]) -> Path:
    """The rows as `folder/<run id>.parquet` (written under a temporary name first)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{run_id}.parquet"
    tmp = folder / f".{run_id}.parquet.tmp"
    pq.write_table(pa.Table.from_pylist(rows, schema=GATE_RESULTS), tmp, compression="zstd")
    os.replace(tmp, target)
    return target


def results_since(since: dt.datetime | None) -> pl.DataFrame:
    """Results of files gated at or after `since` (all when None), read only
    from the files written since then."""
    folder = results_dir()
    cutoff = since.timestamp() if since else None
    paths = []
    if folder.exists():
        with os.scandir(folder) as entries:
            paths = [e.path for e in entries
                     if e.name.endswith(".parquet") and e.name != canonical.SCHEMA_FILE
                     and (cutoff is None or e.stat().st_mtime >= cutoff)]
    if not paths:
        return pl.from_arrow(GATE_RESULTS.empty_table())
    frame = pl.concat([pl.read_parquet(p) for p in paths])
    if since is not None:
        frame = frame.filter(pl.col("checked_at") >= since)
    return frame
