"""The query layer: served values of a metric by region and month, optionally cut by dimensions.

Rates are re-aggregated from their numerators and denominators (never by averaging rates)
over every dimension not asked for, and then disclosure-controlled for the caller's scope.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

import duckdb

from tidbok.serving import disclosure
from tidbok.serving.connection import reuse_or_open
from tidbok.serving.errors import (
    InvalidPeriod,
    InvalidQuery,
    InvalidRegion,
    ServingContractBroken,
    UnknownDimension,
)
from tidbok.serving.regions import regions
from tidbok.serving.registry import MetricSpec, metric_spec
from tidbok.serving.scope import PUBLIC, Scope, require_public

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_REGION_CODE = re.compile(r"^\d{2}$")
# Complementary suppression protects one served total per cell (disclosure.py, rule 3).
# Crossing two dimensions serves several overlapping totals, which that rule does not
# cover, so at most one `by` dimension is served until it does.
MAX_BY_DIMENSIONS = 1


def metric_values(
    metric_id: str,
    region: str | None = None,
    period_from: str | None = None,
    period_to: str | None = None,
    by: Iterable[str] = (),
    *,
    scope: Scope = PUBLIC,
    con: duckdb.DuckDBPyConnection | None = None,
) -> list[dict[str, Any]]:
    """Served rows of `metric_id`: one per region, month ("YYYY-MM") and `by` dimension value.

    Each row: period, region, the `by` dimensions, numerator, denominator, value,
    suppressed, rounded. Pass `con` to read in the same snapshot as other calls.
    """
    spec = metric_spec(metric_id)
    dimensions = _parse_by(spec, by)
    month_from = parse_month(period_from, "from")
    month_to = parse_month(period_to, "to")
    if month_from and month_to and month_from > month_to:
        raise InvalidPeriod(f"'from' ({period_from}) is after 'to' ({period_to}).")
    if region is not None and not _REGION_CODE.match(region):
        raise InvalidRegion(
            f"Region {region!r} is not a county code; use two digits, e.g. '01' or '13'."
        )
    require_public(scope)  # the only scope served until auth arrives (DESIGN.md decision 7)

    with reuse_or_open(con) as c:
        if region is not None:
            _check_region_exists(c, region)
        true_rows = _true_rows(c, spec, dimensions, region, month_from, month_to)
    return disclosure.control_rows(
        true_rows, total_keys=("period", "region") if dimensions else None
    )


def parse_month(text: str | None, name: str) -> date | None:
    """'2025-03' -> date(2025, 3, 1); the served period grain is the calendar month."""
    if text is None:
        return None
    match = _MONTH.match(text)
    if not match:
        raise InvalidPeriod(f"'{name}' must be a month as YYYY-MM, e.g. 2025-03; got {text!r}.")
    return date(int(match.group(1)), int(match.group(2)), 1)


def _parse_by(spec: MetricSpec, by: Iterable[str]) -> list[str]:
    if isinstance(by, str):
        by = (by,)  # a lone name, not its letters
    dimensions = list(dict.fromkeys(by))  # drop repeats, keep order
    unknown = [d for d in dimensions if d not in spec.dimensions]
    if unknown:
        offered = ", ".join(sorted(spec.dimensions)) or "none"
        raise UnknownDimension(
            f"{spec.id} cannot be cut by {', '.join(map(repr, unknown))}; dimensions offered: "
            f"{offered}. Region and period are always in the rows."
        )
    if len(dimensions) > MAX_BY_DIMENSIONS:
        raise InvalidQuery(
            f"At most {MAX_BY_DIMENSIONS} 'by' dimension can be served at a time; "
            f"got {', '.join(dimensions)}."
        )
    return dimensions


def _check_region_exists(con: duckdb.DuckDBPyConnection, region: str) -> None:
    codes = [known.code for known in regions(con)]
    if region not in codes:
        raise InvalidRegion(f"No region has code {region!r}; known codes: {', '.join(codes)}.")


def _true_rows(
    con: duckdb.DuckDBPyConnection,
    spec: MetricSpec,
    dimensions: list[str],
    region: str | None,
    month_from: date | None,
    month_to: date | None,
) -> list[dict[str, Any]]:
    # Identifiers come only from the registry, values only from parameters: nothing a caller
    # types reaches the SQL text.
    dim_select = "".join(f", {spec.dimensions[d]} AS {d}" for d in dimensions)
    dim_group = "".join(f", {d}" for d in dimensions)
    filters, params = [], []
    if region is not None:
        filters.append(f"{spec.region_column} = ?")
        params.append(region)
    if month_from is not None:
        filters.append(f"{spec.month_column} >= ?")
        params.append(month_from)
    if month_to is not None:
        filters.append(f"{spec.month_column} <= ?")
        params.append(month_to)
    where = f"WHERE {' AND '.join(filters)}" if filters else ""
    sql = f"""
        SELECT strftime({spec.month_column}, '%Y-%m') AS period,
               {spec.region_column} AS region{dim_select},
               sum({spec.numerator_column})::BIGINT AS numerator,
               sum({spec.denominator_column})::BIGINT AS denominator
        FROM {spec.table}
        {where}
        GROUP BY period, region{dim_group}
        ORDER BY region, period{dim_group}
    """
    try:
        cursor = con.execute(sql, params)
    except (duckdb.CatalogException, duckdb.BinderException) as exc:
        raise ServingContractBroken(
            f"The serving file does not hold {spec.table} as the contract describes: {exc}"
        ) from exc
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
