"""What the gate saw in one pipeline run, per lake table (for Dagster asset checks).

Canonical tables: the stored `_gate_results` of the files gated since the run
started (the gate ran once per table for all of them). The system tables
(`_ledger`, `_gate_results`) are not gated when a file is ingested; their rows
written since the run started are validated here against their suites.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pyarrow as pa

from data_tests import results
from data_tests.gate import validate_table
from ingestion import canonical
from ingestion.lake import read_conformed
from ingestion.registry import system_tables
from tidbok import config


@dataclass
class TableCheck:
    """The outcome for one table: passed, and if not, whether anything blocking failed."""

    table: str
    passed: bool
    blocking: bool
    description: str
    metadata: dict = field(default_factory=dict)


def check_table(table: str, since: dt.datetime | None) -> TableCheck:
    if table in system_tables():
        return _check_system_table(table, since)
    checked = results.results_since(since).filter(pl.col("table_name") == table)
    return summarise(table, checked)


def summarise(table: str, checked: pl.DataFrame) -> TableCheck:
    """Counts of files and failures; each failed expectation with an observed example."""
    files = checked["file_hash"].drop_nulls().n_unique()
    failed = checked.filter(~pl.col("success"))
    blocked_files = failed.filter(pl.col("severity") == "block")["file_hash"].n_unique()
    per_rule = (failed.group_by("expectation", "severity")
                .agg(pl.col("file_hash").n_unique().alias("files"),
                     pl.col("observed").first().alias("example"))
                .sort("severity", "expectation"))
    blocking = (failed["severity"] == "block").any()
    metadata = {
        "files_checked": files,
        "files_blocked": blocked_files,
        "expectations_checked": checked.height,
        "block_failures": int((failed["severity"] == "block").sum()),
        "warn_failures": int((failed["severity"] == "warn").sum()),
        "failed_expectations": per_rule.to_dicts(),
    }
    if checked.is_empty():
        description = f"no {table} rows were checked in this run"
    elif failed.is_empty():
        description = f"all {checked.height} expectation(s) passed on {files} file(s)"
    else:
        names = ", ".join(per_rule["expectation"].to_list()[:5])
        description = (f"{failed.height} failed expectation(s) on {table} ({names}); "
                       f"{blocked_files} file(s) blocked")
    return TableCheck(table, failed.is_empty(), bool(blocking), description, metadata)


def _check_system_table(table: str, since: dt.datetime | None) -> TableCheck:
    schema = system_tables()[table]
    data = _rows_written_since(config.lake_dir() / table, schema, since)
    checked = validate_table(table, schema, data)
    frame = pl.DataFrame(
        [{"file_hash": None, "expectation": x.rule.name, "severity": x.rule.severity,
          "success": x.success, "observed": x.summary()} for x in checked],
        schema={"file_hash": pl.String, "expectation": pl.String, "severity": pl.String,
                "success": pl.Boolean, "observed": pl.String})
    summary = summarise(table, frame)
    summary.metadata["rows_checked"] = data.num_rows
    summary.metadata.pop("files_checked")
    summary.metadata.pop("files_blocked")
    if data.num_rows == 0:
        summary.description = f"no {table} rows were written in this run"
    elif summary.passed:
        summary.description = (f"all {frame.height} expectation(s) passed on the "
                               f"{data.num_rows} {table} row(s) written in this run")
    return summary


def _rows_written_since(folder, schema: pa.Schema, since: dt.datetime | None) -> pa.Table:
    """Rows of the one-file-per-run tables written at or after `since`."""
    cutoff = since.timestamp() if since else None
    tables = []
    if folder.exists():
        with os.scandir(folder) as entries:
            for entry in entries:
                if (entry.name.endswith(".parquet") and entry.name != canonical.SCHEMA_FILE
                        and (cutoff is None or entry.stat().st_mtime >= cutoff)):
                    tables.append(read_conformed(Path(entry.path), schema))
    return pa.concat_tables(tables) if tables else schema.empty_table()
