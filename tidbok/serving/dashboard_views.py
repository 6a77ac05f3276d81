"""Reads the dashboards need beyond a metric's own values, under the query layer's rules.

- the dimensions a metric can be cut by and the estimate parameters it uses;
- each metric's publication status, and the months the published figures span;
- when each region (and the nation, '00') first had a unit live on a new service;
- the estimate parameters, care unit names, feed freshness;
- the data-quality tables (quarantine by reason, check results), whose column lists
  below are the contract for the models that build them.

Like the rest of tidbok.serving, nothing here takes SQL text from a caller: identifiers
come from the catalogue or the constants below, values are bound as parameters.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from typing import Any

import duckdb
import yaml

from tidbok.serving import periods
from tidbok.serving.catalogue_status import is_published, published_tables, require_table
from tidbok.serving.connection import Snapshot, serving_snapshot
from tidbok.serving.errors import ServingContractBroken
from tidbok.serving.freshness import FRESHNESS_COLUMNS, FRESHNESS_TABLE
from tidbok.serving.metric_values import metric_values
from tidbok.serving.registry import catalogue, catalogue_dir, metric_spec
from tidbok.serving.scope import NATIONAL_REGION

# The metric whose first live unit marks a region's go-live (METRICS.md D).
GO_LIVE_METRIC = "units_connected_share"
# Metrics dated by when a booking was made or a visit's outcome recorded: their last month
# is how far the delivered data reaches. Marts dated by the appointment (late cancellations,
# slots) also hold the future months of bookings not yet due, which are not figures yet.
REACH_METRICS = ("digital_booking_share", "no_show_rate")
ESTIMATE_PARAMETERS_TABLE = "marts.estimate_parameters"
ESTIMATE_PARAMETER_COLUMNS = (
    "parameter", "region_code", "qualifier", "value", "unit", "valid_from", "version", "source",
)
UNITS_TABLE = "marts.dim_units"
# Data-quality contracts: per feed, region and reason, the rows the gate quarantined.
QUARANTINE_TABLE = "marts.quarantine_summary"
QUARANTINE_COLUMNS = ("feed", "region_code", "reason", "rows_quarantined")
# One row per check of the last run: Great Expectations at the gate, dbt tests in the build.
# check_kind: great_expectations | dbt; status: pass | warn | fail | error | skipped.
CHECKS_TABLE = "marts.check_results"
CHECK_COLUMNS = ("check_kind", "check_name", "target", "status", "failures", "checked_at")
OPTIONAL_CHECK_COLUMNS = ("region_code", "severity")


# ---------------------------------------------------------------- catalogue extras


def parameters_of(metric_id: str) -> tuple[str, ...]:
    """The estimate parameters (rows of marts.estimate_parameters) a metric is computed with."""
    raw = _raw_entries().get(metric_id, {}).get("parameters") or ()
    return tuple(str(p) for p in raw)


def cut_dimensions(metric_id: str) -> tuple[str, ...]:
    """Every dimension the metric can be cut by: its own, then its detail mart's (served by
    metric_values from one protection of the detail mart, so the API serves the same cells)."""
    return tuple(metric_spec(metric_id).all_dimensions)


_raw_lock = threading.Lock()
_raw_cache: dict[tuple, dict[str, dict]] = {}


def _raw_entries() -> dict[str, dict]:
    """metrics.yml entries by id, for the fields the registry does not carry (parameters)."""
    path = catalogue_dir() / "metrics.yml"
    try:
        stamp = (str(path), os.stat(path).st_mtime_ns)
    except FileNotFoundError:
        return {}
    with _raw_lock:
        if stamp not in _raw_cache:
            _raw_cache.clear()
            try:
                document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            except (OSError, yaml.YAMLError) as exc:
                raise ServingContractBroken(
                    f"The metric catalogue {path} cannot be read: {exc}") from exc
            entries = document.get("metrics") or [] if isinstance(document, dict) else []
            _raw_cache[stamp] = {e["id"]: e for e in entries if isinstance(e, dict) and "id" in e}
        return _raw_cache[stamp]


# ---------------------------------------------------------------- periods and go-live


def go_live_months(snapshot: Snapshot | None = None) -> dict[str, str]:
    """Region code (and '00') -> the first month ('YYYY-MM') with a unit live on any service.

    Connections are system facts, not figures about people, so every scope reads the same.
    Empty while the coverage mart is not published.
    """
    with _reading(snapshot) as snap:
        spec = catalogue().metrics.get(GO_LIVE_METRIC)
        if spec is None or not is_published(snap, spec):
            return {}

        def read() -> dict[str, str]:
            rows = [
                *metric_values(GO_LIVE_METRIC, snapshot=snap),
                *metric_values(GO_LIVE_METRIC, region=NATIONAL_REGION, snapshot=snap),
            ]
            first: dict[str, str] = {}
            for row in rows:
                if (row["numerator"] or 0) > 0:
                    region = row["region"]
                    first[region] = min(first.get(region, row["period"]), row["period"])
            return first

        return snap.memo("go_live_months", read)


def metric_status(snapshot: Snapshot | None = None) -> dict[str, dict[str, Any]]:
    """Metric id -> {published, latest_period ('YYYY-MM' or 'YYYY-MM-DD', or None)}.

    A metric is published when its mart is; the latest period is read only from marts that
    have the metric's period column (the effect metrics share one mart without one).
    """
    with _reading(snapshot) as snap:

        def read() -> dict[str, dict[str, Any]]:
            tables = published_tables(snap)
            status = {}
            con = snap.cursor()
            try:
                for spec in catalogue().metrics.values():
                    columns = tables.get(spec.table)
                    latest = None
                    if columns is not None and spec.period_column in columns:
                        latest = con.execute(
                            f"SELECT max({spec.period_column}) FROM {spec.table}"
                        ).fetchone()[0]
                    status[spec.id] = {
                        "published": columns is not None,
                        "latest_period": None if latest is None
                        else periods.label(latest, spec.time_grain),
                    }
            finally:
                con.close()
            return status

        return snap.memo("dashboard_metric_status", read)


def period_range(snapshot: Snapshot | None = None) -> tuple[str, str] | None:
    """First and last month ('YYYY-MM') of the published Swedish figures; None if none.

    The last month is that of REACH_METRICS when one is published (see there), else the
    last month of any mart."""
    with _reading(snapshot) as snap:

        def read() -> tuple[str, str] | None:
            spans, reach = [], []
            con = snap.cursor()
            try:
                tables = published_tables(snap)
                for spec in catalogue().metrics.values():
                    if spec.family in ("F", "G") or spec.period_column not in tables.get(
                            spec.table, ()):
                        continue  # effects have no calendar; the benchmark has its own years
                    try:
                        low, high = con.execute(
                            f"SELECT min({spec.period_column}), max({spec.period_column}) "
                            f"FROM {spec.table}"
                        ).fetchone()
                    except duckdb.Error as exc:
                        raise ServingContractBroken(
                            f"{spec.table} has no period column {spec.period_column}: {exc}"
                        ) from exc
                    if low is not None:
                        spans.append((low, high))
                        if spec.id in REACH_METRICS:
                            reach.append(high)
            finally:
                con.close()
            if not spans:
                return None
            last = max(reach) if reach else max(s[1] for s in spans)
            return (periods.label(min(s[0] for s in spans), "month"),
                    periods.label(last, "month"))

        return snap.memo("period_range", read)


# ---------------------------------------------------------------- reference tables


def estimate_parameters(snapshot: Snapshot | None = None) -> list[dict[str, Any]]:
    """Every version of every estimate parameter: value, unit, validity and source."""
    with _reading(snapshot) as snap:
        return _rows(snap, ESTIMATE_PARAMETERS_TABLE, "Estimate parameters",
                     ESTIMATE_PARAMETER_COLUMNS,
                     order="parameter, region_code NULLS FIRST, qualifier NULLS FIRST, "
                           "valid_from, version")


def unit_names(region: str, snapshot: Snapshot | None = None) -> dict[str, str]:
    """Care unit HSA-id -> name for one region's care units (names are public catalogue data)."""
    with _reading(snapshot) as snap:
        if UNITS_TABLE not in published_tables(snap):
            return {}
        con = snap.cursor()
        try:
            rows = con.execute(
                f"SELECT DISTINCT hsa_id, unit_name FROM {UNITS_TABLE} "
                "WHERE region_code = ? AND NOT is_time_book ORDER BY hsa_id",
                [region],
            ).fetchall()
        except duckdb.Error as exc:
            raise ServingContractBroken(f"{UNITS_TABLE} is not as expected: {exc}") from exc
        finally:
            con.close()
    return {hsa_id: name for hsa_id, name in rows if name}


# ---------------------------------------------------------------- data quality


def feed_freshness(snapshot: Snapshot | None = None) -> list[dict[str, Any]]:
    """Per feed and region: the last day with data and when the last file arrived
    (tidbok.serving.freshness's table, read without its per-metric part)."""
    with _reading(snapshot) as snap:
        rows = _rows(snap, FRESHNESS_TABLE, "Feed freshness", FRESHNESS_COLUMNS,
                     order="feed, region_code")
    for row in rows:
        row["region"] = row.pop("region_code")
    return rows


def quarantine_summary(region: str | None = None,
                       snapshot: Snapshot | None = None) -> list[dict[str, Any]]:
    """Rows quarantined at the gate, per feed, region and reason (counts of records)."""
    with _reading(snapshot) as snap:
        return _rows(snap, QUARANTINE_TABLE, "Quarantine counts", QUARANTINE_COLUMNS,
                     region=region, order="feed, region_code, rows_quarantined DESC")


def check_results(snapshot: Snapshot | None = None) -> list[dict[str, Any]]:
    """The last run's Great Expectations and dbt checks, failed ones first."""
    with _reading(snapshot) as snap:
        present = published_tables(snap).get(CHECKS_TABLE, frozenset())
        optional = tuple(c for c in OPTIONAL_CHECK_COLUMNS if c in present)
        return _rows(snap, CHECKS_TABLE, "Check results", (*CHECK_COLUMNS, *optional),
                     required=CHECK_COLUMNS,
                     order="status = 'pass', check_kind, check_name, target")


# ---------------------------------------------------------------- helpers


@contextmanager
def _reading(snapshot: Snapshot | None):
    if snapshot is not None:
        yield snapshot
        return
    with serving_snapshot() as snap:
        yield snap


def _rows(
    snap: Snapshot,
    table: str,
    what: str,
    columns: tuple[str, ...],
    *,
    required: tuple[str, ...] | None = None,
    region: str | None = None,
    order: str,
) -> list[dict[str, Any]]:
    require_table(snap, table, what, required or columns)
    where, params = ("WHERE region_code = ?", [region]) if region else ("", [])
    con = snap.cursor()
    try:
        cursor = con.execute(
            f"SELECT {', '.join(columns)} FROM {table} {where} ORDER BY {order}", params
        )
        return [dict(zip(columns, values, strict=True)) for values in cursor.fetchall()]
    finally:
        con.close()
