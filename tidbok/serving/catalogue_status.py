"""What the published version holds: its tables and columns, and each metric's latest period.

The catalogue lists every metric; a metric is *published* once the serving file holds its
mart. Everything here is read once per version (Snapshot.memo).
"""

from __future__ import annotations

from datetime import date

from tidbok.serving.connection import Snapshot
from tidbok.serving.errors import NotYetPublished, ServingContractBroken
from tidbok.serving.registry import MetricSpec


def published_tables(snap: Snapshot) -> dict[str, frozenset[str]]:
    """'schema.table' -> its column names, for every table of the published version."""

    def read() -> dict[str, frozenset[str]]:
        con = snap.cursor()
        try:
            rows = con.execute(
                "SELECT schema_name || '.' || table_name, list(column_name) FROM duckdb_columns() "
                "WHERE database_name = 'serving' GROUP BY ALL"
            ).fetchall()
        finally:
            con.close()
        return {table: frozenset(columns) for table, columns in rows}

    return snap.memo("published_tables", read)


def table_columns(snap: Snapshot, table: str) -> frozenset[str]:
    return published_tables(snap).get(table, frozenset())


def is_published(snap: Snapshot, spec: MetricSpec) -> bool:
    return spec.table in published_tables(snap)


def is_published_table(snap: Snapshot, table: str) -> bool:
    return table in published_tables(snap)


def require_published(snap: Snapshot, spec: MetricSpec) -> None:
    if not is_published(snap, spec):
        raise NotYetPublished(
            f"{spec.id} is in the metric catalogue but not published yet: the current serving "
            f"version has no {spec.table}. It is served from the first publish that builds it."
        )


def require_table(snap: Snapshot, table: str, what: str, columns: tuple[str, ...]) -> None:
    """A table another team publishes (coverage, effects, freshness): present and complete."""
    present = published_tables(snap).get(table)
    if present is None:
        raise NotYetPublished(
            f"{what} are not published yet: the current serving version has no {table}."
        )
    missing = [c for c in columns if c not in present]
    if missing:
        raise ServingContractBroken(f"{table} lacks the columns {', '.join(missing)}.")


def latest_period(snap: Snapshot, spec: MetricSpec) -> date | None:
    """The last period (month or day) the metric's mart has rows for; None if unpublished
    (or, for effect estimates, which have no period)."""
    if spec.period_column not in table_columns(snap, spec.table):
        return None

    def read() -> date | None:
        con = snap.cursor()
        try:
            return con.execute(f"SELECT max({spec.period_column}) FROM {spec.table}").fetchone()[0]
        finally:
            con.close()

    return snap.memo(("latest_period", spec.table, spec.period_column), read)
