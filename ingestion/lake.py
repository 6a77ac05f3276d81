"""Write canonical rows to the Parquet lake, rejected rows to the quarantine,
and one ledger row per file, so that a file's outcome is all-or-nothing.

Parts are written under a temporary name and renamed into place; the ledger
row is written last and is what marks a file as ingested. A run killed halfway
leaves no ledger row, so the next run ingests the file again and overwrites
the same part names (idempotent).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from ingestion import canonical
from ingestion.feeds.base import LandingFile
from tidbok import config


def partition_dir(table: str, region_code: str, day: dt.date | None) -> Path:
    day_text = day.isoformat() if day else "unknown"
    return config.lake_dir() / table / f"region={region_code}" / f"day={day_text}"


class PartWriter:
    """Streams batches of one file into one Parquet part (bounded memory)."""

    def __init__(self, target_dir: Path, name: str, schema: pa.Schema):
        self.schema = schema
        self.name = name
        self.tmp = target_dir / f".{name}.tmp"
        target_dir.mkdir(parents=True, exist_ok=True)
        self._writer: pq.ParquetWriter | None = None
        self.rows = 0

    def write(self, frame: pl.DataFrame) -> None:
        if frame.height == 0:
            return
        table = frame.to_arrow().cast(self.schema)
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.tmp, self.schema, compression="zstd")
        self._writer.write_table(table)
        self.rows += frame.height

    def commit(self, final_dir: Path) -> Path | None:
        if self._writer is None:
            return None
        self._writer.close()
        final_dir.mkdir(parents=True, exist_ok=True)
        target = final_dir / self.name
        os.replace(self.tmp, target)
        return target

    def abort(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self.tmp.unlink(missing_ok=True)


def quarantine_rows(file: LandingFile, rejected: pl.DataFrame) -> pl.DataFrame:
    now = dt.datetime.now()
    return rejected.select(
        pl.lit(file.feed).alias("feed"),
        pl.lit(file.region_code).alias("region_code"),
        pl.lit(file.relative_path).alias("file_path"),
        pl.lit(file.file_hash).alias("file_hash"),
        "row_number", "field", "reason", "record",
        pl.lit(now).cast(pl.Datetime("us")).alias("quarantined_at"),
    )


def quarantine_file_dir(feed: str) -> Path:
    return config.quarantine_dir() / f"feed={feed}"


def write_ledger_row(row: dict) -> None:
    table = pa.Table.from_pylist([row], schema=canonical.LEDGER)
    target = config.ledger_dir() / f"{row['file_hash']}.parquet"
    tmp = target.with_suffix(".tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, target)


def ingested_hashes() -> set[str]:
    folder = config.ledger_dir()
    if not folder.exists():
        return set()
    return {p.stem for p in folder.glob("*.parquet") if p.name != canonical.SCHEMA_FILE}


def ensure_schema_files() -> None:
    from ingestion.registry import canonical_tables

    for table, schema in canonical_tables().items():
        canonical.write_schema_file(config.lake_dir() / table, schema)
    canonical.write_schema_file(config.ledger_dir(), canonical.LEDGER)
    canonical.write_schema_file(config.quarantine_dir(), canonical.QUARANTINE)
