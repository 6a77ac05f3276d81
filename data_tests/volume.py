"""Volume against the previous delivery of the same feed and region.

The runner reads the ledger once per run (ingestion.lake.LedgerState) and
hands the gate the latest loaded delivery per (feed, region); within a run,
each file is compared with the file of the run before it that loaded.
"""

from __future__ import annotations

import math

VOLUME_FACTOR = 5.0  # rows loaded within [previous / 5, previous * 5]: outside, a warning
# Ledger statuses of files whose rows are in the lake (something to compare with).
DELIVERED = ("loaded", "loaded_with_rejects")


def latest_deliveries(rows) -> dict[tuple[str, str], dict]:
    """The ledger row of the latest loaded file per (feed, region)."""
    latest: dict[tuple[str, str], dict] = {}
    for row in rows:
        if row["status"] not in DELIVERED:
            continue
        key = (row["feed"], row["region_code"])
        current = latest.get(key)
        if current is None or row["ingested_at"] >= current["ingested_at"]:
            latest[key] = row
    return latest


def volume_band(previous: dict | None) -> tuple[int, int] | None:
    """(min, max) rows expected after `previous`; None when there is nothing to compare."""
    if not previous or not previous.get("rows_loaded"):
        return None
    rows = previous["rows_loaded"]
    return math.floor(rows / VOLUME_FACTOR), math.ceil(rows * VOLUME_FACTOR)
