"""Re-ingest a date range idempotently: delete the range's partitions, ingest again.

A backfill forgets every file whose lake partition day lies in the range
(its parts in every table, its quarantined rows, its ledger row) and then
runs ordinary ingestion, which finds those files new again. Running the same
backfill twice leaves the same lake.
"""

from __future__ import annotations

import datetime as dt
import logging

import duckdb

from ingestion.runner import IngestionSummary, ingest_landing
from tidbok import config

log = logging.getLogger("tidbok.backfill")


def files_in_range(first: dt.date, last: dt.date, feed: str | None = None) -> list[dict]:
    ledger = config.ledger_dir()
    if not any(ledger.glob("*.parquet")):
        return []
    query = (f"select file_hash, feed, partition_day from read_parquet('{ledger}/*.parquet', "
             "union_by_name=true) where partition_day between ? and ?")
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


def forget_file(file_hash: str, feed: str) -> int:
    """Remove everything one ingested file produced; returns the paths removed."""
    part = f"part-{file_hash[:16]}.parquet"
    removed = 0
    for path in [*config.lake_dir().glob(f"*/region=*/day=*/{part}"),
                 *(config.quarantine_dir() / f"feed={feed}").glob(f"quarantine-{part}"),
                 config.ledger_dir() / f"{file_hash}.parquet"]:
        if path.exists():
            path.unlink()
            removed += 1
    return removed


def backfill(first: dt.date, last: dt.date, feed: str | None = None) -> IngestionSummary:
    if last < first:
        raise ValueError(f"backfill range ends ({last}) before it starts ({first})")
    forgotten = files_in_range(first, last, feed)
    for row in forgotten:
        forget_file(row["file_hash"], row["feed"])
    log.info("backfill %s..%s: re-ingesting %d file(s)", first, last, len(forgotten))
    return ingest_landing(feeds=(feed,) if feed else None)
