"""The pre-defined tables an additive metric is served in, built and protected together.

A metric with aggregation `ratio` or `sum` is served, to the public, only as these tables
(DESIGN.md decision 6: no free-form filtering): every region and the nation ('00'), by
month, quarter and year, cut by none or one of its dimensions (its detail mart's too) or
by two of its own mart's (never `unit`, which is not public). Filters only pick whole
cells out of them. Because every public cut is known in advance, all of them are
protected at once (disclosure.suppress), once per published version: a cell is
suppressed in every response that contains it or in none, and no served total minus
served parts gives a suppressed count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations

import duckdb

from tidbok.serving import disclosure
from tidbok.serving.errors import ServingContractBroken
from tidbok.serving.periods import label
from tidbok.serving.registry import UNIT_DIMENSION, MetricSpec
from tidbok.serving.scope import NATIONAL_REGION

# Rows are cut by at most this many dimensions (besides unit) for anyone.
MAX_BY_DIMENSIONS = 2
TABLE_GRAINS = ("month", "quarter", "year")  # additive metrics re-aggregate months up

# (by dimensions, grain, period label, region code, dimension values in `by` order)
Key = tuple[tuple[str, ...], str, str, str, tuple]
# (by dimensions, region code, first day of the month, dimension values, {part: sum})
MonthRow = tuple[tuple[str, ...], str, date, tuple, dict[str, float]]


@dataclass(frozen=True)
class Mart:
    """The mart a metric's figures are read from: its own, or its finer detail mart."""

    table: str
    dimensions: Mapping[str, str]  # public name -> column

    @classmethod
    def main(cls, spec: MetricSpec) -> Mart:
        return cls(spec.table, dict(spec.dimensions))

    @classmethod
    def detail(cls, spec: MetricSpec) -> Mart:
        assert spec.detail_table is not None
        return cls(spec.detail_table, dict(spec.detail_dimensions))


def parts_of(spec: MetricSpec) -> tuple[str, ...]:
    return disclosure.PARTS if spec.aggregation == "ratio" else ("value",)


def public_dimensions(mart: Mart) -> list[str]:
    return [d for d in mart.dimensions if d != UNIT_DIMENSION]


def by_sets(mart: Mart, paired: Sequence[str] | None = None) -> list[tuple[str, ...]]:
    """Every `by` of the public tables, in the mart's order: none, each dimension, and each
    pair of the `paired` dimensions (all of them by default).

    A metric pairs only its own mart's dimensions: its detail mart's seven would make the
    tables some twenty times larger, and every public cut is protected together once per
    version. Region and national scopes get the other pairs of what they see uncontrolled.
    """
    dims = public_dimensions(mart)
    pairable = [d for d in dims if paired is None or d in paired]
    return [(), *((d,) for d in dims), *combinations(pairable, MAX_BY_DIMENSIONS)]


def is_county(code: str) -> bool:
    """A Swedish county code: adds up to the national total. ('NHS' rows of a benchmark
    and the nation itself do not.)"""
    return len(code) == 2 and code.isdigit() and code != NATIONAL_REGION


@dataclass
class MetricTables:
    """True counts of every public cell of one metric, and the counts withheld of each."""

    spec: MetricSpec
    counts: dict[Key, dict[str, float]]
    hidden: dict[Key, frozenset[str]]  # empty when the metric is not about people
    national_only: bool
    dimension_order: dict[str, int] = field(default_factory=dict)  # the mart's, for `by`
    by_sets: frozenset[tuple[str, ...]] = frozenset()  # the tables built
    _tables: dict[tuple, list[Key]] = field(default_factory=dict)  # (by, grain, region)

    def by_key(self, by: Sequence[str]) -> tuple[str, ...]:
        """`by` in the order the tables are keyed by (the mart's)."""
        return tuple(sorted(by, key=lambda d: self.dimension_order.get(d, 0)))

    def cells(self, by: tuple[str, ...], grain: str, region: str | None = None) -> list[Key]:
        """The keys of one table (of one region, if given), by region, period and values."""
        if not self._tables:
            tables: dict[tuple, list[Key]] = defaultdict(list)
            for key in self.counts:
                tables[(key[0], key[1], None)].append(key)
                tables[(key[0], key[1], key[3])].append(key)
            for keys in tables.values():
                keys.sort(key=lambda k: (k[3], k[2], *[(v is None, v) for v in k[4]]))
            self._tables = dict(tables)
        return self._tables.get((by, grain, region), [])


def build(
    con: duckdb.DuckDBPyConnection,
    spec: MetricSpec,
    mart: Mart | None = None,
    paired: Sequence[str] | None = None,
) -> MetricTables:
    """Read the mart once, sum it into every public table, and protect them together."""
    mart = mart or Mart.main(spec)
    tables = from_month_rows(spec, _month_rows(con, spec, mart, paired))
    tables.dimension_order = {d: i for i, d in enumerate(mart.dimensions)}
    tables.by_sets = frozenset(by_sets(mart, paired))
    return tables


def from_month_rows(spec: MetricSpec, rows: list[MonthRow]) -> MetricTables:
    """The tables from the mart's sums per `by`, region and month (see _month_rows)."""
    # A mart of national rows only ('00') is served as it is: there is nothing to add up.
    national_only = not any(is_county(r[1]) for r in rows)
    parts = parts_of(spec)
    counts: dict[Key, dict[str, float]] = {}
    for by, region, month, values, figures in rows:
        regions = (region, NATIONAL_REGION) if is_county(region) else (region,)
        for grain in TABLE_GRAINS:
            period = label(month, grain)
            for code in regions:
                cell = counts.setdefault((by, grain, period, code, values), dict.fromkeys(parts, 0))
                for part in parts:
                    cell[part] += figures[part]
    hidden = {}
    if spec.controlled:
        for cell in counts.values():
            for part in parts:
                if cell[part] < 0:
                    raise ServingContractBroken(
                        f"{spec.table} has a negative {part}; counts cannot be negative."
                    )
        hidden = disclosure.suppress(counts, lines(counts, national_only), parts, owner=_owner)
    return MetricTables(spec, counts, hidden, national_only)


def _owner(key: Key) -> str | None:
    """The region whose own users see this cell uncontrolled; None for the nation."""
    return key[3] if is_county(key[3]) else None


def lines(counts: dict[Key, dict[str, float]], national_only: bool) -> Iterator[disclosure.Line]:
    """Every way served cells add up to another served cell, one level at a time."""
    across_regions: dict[tuple, list[Key]] = defaultdict(list)
    in_time: dict[Key, list[Key]] = defaultdict(list)
    along_dimension: dict[tuple[Key, tuple[str, ...]], list[Key]] = defaultdict(list)
    for key in counts:
        by, grain, period, region, values = key
        if not national_only and is_county(region):
            across_regions[(by, grain, period, values)].append(key)
        if grain == "month":
            quarter = f"{period[:4]}-Q{(int(period[5:7]) - 1) // 3 + 1}"
            in_time[(by, "quarter", quarter, region, values)].append(key)
        elif grain == "quarter":
            in_time[(by, "year", period[:4], region, values)].append(key)
        for i in range(len(by)):
            total = (by[:i] + by[i + 1 :], grain, period, region, values[:i] + values[i + 1 :])
            along_dimension[(total, by)].append(key)  # one line per table of parts
    for (by, grain, period, values), parts in across_regions.items():
        total = (by, grain, period, NATIONAL_REGION, values)
        yield disclosure.Line(total, tuple(parts), across_regions=True)
    for total, parts in in_time.items():
        yield disclosure.Line(total, tuple(parts))
    for (total, _), parts in along_dimension.items():
        yield disclosure.Line(total, tuple(parts))


def _month_rows(
    con: duckdb.DuckDBPyConnection, spec: MetricSpec, mart: Mart, paired: Sequence[str] | None
) -> list[MonthRow]:
    """The mart summed per region, month and each public `by`, in one grouping-sets query."""
    dims = public_dimensions(mart)
    sets = by_sets(mart, paired)
    aliases = [f"d{i}" for i in range(len(dims))]
    month = (
        f"date_trunc('month', {spec.period_column})::DATE"
        if spec.time_grain == "day"
        else spec.period_column
    )
    if spec.aggregation == "ratio":
        sums = (
            f"sum({spec.numerator_column})::BIGINT AS numerator, "
            f"sum({spec.denominator_column})::BIGINT AS denominator"
        )
        source_parts = f"{spec.numerator_column}, {spec.denominator_column}"
    else:
        sums = "sum(value) AS value"
        source_parts = f"{spec.value_column} AS value"
    # Identifiers come only from the catalogue, never from a caller.
    select_dims = "".join(
        f", {mart.dimensions[d]} AS {a}" for d, a in zip(dims, aliases, strict=True)
    )
    grouping_sets = ", ".join(
        "(" + ", ".join(["region", "month", *[aliases[dims.index(d)] for d in s]]) + ")"
        for s in sets
    )
    grouping = f"GROUPING({', '.join(aliases)})" if aliases else "0"
    sql = f"""
        SELECT {grouping} AS grouping_id, region, month{"".join(", " + a for a in aliases)}, {sums}
        FROM (
            SELECT {spec.region_column} AS region, {month} AS month{select_dims}, {source_parts}
            FROM {mart.table}
        )
        GROUP BY GROUPING SETS ({grouping_sets})
        ORDER BY ALL
    """
    try:
        fetched = con.execute(sql).fetchall()
    except (duckdb.CatalogException, duckdb.BinderException) as exc:
        raise ServingContractBroken(
            f"The serving file does not hold {mart.table} as the catalogue describes: {exc}"
        ) from exc
    # GROUPING(...) sets bit (n-1-i) when dimension i is summed over in that row.
    by_of_mask = {
        sum(1 << (len(dims) - 1 - i) for i, d in enumerate(dims) if d not in s): s for s in sets
    }
    parts = parts_of(spec)
    rows = []
    for grouping_id, region, month_day, *rest in fetched:
        by = by_of_mask[grouping_id]
        dim_values = rest[: len(dims)]
        values = tuple(dim_values[dims.index(d)] for d in by)
        figures = dict(zip(parts, rest[len(dims) :], strict=True))
        if any(v is None for v in figures.values()) or region is None or month_day is None:
            raise ServingContractBroken(
                f"{mart.table} has rows without a region, period or count; the contract "
                "requires all three."
            )
        rows.append((by, region, month_day, values, figures))
    return rows
