"""Which published version of the serving file a reader is looking at ("as of")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from tidbok.serving.connection import reuse_or_open
from tidbok.serving.errors import ServingContractBroken


@dataclass(frozen=True)
class PublishInfo:
    version: str
    published_at: datetime


def publish_info(con: duckdb.DuckDBPyConnection | None = None) -> PublishInfo:
    with reuse_or_open(con) as c:
        try:
            row = c.execute(
                "SELECT version, published_at FROM meta.publish_info "
                "ORDER BY published_at DESC LIMIT 1"
            ).fetchone()
        except duckdb.CatalogException as exc:
            raise ServingContractBroken(
                "The serving file has no meta.publish_info table; republish it."
            ) from exc
    if row is None:
        raise ServingContractBroken("meta.publish_info in the serving file is empty; republish it.")
    return PublishInfo(version=row[0], published_at=row[1])
