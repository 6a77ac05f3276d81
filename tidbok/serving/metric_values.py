"""The query layer: served values of any catalogue metric by region and period, cut by dimensions.

Rows: period, region, one field per `by` dimension, numerator, denominator, value,
suppressed, rounded. Ratios are re-aggregated from their numerators and denominators
(never by averaging rates) and sums by adding values, over every dimension not asked
for; `none` metrics (medians, percentiles) are served only at the mart's own grain.
What a caller sees depends on its scope (tidbok.serving.scope): the public gets the
pre-defined tables, disclosure-controlled (tidbok.serving.tables).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import date
from typing import Any

import duckdb

from tidbok.serving import disclosure, periods
from tidbok.serving.catalogue_status import (
    is_published_table,
    require_published,
    table_columns,
)
from tidbok.serving.connection import Snapshot, serving_snapshot
from tidbok.serving.errors import (
    InvalidQuery,
    InvalidRegion,
    NotYetPublished,
    OutOfScope,
    ServingContractBroken,
    UnknownDimension,
)
from tidbok.serving.regions import region_codes
from tidbok.serving.registry import UNIT_DIMENSION, MetricSpec, metric_spec
from tidbok.serving.scope import NATIONAL_REGION, PUBLIC, Scope
from tidbok.serving.tables import MAX_BY_DIMENSIONS, TABLE_GRAINS, Mart, MetricTables, build

_REGION_CODE = re.compile(r"^\d{2}$")
# The fewest people a `none` statistic (a median, a percentile) may describe for the public.
MIN_PEOPLE_FOR_STATISTIC = disclosure.SMALL_COUNT_MAX + 1

__all__ = [
    "MAX_BY_DIMENSIONS",
    "grains_of",
    "metric_values",
    "parse_month",
    "served_dimensions",
]


def metric_values(
    metric_id: str,
    region: str | None = None,
    period_from: str | None = None,
    period_to: str | None = None,
    by: Iterable[str] = (),
    *,
    grain: str = "month",
    scope: Scope = PUBLIC,
    snapshot: Snapshot | None = None,
) -> list[dict[str, Any]]:
    """Served rows of `metric_id`, one per region, period and `by` dimension value.

    region: a county code, '00' for the nation, None for every region (not the nation).
    period_from/period_to: whole periods overlapping YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD.
    grain: month, quarter or year (re-aggregated) for ratio and sum metrics; the mart's
    own grain (day or month) for `none` metrics. Pass `snapshot` to read in the same
    published version as other calls. `value` is in the catalogue's unit: a ratio metric
    whose unit is per_1000 is served as numerator / denominator × 1000.
    """
    rows = _metric_rows(metric_id, region, period_from, period_to, by, grain=grain,
                        scope=scope, snapshot=snapshot)
    spec = metric_spec(metric_id)
    scale = UNIT_SCALE.get(spec.unit or "", 1) if spec.aggregation == "ratio" else 1
    if scale != 1:
        for row in rows:
            if row.get("value") is not None:
                row["value"] = row["value"] * scale
    return rows


# Marts keep `rate` = numerator / denominator (the mart contract); the unit says how the
# value is read, so the query layer scales it once, here, for the API and dashboards alike.
UNIT_SCALE = {"per_1000": 1000}


def _metric_rows(
    metric_id: str,
    region: str | None = None,
    period_from: str | None = None,
    period_to: str | None = None,
    by: Iterable[str] = (),
    *,
    grain: str = "month",
    scope: Scope = PUBLIC,
    snapshot: Snapshot | None = None,
) -> list[dict[str, Any]]:
    spec = metric_spec(metric_id)
    if spec.effect_of is not None:
        raise InvalidQuery(
            f"{spec.id} is an effect estimate, served by GET /v1/effects?metric={spec.effect_of} "
            "(tidbok.serving.effect_estimates), not as values."
        )
    dimensions = served_dimensions(spec, by)
    _check_grain(spec, grain)
    start, end = periods.query_range(period_from, period_to)
    if region is not None and not _REGION_CODE.match(region):
        raise InvalidRegion(
            f"Region {region!r} is not a county code; use two digits, e.g. '01' or '13' "
            f"('{NATIONAL_REGION}' for the whole country)."
        )
    if UNIT_DIMENSION in dimensions:
        scope.require_unit_access(region)
    with _reading(snapshot) as snap:
        require_published(snap, spec)
        if region is not None:
            _check_region_exists(snap, region)
        if spec.aggregation == "none":
            return _statistic_rows(snap, spec, dimensions, region, start, end, scope)
        if UNIT_DIMENSION in dimensions:
            mart = _mart_for(snap, spec, dimensions)
            return _direct_rows(snap, spec, mart, dimensions, grain, region, start, end)
        mart = _public_mart(snap, spec, dimensions)
        tables = snap.memo(tables_key(spec, mart), lambda: _build(snap, spec, mart))
        snap.used_metrics.add(spec.id)
        by = tables.by_key(dimensions)
        if by not in tables.by_sets:
            # A pair with a detail-only dimension: not a public table, so only for scopes
            # that see every row asked for uncontrolled.
            if not _all_uncontrolled(scope, region):
                raise OutOfScope(
                    f"{spec.id} is published cut by {' and '.join(dimensions)} only to region "
                    f"scopes (their own region) and the national scope; the public tables pair "
                    f"only its own dimensions ({', '.join(spec.dimensions) or 'none'}) and cut "
                    "by one of the others at a time."
                )
            return _direct_rows(snap, spec, mart, by, grain, region, start, end)
    return _table_rows(tables, by, grain, region, start, end, scope)


def _all_uncontrolled(scope: Scope, region: str | None) -> bool:
    return scope.kind == "national" or (region is not None and scope.sees_uncontrolled(region))


def tables_key(spec: MetricSpec, mart: Mart) -> tuple:
    """The memo key of a metric's public tables in a Snapshot."""
    return ("tables", mart.table, repr(spec))


def public_tables(snap: Snapshot, metric_id: str) -> tuple[tuple, MetricTables] | None:
    """Build a metric's public tables for `snap` (its memo key too); None if not served."""
    spec = metric_spec(metric_id)
    if spec.aggregation == "none" or spec.effect_of or not is_published_table(snap, spec.table):
        return None
    mart = _public_mart(snap, spec, ())
    return tables_key(spec, mart), _build(snap, spec, mart)


def _public_mart(snap: Snapshot, spec: MetricSpec, dimensions: tuple[str, ...]) -> Mart:
    """The one mart all public tables of the metric are built from: every public cut must
    come out of one protection, so it is the detail mart whenever that is published."""
    if spec.detail_table and is_published_table(snap, spec.detail_table):
        return Mart.detail(spec)
    return _mart_for(snap, spec, dimensions)


def _mart_for(snap: Snapshot, spec: MetricSpec, dimensions: tuple[str, ...]) -> Mart:
    if set(dimensions) <= set(spec.dimensions):
        return Mart.main(spec)
    assert spec.detail_table is not None  # served_dimensions checked the names
    if not is_published_table(snap, spec.detail_table):
        raise NotYetPublished(
            f"{spec.id} is cut by {', '.join(d for d in dimensions if d not in spec.dimensions)} "
            f"in its detail mart {spec.detail_table}, which the current serving version does "
            f"not hold yet; its own dimensions ({', '.join(spec.dimensions) or 'none'}) are served."
        )
    return Mart.detail(spec)


def grains_of(spec: MetricSpec) -> tuple[str, ...]:
    return (spec.time_grain,) if spec.aggregation == "none" else TABLE_GRAINS


def parse_month(text: str | None, name: str) -> date | None:
    """'2025-03' -> date(2025, 3, 1): the start of a period given as a bound."""
    return None if text is None else periods.bounds(text, name)[0]


@contextmanager
def _reading(snapshot: Snapshot | None):
    if snapshot is not None:
        yield snapshot
        return
    with serving_snapshot() as snap:
        yield snap


def _build(snap: Snapshot, spec: MetricSpec, mart: Mart) -> MetricTables:
    con = snap.cursor()
    try:
        return build(con, spec, mart, paired=tuple(spec.dimensions))
    finally:
        con.close()


def served_dimensions(spec: MetricSpec, by: Iterable[str]) -> tuple[str, ...]:
    """The `by` dimensions a query is answered with, in catalogue order; checks them."""
    if isinstance(by, str):
        by = (by,)  # a lone name, not its letters
    asked = list(dict.fromkeys(by))  # drop repeats
    offered_dimensions = spec.all_dimensions
    unknown = [d for d in asked if d not in offered_dimensions]
    if unknown:
        offered = ", ".join(offered_dimensions) or "none"
        raise UnknownDimension(
            f"{spec.id} cannot be cut by {', '.join(map(repr, unknown))}; dimensions offered: "
            f"{offered}. Region and period are always in the rows."
        )
    if spec.aggregation == "none":
        if asked and set(asked) != set(spec.dimensions):
            raise InvalidQuery(
                f"{spec.id} is a statistic that cannot be re-aggregated, so it is served only "
                f"cut by all its dimensions ({', '.join(spec.dimensions)}); leave 'by' out."
            )
        return tuple(spec.dimensions)
    public = [d for d in asked if d != UNIT_DIMENSION]
    if len(public) > MAX_BY_DIMENSIONS:
        raise InvalidQuery(
            f"At most {MAX_BY_DIMENSIONS} 'by' dimensions can be served at a time (besides "
            f"unit); got {', '.join(asked)}."
        )
    # Catalogue order, so that by=a,b and by=b,a are one table.
    return tuple(d for d in offered_dimensions if d in asked)


def _check_grain(spec: MetricSpec, grain: str) -> None:
    allowed = grains_of(spec)
    if grain not in allowed:
        why = (
            " (a statistic that cannot be re-aggregated is served at its own grain only)"
            if spec.aggregation == "none"
            else ""
        )
        raise InvalidQuery(
            f"{spec.id} is served by {', '.join(allowed)}{why}; got grain {grain!r}."
        )


def _check_region_exists(snap: Snapshot, region: str) -> None:
    codes = region_codes(snap)
    if region != NATIONAL_REGION and region not in codes:
        raise InvalidRegion(
            f"No region has code {region!r}; known codes: {', '.join(codes)} "
            f"and '{NATIONAL_REGION}' for the whole country."
        )


def _in_range(period: str, start: date | None, end: date | None) -> bool:
    if start is None and end is None:
        return True
    first, last = periods.label_bounds(period)
    return (start is None or last >= start) and (end is None or first <= end)


def _table_rows(
    tables: MetricTables,
    by: tuple[str, ...],
    grain: str,
    region: str | None,
    start: date | None,
    end: date | None,
    scope: Scope,
) -> list[dict[str, Any]]:
    spec = tables.spec
    rows = []
    for key in tables.cells(by, grain, region):
        _, _, period, code, values = key
        if region is None and code == NATIONAL_REGION and not tables.national_only:
            continue  # every region was asked for; the nation only by '00'
        if not _in_range(period, start, end):
            continue
        true = tables.counts[key]
        if not spec.controlled or scope.sees_uncontrolled(code):
            figures = disclosure.uncontrolled_counts(true, aggregation=spec.aggregation)
        else:
            figures = disclosure.served_counts(
                true, tables.hidden[key], aggregation=spec.aggregation
            )
        rows.append(
            {"period": period, "region": code, **dict(zip(by, values, strict=True)), **figures}
        )
    return rows


def _direct_rows(
    snap: Snapshot,
    spec: MetricSpec,
    mart: Mart,
    by: tuple[str, ...],
    grain: str,
    region: str | None,
    start: date | None,
    end: date | None,
) -> list[dict[str, Any]]:
    """Cuts that are never public (by unit, or pairs beyond the mart's own dimensions):
    true figures, read straight from the mart, for scopes that see them uncontrolled."""
    period = f"date_trunc('{grain}', {spec.period_column})::DATE"
    columns = "".join(f", {mart.dimensions[d]} AS {d}" for d in by)
    if spec.aggregation == "ratio":
        sums = (
            f"sum({spec.numerator_column})::BIGINT AS numerator, "
            f"sum({spec.denominator_column})::BIGINT AS denominator"
        )
    else:
        sums = f"sum({spec.value_column}) AS value"
    filters, params = _filters(spec, region, *periods.widen(start, end, grain))
    sql = f"""
        SELECT {period} AS period_start, {spec.region_column} AS region{columns}, {sums}
        FROM {mart.table} {filters}
        GROUP BY ALL ORDER BY region, period_start{"".join(", " + d for d in by)}
    """
    rows = []
    for record in _fetch(snap, spec, sql, params):
        true = {k: record[k] for k in ("numerator", "denominator", "value") if k in record}
        rows.append(
            {
                "period": periods.label(record["period_start"], grain),
                "region": record["region"],
                **{d: record[d] for d in by},
                **disclosure.uncontrolled_counts(true, aggregation=spec.aggregation),
            }
        )
    return rows


def _statistic_rows(
    snap: Snapshot,
    spec: MetricSpec,
    by: tuple[str, ...],
    region: str | None,
    start: date | None,
    end: date | None,
    scope: Scope,
) -> list[dict[str, Any]]:
    """`none` metrics at their own grain. For the public, a statistic about people is served
    only where the mart says how many it describes (`denominator`) and they are enough."""
    columns = "".join(f", {spec.dimensions[d]} AS {d}" for d in by)
    has_count = _has_column(snap, spec, spec.count_column)
    count = f", {spec.count_column} AS people" if has_count else ""
    filters, params = _filters(spec, region, *periods.widen(start, end, spec.time_grain))
    sql = f"""
        SELECT {spec.period_column} AS period_start, {spec.region_column} AS region{columns},
               {spec.value_column} AS value{count}
        FROM {spec.table} {filters}
        ORDER BY region, period_start{"".join(", " + d for d in by)}
    """
    rows = []
    for record in _fetch(snap, spec, sql, params):
        if region is None and record["region"] == NATIONAL_REGION:
            continue
        people = record.get("people")
        uncontrolled = not spec.controlled or scope.sees_uncontrolled(record["region"])
        withheld = not uncontrolled and (people is None or people < MIN_PEOPLE_FOR_STATISTIC)
        served_people = (
            people
            if uncontrolled or people is None or withheld
            else (disclosure.round_count(people))
        )
        rows.append(
            {
                "period": periods.label(record["period_start"], spec.time_grain),
                "region": record["region"],
                **{d: record[d] for d in by},
                "numerator": None,
                "denominator": None if withheld else served_people,
                "value": None if withheld else record["value"],
                "suppressed": withheld,
                "rounded": not uncontrolled and not withheld and people is not None,
            }
        )
    return rows


def _filters(
    spec: MetricSpec, region: str | None, start: date | None, end: date | None
) -> tuple[str, list[Any]]:
    filters, params = [], []
    if region is not None:
        filters.append(f"{spec.region_column} = ?")
        params.append(region)
    if start is not None:
        filters.append(f"{spec.period_column} >= ?")
        params.append(start)
    if end is not None:
        filters.append(f"{spec.period_column} <= ?")
        params.append(end)
    return (f"WHERE {' AND '.join(filters)}" if filters else ""), params


def _fetch(snap: Snapshot, spec: MetricSpec, sql: str, params: list[Any]) -> list[dict]:
    con = snap.cursor()
    try:
        cursor = con.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    except (duckdb.CatalogException, duckdb.BinderException) as exc:
        raise ServingContractBroken(
            f"The serving file does not hold {spec.table} as the catalogue describes: {exc}"
        ) from exc
    finally:
        con.close()


def _has_column(snap: Snapshot, spec: MetricSpec, column: str) -> bool:
    return column in table_columns(snap, spec.table)
