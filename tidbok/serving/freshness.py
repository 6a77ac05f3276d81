"""How fresh the served figures are, and whether every delivered file was accounted for.

Reads the data-quality marts when the serving file has them (FRESHNESS_TABLE and
LEDGER_TABLE, built by the pipeline's data-quality models; the column lists below are
the contract) and otherwise answers from what every serving file has: its publish_info
and each metric's latest period.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tidbok.serving.catalogue_status import (
    is_published,
    latest_period,
    published_tables,
    require_table,
)
from tidbok.serving.connection import Snapshot, serving_snapshot
from tidbok.serving.periods import label
from tidbok.serving.publication import publish_info
from tidbok.serving.registry import catalogue

FRESHNESS_TABLE = "marts.data_freshness"
# Per feed and region: the last day with data, and when the last file arrived.
FRESHNESS_COLUMNS = ("feed", "region_code", "latest_data_day", "latest_received_at")
LEDGER_TABLE = "marts.ledger_status"
# Per feed and region, summed over the ledger: rows read = rows loaded + rows quarantined.
LEDGER_COLUMNS = (
    "feed",
    "region_code",
    "files",
    "files_rejected",
    "rows_read",
    "rows_loaded",
    "rows_quarantined",
    "last_received_at",
)


def freshness(snapshot: Snapshot | None = None) -> dict[str, Any]:
    """Version, per-metric latest period, and per-feed freshness when published.

    Every catalogue metric is listed, `planned` ones and effect estimates (family F, no
    period of their own) too: their latest_period is None, never an error."""
    if snapshot is None:
        with serving_snapshot() as snap:
            return freshness(snap)
    info = publish_info(snapshot)
    metrics = []
    for spec in catalogue().metrics.values():
        latest: date | None = latest_period(snapshot, spec)
        metrics.append(
            {
                "metric": spec.id,
                "status": spec.status,
                "published": is_published(snapshot, spec),
                "latest_period": None if latest is None else label(latest, spec.time_grain),
            }
        )
    feeds = None
    if FRESHNESS_TABLE in published_tables(snapshot):
        feeds = _rows(snapshot, FRESHNESS_TABLE, FRESHNESS_COLUMNS)
    return {
        "version": info.version,
        "published_at": info.published_at,
        "metrics": metrics,
        "feeds": feeds,
    }


def ledger_status(region: str | None = None, *, snapshot: Snapshot | None = None) -> list[dict]:
    """Per feed and region: files and rows read, loaded and quarantined, and whether they add up."""
    if snapshot is None:
        with serving_snapshot() as snap:
            return ledger_status(region, snapshot=snap)
    require_table(snapshot, LEDGER_TABLE, "Ledger status", LEDGER_COLUMNS)
    rows = _rows(snapshot, LEDGER_TABLE, LEDGER_COLUMNS, region)
    for row in rows:
        row["reconciled"] = row["rows_read"] == row["rows_loaded"] + row["rows_quarantined"]
    return rows


def _rows(
    snap: Snapshot, table: str, columns: tuple[str, ...], region: str | None = None
) -> list[dict[str, Any]]:
    require_table(snap, table, table, columns)
    where, params = ("WHERE region_code = ?", [region]) if region else ("", [])
    con = snap.cursor()
    try:
        cursor = con.execute(
            f"SELECT {', '.join(columns)} FROM {table} {where} ORDER BY feed, region_code", params
        )
        rows = [dict(zip(columns, values, strict=True)) for values in cursor.fetchall()]
    finally:
        con.close()
    for row in rows:
        row["region"] = row.pop("region_code")
    return rows
