"""Which published version of the serving file a reader is looking at ("as of")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from tidbok.serving.connection import Snapshot, serving_snapshot
from tidbok.serving.errors import ServingContractBroken

PUBLISH_INFO_TABLE = "meta.publish_info"


@dataclass(frozen=True)
class PublishInfo:
    version: str
    published_at: datetime


def publish_info(snapshot: Snapshot | duckdb.DuckDBPyConnection | None = None) -> PublishInfo:
    """The version and publish time of the serving file (of `snapshot`, or the current one)."""
    if snapshot is None:
        with serving_snapshot() as snap:
            return publish_info(snap)
    if isinstance(snapshot, Snapshot):
        return snapshot.memo("publish_info", lambda: _read_from(snapshot))
    return _read(snapshot)


def _read_from(snap: Snapshot) -> PublishInfo:
    con = snap.cursor()
    try:
        return _read(con)
    finally:
        con.close()


def _read(con: duckdb.DuckDBPyConnection) -> PublishInfo:
    try:
        row = con.execute(
            f"SELECT version, published_at FROM {PUBLISH_INFO_TABLE} "
            "ORDER BY published_at DESC LIMIT 1"
        ).fetchone()
    except duckdb.CatalogException as exc:
        raise ServingContractBroken(
            f"The serving file has no {PUBLISH_INFO_TABLE} table; republish it."
        ) from exc
    if row is None:
        raise ServingContractBroken(
            f"{PUBLISH_INFO_TABLE} in the serving file is empty; republish it."
        )
    return PublishInfo(version=row[0], published_at=row[1])
