"""Disclosure control across every served table, by property (DESIGN.md decision 6).

Random marts are summed into the public tables (regions and the nation; months, quarters,
years; cut by up to two dimensions) and protected. An attacker then derives what it can
from the served counts by chains of subtraction: any served total minus its served parts,
repeated while anything new comes out. The totals it uses are worked out here from the
served cells, independently of tidbok.serving.tables, and include year = twelve months.
The attacker is the public, or a region's own user who also knows that region's true
figures. No suppressed count may come out, except national cells whose other parts are
all served anyway (they tell the region nothing about anyone else).
"""

from collections import defaultdict
from datetime import date
from itertools import product

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tidbok.serving import tables
from tidbok.serving.disclosure import is_small
from tidbok.serving.registry import MetricSpec

REGIONS = ["01", "03", "13", "14", "25"]
DIMENSIONS = {"a": ["x", "y", "z"], "b": ["p", "q"], "c": ["u", "v"]}
# Small counts are the interesting ones; a few large ones make totals worth serving.
COUNTS = st.sampled_from([0, 0, 1, 2, 3, 4, 6, 9, 10, 11, 14, 25, 60, 300])


@st.composite
def marts(draw: st.DrawFn) -> tuple[MetricSpec, list[tuple]]:
    regions = draw(st.lists(st.sampled_from(REGIONS), min_size=1, max_size=5, unique=True))
    first = draw(st.integers(min_value=1, max_value=4))
    months = [date(2025, m, 1) for m in range(first, first + draw(st.integers(1, 5)))]
    names = draw(st.lists(st.sampled_from(sorted(DIMENSIONS)), max_size=3, unique=True))
    values = [DIMENSIONS[n][: draw(st.integers(1, len(DIMENSIONS[n])))] for n in names]
    aggregation = draw(st.sampled_from(["ratio", "sum"]))
    rows = []
    for region, month, *cut in product(regions, months, *values):
        if draw(st.booleans()) and draw(st.booleans()):
            continue  # a quarter of the cells have no row at all
        denominator = draw(COUNTS)
        numerator = draw(st.integers(0, denominator)) if aggregation == "ratio" else 0
        rows.append((region, month, *cut, numerator, denominator))
    spec = MetricSpec("m", "marts.m", {n: n for n in names}, aggregation=aggregation)
    return spec, rows


def protect(spec: MetricSpec, rows: list[tuple]) -> tables.MetricTables:
    con = duckdb.connect(":memory:")
    try:
        con.execute("CREATE SCHEMA marts")
        dims = "".join(f", {d} VARCHAR" for d in spec.dimensions)
        con.execute(
            f"CREATE TABLE marts.m (region_code VARCHAR, month DATE{dims}, "
            "numerator BIGINT, denominator BIGINT, value BIGINT)"
        )
        if rows:
            placeholders = ", ".join("?" * (len(rows[0]) + 1))
            con.executemany(
                f"INSERT INTO marts.m VALUES ({placeholders})", [(*row, row[-1]) for row in rows]
            )  # value = denominator
        return tables.build(con, spec)
    finally:
        con.close()


def served_totals(served: tables.MetricTables) -> list[tuple]:
    """(total, parts) for every way one served cell is the sum of others, from the keys."""
    keys = list(served.counts)
    dims = list(served.spec.dimensions)
    groups: dict[tuple, list] = defaultdict(list)
    for by, grain, period, region, values in keys:
        cut = dict(zip(by, values, strict=True))
        for d in by:  # drop one dimension
            rest = tuple(x for x in by if x != d)
            groups[("dim", rest, d, grain, period, region, tuple(cut[x] for x in rest))].append(
                (by, grain, period, region, values)
            )
        if region != "00":
            groups[("region", by, grain, period, values)].append(
                (by, grain, period, region, values)
            )
        if grain == "month":
            quarter = f"{period[:4]}-Q{(int(period[5:]) - 1) // 3 + 1}"
            groups[("time", by, "quarter", quarter, region, values)].append(
                (by, grain, period, region, values)
            )
            groups[("time", by, "year", period[:4], region, values)].append(
                (by, grain, period, region, values)
            )
        if grain == "quarter":
            groups[("time", by, "year", period[:4], region, values)].append(
                (by, grain, period, region, values)
            )
    equations = []
    for group, parts in groups.items():
        if group[0] == "dim":
            _, rest, _, grain, period, region, values = group
            total = (rest, grain, period, region, values)
        elif group[0] == "region":
            _, by, grain, period, values = group
            total = (by, grain, period, "00", values)
        else:
            _, by, grain, period, region, values = group
            total = (by, grain, period, region, values)
        if total in served.counts:
            equations.append((total, parts))
    assert all(d in dims for by, *_ in keys for d in by)
    return equations


def recovered(served: tables.MetricTables, part: str, region: str | None) -> set:
    """Suppressed counts the attacker derives that tell it about someone else."""

    def hidden(key: tuple) -> bool:
        return part in served.hidden[key]

    known = {k for k in served.counts if not hidden(k) or (region is not None and k[3] == region)}
    start = set(known)
    equations = served_totals(served)
    changed = True
    while changed:
        changed = False
        for total, parts in equations:
            unknown = [k for k in (total, *parts) if k not in known]
            if len(unknown) == 1:
                known.add(unknown[0])
                changed = True
    found = known - start
    national_lines = {
        t: p for t, p in equations if t[3] == "00" and p and p[0][3] != "00" and p[0][2] == t[2]
    }

    def harmless(key: tuple) -> bool:
        if region is None or key[3] != "00" or key not in national_lines:
            return False
        return all(p[3] == region or not hidden(p) for p in national_lines[key])

    return {k for k in found if not harmless(k)}


def parts_of(spec: MetricSpec) -> tuple[str, ...]:
    return ("numerator", "denominator") if spec.aggregation == "ratio" else ("value",)


quick = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@quick
@given(marts())
def test_no_suppressed_count_can_be_subtracted_out(mart: tuple) -> None:
    spec, rows = mart
    served = protect(spec, rows)
    regions = sorted({k[3] for k in served.counts if k[3] != "00"})
    for part in parts_of(spec):
        for region in [None, *regions]:
            assert not recovered(served, part, region), (part, region)
    assert protect(spec, list(reversed(rows))).hidden == served.hidden  # whatever the row order


@quick
@given(marts())
def test_small_counts_are_withheld_and_the_rest_rounded(mart: tuple) -> None:
    from tidbok.serving.disclosure import served_counts

    spec, rows = mart
    served = protect(spec, rows)
    for key, true in served.counts.items():
        out = served_counts(true, served.hidden[key], aggregation=spec.aggregation)
        for part in parts_of(spec):
            if is_small(true[part]):
                assert part in served.hidden[key]
        shown = [out[p] for p in ("numerator", "denominator", "value") if p in parts_of(spec)]
        for number in shown:
            assert number is None or (number % 5 == 0 and not 1 <= number <= 9)
        if spec.aggregation == "ratio":
            assert out["suppressed"] == (out["numerator"] is None or out["denominator"] is None)
            assert out["denominator"] is not None or out["numerator"] is None
            if out["suppressed"]:
                assert out["value"] is None
