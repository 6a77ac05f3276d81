"""Re-ingest a date range idempotently: delete the range's partitions, ingest again.

A backfill forgets every file whose lake partition day lies in the range
(its parts in every table, its quarantined rows, its ledger row: the run
files holding them are rewritten without them) and then
runs ordinary ingestion, which finds those files new again. Running the same
backfill twice leaves the same lake.
"""

from __future__ import annotations

import datetime as dt
import logging

import duckdb

from ingestion import canonical, lake
from ingestion.runner import IngestionSummary, ingest_landing
from tidbok import config

log = logging.getLogger("tidbok.backfill")


def files_in_range(first: dt.date, last: dt.date, feed: str | None = None) -> list[dict]:
    ledger = config.ledger_dir()
    if not lake.data_files(ledger):
        return []
    # Superseded files stay in the ledger as history: nothing of them is left to redo.
    query = (f"select file_hash, feed, partition_day from read_parquet('{ledger}/*.parquet', "
             "union_by_name=true) where partition_day between ? and ? "
             "and status is distinct from 'superseded'")
    params: list = [first, last]
    if feed:
        query += " and feed = ?"
        params.append(feed)
    con = duckdb.connect()
    try:
        rows = con.execute(query, params).fetchall()
    finally:
        con.close()
    return [{"file_hash": h, "feed": f, "partition_day": d} for h, f, d in rows]


def forget_files(files: list[dict]) -> int:
    """Remove everything these ingested files produced (dicts with file_hash and
    feed): their parts in every table, their quarantined rows, their ledger rows.
    Returns the lake files removed or rewritten."""
    hashes = {f["file_hash"] for f in files}
    if not hashes:
        return 0
    parts = {lake.part_name(h) for h in hashes}
    changed = 0
    with lake.commit_lock():
        for path in config.lake_dir().glob("*/region=*/day=*/part-*.parquet"):
            if path.name in parts:
                path.unlink()
                changed += 1
        folders = [(lake.quarantine_file_dir(feed), canonical.QUARANTINE)
                   for feed in sorted({f["feed"] for f in files})]
        folders.append((config.ledger_dir(), canonical.LEDGER))  # last: the files are new again
        for folder, schema in folders:
            for path in lake.data_files(folder):
                kept = lake.without_files(path, hashes, schema)
                if kept is None:
                    continue
                if kept.num_rows:
                    lake.write_table(kept, path)
                else:
                    path.unlink()
                changed += 1
    return changed


def forget_file(file_hash: str, feed: str) -> int:
    """Remove everything one ingested file produced."""
    return forget_files([{"file_hash": file_hash, "feed": feed}])


def backfill(first: dt.date, last: dt.date, feed: str | None = None) -> IngestionSummary:
    if last < first:
        raise ValueError(f"backfill range ends ({last}) before it starts ({first})")
    forgotten = files_in_range(first, last, feed)
    forget_files(forgotten)
    log.info("backfill %s..%s: re-ingesting %d file(s)", first, last, len(forgotten))
    return ingest_landing(feeds=(feed,) if feed else None)
