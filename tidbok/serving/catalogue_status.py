"""What the published version holds: its tables and columns, and each metric's latest period.

The catalogue lists every metric, `planned` ones too; a metric is *published* once the
serving file holds its mart (an effect metric of family F: once the shared effects mart
holds rows for the metric it is the effect of). Nothing here fails on a metric whose mart
is missing or has another shape than a metric mart (the effects mart has no period
column): those are simply not published, or have no latest period. Everything here is
read once per version (Snapshot.memo).
"""

from __future__ import annotations

import logging
from datetime import date, datetime

import duckdb

from tidbok.serving.connection import Snapshot
from tidbok.serving.errors import NotYetPublished, ServingContractBroken
from tidbok.serving.registry import MetricSpec

log = logging.getLogger(__name__)
# The mart every family-F entry of the catalogue shares, keyed by metric_id = effect_of.
EFFECTS_TABLE = "marts.effect_estimates"


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
    if spec.effect_of is not None:
        return spec.effect_of in effect_metric_ids(snap)
    return spec.table in published_tables(snap)


def effect_metric_ids(snap: Snapshot) -> frozenset[str]:
    """The metrics the effects mart has estimates of (empty while it is not published)."""
    if "metric_id" not in table_columns(snap, EFFECTS_TABLE):
        return frozenset()

    def read() -> frozenset[str]:
        con = snap.cursor()
        try:
            rows = con.execute(f"SELECT DISTINCT metric_id FROM {EFFECTS_TABLE}").fetchall()
        except duckdb.Error as exc:
            log.warning("reading the metric ids of %s failed: %s", EFFECTS_TABLE, exc)
            return frozenset()
        finally:
            con.close()
        return frozenset(r[0] for r in rows if r[0] is not None)

    return snap.memo("effect_metric_ids", read)


def is_published_table(snap: Snapshot, table: str) -> bool:
    return table in published_tables(snap)


def require_published(snap: Snapshot, spec: MetricSpec) -> None:
    if not is_published(snap, spec):
        if spec.status == "planned":
            raise NotYetPublished(
                f"{spec.id} is planned and not published yet: it is catalogued, but its "
                f"mart {spec.table} comes with a later feed and the current serving "
                "version does not hold it."
            )
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
    """The last period (month or day) the metric's mart has rows for; None if unpublished,
    empty, or without a date period column (effect estimates have no period: family F
    shares marts.effect_estimates, whose rows are per month relative to go-live)."""
    if spec.effect_of is not None or spec.period_column not in table_columns(snap, spec.table):
        return None

    def read() -> date | None:
        con = snap.cursor()
        try:
            row = con.execute(f"SELECT max({spec.period_column}) FROM {spec.table}").fetchone()
            latest = row[0] if row else None
        except duckdb.Error as exc:  # a shape the catalogue does not describe: not a crash
            log.warning("latest period of %s in %s failed: %s", spec.id, spec.table, exc)
            return None
        finally:
            con.close()
        if isinstance(latest, datetime):
            return latest.date()
        return latest if isinstance(latest, date) else None

    return snap.memo(("latest_period", spec.table, spec.period_column), read)
