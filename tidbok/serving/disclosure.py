"""Disclosure control: the one implementation of the publishing policy (DESIGN.md decision 6).

Everything about people that leaves the serving side uncontrolled only for scopes allowed
to see it (API, dashboards, exports) passes through here. The policy, in order:

1. A count of 1-9 is suppressed (served as None). 0 is served: it describes nobody.
2. A numerator is a subset of its denominator, so when the denominator is suppressed the
   numerator is too (a served 0 or a tiny count would say what all of a few people did).
3. Complementary suppression over every served table at once. Served cells add up along
   "lines": the channels of a region and month add up to the region's month, the months
   of a quarter to the quarter, the regions to the nation. For every line and count:
   - when the total is served, none or at least two of its parts are suppressed, so no
     part is the total minus the others; along the regions, none or at least THREE,
     because a region's own users see their own figures uncontrolled and could subtract
     those too;
   - when the total is suppressed, at least one part is (two along the regions), so it
     is not the sum of the others.
   Complements are the smallest other non-zero counts (zeros, then the total itself, when
   nothing else is left), repeated until every line holds. Then no suppressed count can
   be derived by any chain of "served total minus served parts" (tests/serving prove it
   with hypothesis against an attacker who also knows one region's true figures).
4. Every other count is rounded to the nearest 5.
5. A rate is computed from the TRUE numerator and denominator (not the rounded ones),
   because rounding parts of small cells distorts the rate badly (12/13 would become
   10/15), and is served to RATE_DECIMALS places. It is suppressed when either part is.

Known residual risks, for the policy owner: an exact rate of a small cell can narrow its
rounded parts; suppression is consistent within one published version, but a reader
comparing two versions (late outcomes change past months) can difference them; and an
attacker solving all lines at once as linear equations or inequalities can bound some
suppressed cells more tightly than subtraction alone.

Rows carry `suppressed` (the value and at least one part are withheld) and `rounded`
(the counts shown were rounded). `rounded` is true whenever the rule was applied, not
only when it changed a number: flagging only changed numbers would reveal multiples of 5.
Functions here are pure: true counts in, served figures out.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

SMALL_COUNT_MIN = 1
SMALL_COUNT_MAX = 9
ROUNDING_BASE = 5
RATE_DECIMALS = 3  # a tenth of a percentage point, what the dashboards show
# Along the regions, the totals of a line must hide this many parts or none: a region
# knows its own part, so with two hidden it could subtract its own and find the other.
REGION_LINE_MIN_HIDDEN = 3

PARTS = ("numerator", "denominator")
# Hiding a count hides the counts that are subsets of it.
_IMPLIES: Mapping[str, tuple[str, ...]] = {"denominator": ("numerator",)}


def is_small(count: float) -> bool:
    """A count about so few people that it could identify them (1-9; for estimates 0-10)."""
    return SMALL_COUNT_MIN - 1 < count < SMALL_COUNT_MAX + 1


def round_count(count: float) -> int:
    """Round a non-negative count to the nearest multiple of ROUNDING_BASE."""
    if isinstance(count, int):
        # Integers are never exactly half-way between multiples of 5: no tie rule needed.
        return ROUNDING_BASE * ((count + ROUNDING_BASE // 2) // ROUNDING_BASE)
    return ROUNDING_BASE * math.floor(count / ROUNDING_BASE + 0.5)


def served_rate(numerator: float, denominator: float, *, suppressed: bool) -> float | None:
    """The rate served for true parts: None when suppressed or undefined (no denominator)."""
    if suppressed or denominator == 0:
        return None
    return round(numerator / denominator, RATE_DECIMALS)


@dataclass(frozen=True)
class Line:
    """Served cells that add up to another served cell."""

    total: Hashable
    parts: tuple[Hashable, ...]
    across_regions: bool = False  # the parts are one region each, the total the nation


def suppress(
    counts: Mapping[Hashable, Mapping[str, float]],
    lines: Iterable[Line],
    parts: Sequence[str] = PARTS,
    owner: Callable[[Hashable], str | None] | None = None,
) -> dict[Hashable, frozenset[str]]:
    """Which counts of each cell to withhold: rules 1-3 over all `lines` at once.

    counts: cell key -> {part: true count}; every total and part of a line is a cell.
    owner: the region whose own users see a cell uncontrolled (None for national cells);
    given, the result also holds against each region subtracting its own figures.
    The result is deterministic: complements are chosen by count, then by cell order.
    """
    suppressor = _Suppressor(counts, list(lines), parts, owner)
    suppressor.protect()
    return {key: frozenset(h) for key, h in suppressor.hidden.items()}


class _Suppressor:
    def __init__(self, counts, lines, parts, owner):
        self.counts, self.lines, self.parts = counts, lines, parts
        self.order = {key: i for i, key in enumerate(counts)}
        self.hidden: dict[Hashable, set[str]] = {key: set() for key in counts}
        # For each cell, the lines it is in, and whether as their total.
        self.lines_of: dict[Hashable, list[tuple[int, bool]]] = defaultdict(list)
        self.region_line_of: dict[Hashable, int] = {}  # cell -> its line across the regions
        for index, line in enumerate(lines):
            self.lines_of[line.total].append((index, True))
            for key in line.parts:
                self.lines_of[key].append((index, False))
            if line.across_regions:
                self.region_line_of[line.total] = index
                for key in line.parts:
                    self.region_line_of[key] = index
        # Hidden parts per line and count: kept up to date by hide().
        self.n_hidden = {part: [0] * len(lines) for part in parts}
        self.owner_of = {key: owner(key) for key in counts} if owner else {}
        self.cells_of: dict[str, list[Hashable]] = defaultdict(list)
        for key, region in self.owner_of.items():
            if region is not None:
                self.cells_of[region].append(key)
        self.queue: deque[tuple[int, str]] = deque()
        self.queued: set[tuple[int, str]] = set()

    def protect(self) -> None:
        for key, cell in self.counts.items():
            for part in self.parts:
                if is_small(cell[part]):
                    self.hide(key, part)
        for index in range(len(self.lines)):
            for part in self.parts:
                self._enqueue(index, part)
        self._apply_line_rules()
        regions = sorted(self.cells_of)
        patched = True
        while patched:  # every patch hides one more count, so this ends
            patched = False
            for part in self.parts:
                for region in regions:
                    for key in self._breach_patches(region, part):
                        self.hide(key, part)
                        patched = True
                    self._apply_line_rules()

    def hide(self, key: Hashable, part: str) -> None:
        if part in self.hidden[key]:
            return
        self.hidden[key].add(part)
        for implied in _IMPLIES.get(part, ()):
            if implied in self.parts:
                self.hide(key, implied)
        counts = self.n_hidden[part]
        for index, is_total in self.lines_of[key]:
            if not is_total:
                counts[index] += 1
            self._enqueue(index, part)

    def _enqueue(self, index: int, part: str) -> None:
        if (index, part) not in self.queued:
            self.queued.add((index, part))
            self.queue.append((index, part))

    def _smallest(self, candidates: Iterable[Hashable], part: str) -> list[Hashable]:
        # Non-zero counts first: hiding a 0 protects little, a reader may guess it.
        return sorted(
            candidates,
            key=lambda k: (self.counts[k][part] == 0, self.counts[k][part], self.order[k]),
        )

    def _apply_line_rules(self) -> None:
        hidden = self.hidden
        while self.queue:
            index, part = self.queue.popleft()
            self.queued.discard((index, part))
            line = self.lines[index]
            n_hidden = self.n_hidden[part][index]
            if part not in hidden[line.total]:
                wanted = REGION_LINE_MIN_HIDDEN if line.across_regions else 2
                if 0 < n_hidden < wanted:
                    served = [k for k in line.parts if part not in hidden[k]]
                    complements = self._smallest(served, part)[: wanted - n_hidden]
                    if n_hidden + len(complements) < wanted:
                        self.hide(line.total, part)  # too few parts to hide: hide the total
                    for key in complements:
                        self.hide(key, part)
            else:
                wanted = 2 if line.across_regions else 1
                if n_hidden < wanted:
                    served = [k for k in line.parts if part not in hidden[k]]
                    for key in self._smallest(served, part)[: wanted - n_hidden]:
                        self.hide(key, part)

    def _breach_patches(self, region: str, part: str) -> list[Hashable]:
        """Subtract as a reader of `region` would, knowing its own figures; for every line
        that would give away someone else's suppressed count, a count to hide as well.

        Only lines across the regions hold figures of this region and of others, so the
        search starts there, and goes on from the national cells it can work out."""
        hidden, owner_of, lines = self.hidden, self.owner_of, self.lines
        derived: set[Hashable] = set()

        def unknown(key: Hashable) -> bool:
            return part in hidden[key] and owner_of[key] != region and key not in derived

        # (line, whether reached from a hidden count of the region's own in it)
        queue = deque(
            (self.region_line_of[key], True)
            for key in self.cells_of[region]
            if part in hidden[key] and key in self.region_line_of
        )
        patches: list[Hashable] = []
        seen: set[int] = set()
        while queue:
            index, from_own = queue.popleft()
            line = lines[index]
            if from_own:  # fast path: the others' hidden parts, and the total unless worked out
                total_unknown = part in hidden[line.total] and line.total not in derived
                if self.n_hidden[part][index] - 1 + total_unknown != 1:
                    continue
            missing = [k for k in (line.total, *line.parts) if unknown(k)]
            if len(missing) != 1 or index in seen:
                continue
            seen.add(index)
            found = missing[0]
            if self._only_own_and_served(found, region, part):
                derived.add(found)  # e.g. a national cell only this region adds to
                queue.extend((i, False) for i, _ in self.lines_of[found])
                continue
            candidates = [
                k
                for k in (line.total, *line.parts)
                if part not in hidden[k] and owner_of[k] != region
            ]
            patches.extend(self._smallest(candidates, part)[:1])
        return patches

    def _only_own_and_served(self, key: Hashable, region: str, part: str) -> bool:
        """A national cell that adds only the region's own figures to served ones."""
        index = self.region_line_of.get(key)
        if index is None or self.owner_of[key] is not None or self.lines[index].total != key:
            return False
        return all(
            self.owner_of[k] == region or part not in self.hidden[k]
            for k in self.lines[index].parts
        )


def served_counts(
    true: Mapping[str, Any], hidden: frozenset[str], *, aggregation: str
) -> dict[str, Any]:
    """The served numerator, denominator, value, suppressed and rounded of one cell."""
    if aggregation == "ratio":
        suppressed = bool(hidden & set(PARTS))
        numerator, denominator = true["numerator"], true["denominator"]
        return {
            "numerator": None if "numerator" in hidden else round_count(numerator),
            "denominator": None if "denominator" in hidden else round_count(denominator),
            "value": served_rate(numerator, denominator, suppressed=suppressed),
            "suppressed": suppressed,
            "rounded": not {"numerator", "denominator"} <= hidden,
        }
    suppressed = "value" in hidden
    return {
        "numerator": None,
        "denominator": None,
        "value": None if suppressed else round_count(true["value"]),
        "suppressed": suppressed,
        "rounded": not suppressed,
    }


def uncontrolled_counts(true: Mapping[str, Any], *, aggregation: str) -> dict[str, Any]:
    """The same fields for scopes that see true figures (and for non-personal metrics)."""
    if aggregation == "ratio":
        numerator, denominator = true["numerator"], true["denominator"]
        return {
            "numerator": numerator,
            "denominator": denominator,
            "value": numerator / denominator if denominator else None,
            "suppressed": False,
            "rounded": False,
        }
    return {
        "numerator": None,
        "denominator": None,
        "value": true["value"],
        "suppressed": False,
        "rounded": False,
    }


def control_rows(
    rows: Iterable[Mapping[str, Any]], *, total_keys: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Apply the public policy to the rows of ONE table of true `numerator`/`denominator`.

    total_keys: the columns identifying the served totals that these rows add up to
    (e.g. ("period", "region") for rows cut by channel); None when no such total is
    served. Other keys pass through unchanged; `value`, `suppressed` and `rounded` are set.
    The query layer protects all served tables together (tidbok.serving.tables); this is
    the same policy for a caller holding one table, e.g. an export.
    """
    rows = [dict(row) for row in rows]
    for row in rows:
        for part in PARTS:
            if row[part] < 0:
                raise ValueError(f"negative {part} count cannot be disclosure-controlled")
    counts: dict[Hashable, dict[str, int]] = {("row", i): row for i, row in enumerate(rows)}
    lines = []
    if total_keys is not None:
        groups: dict[tuple, list[Hashable]] = defaultdict(list)
        for i, row in enumerate(rows):
            groups[tuple(row[key] for key in total_keys)].append(("row", i))
        for group, members in groups.items():
            total = ("total", group)
            counts[total] = {p: sum(counts[m][p] for m in members) for p in PARTS}
            lines.append(Line(total, tuple(members)))
    hidden = suppress(counts, lines)
    served = []
    for i, row in enumerate(rows):
        true = {p: row[p] for p in PARTS}
        row.update(served_counts(true, hidden[("row", i)], aggregation="ratio"))
        served.append(row)
    return served
