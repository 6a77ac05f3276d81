"""Ingest everything new under landing/: one file at a time, all-or-nothing.

For each file: hash it, skip it if the ledger has it, run its feed's adapter,
write loaded rows to the lake and rejected rows to the quarantine, then write
the ledger row (rows read = rows loaded + rows quarantined). A file that cannot
be read at all is recorded as rejected with its reason and the run goes on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ingestion import canonical, lake, registry
from ingestion.delimited import FileRejected
from ingestion.feeds.base import LandingFile
from tidbok import config

log = logging.getLogger("tidbok.ingestion")


@dataclass
class IngestionSummary:
    files_ingested: int = 0
    files_skipped_known: int = 0
    files_rejected: int = 0
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    unsupported_feeds: dict[str, int] = field(default_factory=dict)
    unknown_folders: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def discover(landing: Path) -> list[tuple[str, str, Path]]:
    """(feed, region, path) for every delivered file, in a stable order."""
    found = []
    if not landing.exists():
        return found
    for feed_dir in sorted(p for p in landing.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for region_dir in sorted(p for p in feed_dir.iterdir() if p.is_dir()):
            for path in sorted(p for p in region_dir.iterdir()
                               if p.is_file() and not p.name.startswith(".")):
                found.append((feed_dir.name, region_dir.name, path))
    return found


def ingest_landing(feeds: tuple[str, ...] | None = None) -> IngestionSummary:
    config.ensure_layout()
    lake.ensure_schema_files()
    landing = config.landing_dir()
    work_dir = landing / ".work"
    known = lake.ingested_hashes()
    summary = IngestionSummary()
    for feed, region, path in discover(landing):
        if feed not in registry.KNOWN_FEEDS:
            summary.unknown_folders.append(f"{feed}/{region}")
            continue
        if feeds is not None and feed not in feeds:
            continue
        adapter = registry.adapter_for(feed, work_dir)
        if adapter is None:
            summary.unsupported_feeds[feed] = summary.unsupported_feeds.get(feed, 0) + 1
            continue
        file_hash = file_sha256(path)
        if file_hash in known:
            summary.files_skipped_known += 1
            continue
        file = LandingFile(feed, region, path, str(path.relative_to(landing)), file_hash)
        row = ingest_file(adapter, file)
        known.add(file_hash)
        summary.files_ingested += 1
        summary.files_rejected += row["status"] == "rejected_file"
        summary.rows_read += row["rows_read"]
        summary.rows_loaded += row["rows_loaded"]
        summary.rows_quarantined += row["rows_quarantined"]
    for feed, count in summary.unsupported_feeds.items():
        log.warning("feed %s is not supported yet: %d file(s) skipped", feed, count)
    return summary


def ingest_file(adapter, file: LandingFile) -> dict:
    """Ingest one file; returns its ledger row."""
    part_name = f"part-{file.file_hash[:16]}.parquet"
    staging = config.lake_dir() / ".staging"
    writers = {table: lake.PartWriter(staging / table, part_name, schema)
               for table, schema in adapter.tables.items()}
    rejected = lake.PartWriter(staging / "_quarantine", f"quarantine-{part_name}",
                               canonical.QUARANTINE)
    days: set[dt.date] = set()
    rows_read = 0
    try:
        for batch in adapter.read(file):
            for table, frame in batch.loaded.items():
                writers[table].write(frame)
            rejected.write(lake.quarantine_rows(file, batch.rejected))
            rows_read += batch.rows_read
            days.update(d for d in batch.days if d is not None)
    except FileRejected as exc:
        for writer in (*writers.values(), rejected):
            writer.abort()
        log.warning("%s: file rejected: %s", file.relative_path, exc)
        return _finish_rejected_file(file, adapter, str(exc))
    except Exception:
        for writer in (*writers.values(), rejected):
            writer.abort()
        raise
    day = max(days) if days else None
    for table, writer in writers.items():
        writer.commit(lake.partition_dir(table, file.region_code, day))
    rejected.commit(lake.quarantine_file_dir(file.feed))
    primary = next(iter(writers.values()))
    status, message = "loaded", None
    if rejected.rows:
        status, message = "loaded_with_rejects", f"{rejected.rows} row(s) quarantined"
        log.warning("%s: %s", file.relative_path, message)
    if primary.rows + rejected.rows != rows_read:
        raise AssertionError(  # a bug in the adapter, never a data problem
            f"{file.relative_path}: {rows_read} read but {primary.rows} loaded "
            f"+ {rejected.rows} quarantined")
    row = _ledger_row(file, adapter, rows_read, primary.rows, rejected.rows, status, message, day)
    lake.write_ledger_row(row)
    return row


def _finish_rejected_file(file: LandingFile, adapter, message: str) -> dict:
    """A whole file rejected: count its records as quarantined, keep the reason.

    Adapters whose records are not header-plus-lines (JSON, ZIP) say how to
    count them with `count_records(path)`."""
    counter = getattr(adapter, "count_records", None)
    lines = counter(file.path) if counter else _count_data_lines(file.path)
    frame = pl.DataFrame({"row_number": [None], "field": ["(file)"], "reason": [message],
                          "record": [None]},
                         schema={"row_number": pl.Int64, "field": pl.String, "reason": pl.String,
                                 "record": pl.String})
    writer = lake.PartWriter(config.lake_dir() / ".staging" / "_quarantine",
                             f"quarantine-part-{file.file_hash[:16]}.parquet", canonical.QUARANTINE)
    writer.write(lake.quarantine_rows(file, frame))
    writer.commit(lake.quarantine_file_dir(file.feed))
    row = _ledger_row(file, adapter, lines, 0, lines, "rejected_file", message, None)
    lake.write_ledger_row(row)
    return row


def _count_data_lines(path: Path) -> int:
    """Rows read from a file we could not parse: its non-empty lines after the header."""
    count = 0
    with path.open("rb") as fh:
        for i, line in enumerate(fh):
            if i > 0 and line.strip():
                count += 1
    return count


def _ledger_row(file: LandingFile, adapter, read: int, loaded: int, quarantined: int,
                status: str, message: str | None, day: dt.date | None) -> dict:
    return {
        "file_hash": file.file_hash, "feed": file.feed, "region_code": file.region_code,
        "file_path": file.relative_path, "file_bytes": file.path.stat().st_size,
        "encoding": getattr(adapter, "encoding", None), "rows_read": read,
        "rows_loaded": loaded, "rows_quarantined": quarantined, "status": status,
        "message": message, "partition_day": day, "ingested_at": dt.datetime.now(),
    }
