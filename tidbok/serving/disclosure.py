"""Disclosure control: the one implementation of the publishing policy (DESIGN.md decision 6).

Everything that leaves the serving side for the `public` scope (API, dashboards, exports)
passes through `control_rows`. The policy, in the order it is applied:

1. A count of 1-9 is suppressed (served as None). 0 is served: it describes nobody.
2. A numerator is a subset of its denominator, so when the denominator is suppressed the
   numerator is too (a served 0 or a tiny count would say what all of a few people did).
3. Complementary suppression: rows that add up to a total which is also served (e.g. the
   channels of one region and month) must not have exactly one suppressed count in a
   column, or it could be recovered by subtracting the others from the total. The
   smallest other non-zero count in that column is suppressed as well, until stable.
4. Every other count is rounded to the nearest 5.
5. A rate is computed from the TRUE numerator and denominator (not the rounded ones),
   because rounding parts of small cells distorts the rate badly (12/13 would become
   10/15), and is served to RATE_DECIMALS places. It is suppressed when either part is.
   Known residual risk: for small denominators an exact rate can let a reader narrow the
   rounded parts back to the true ones; the coarse rate precision limits this, and the
   choice is a single place to change if the policy owner decides otherwise.

Rows carry `suppressed` (the rate and at least one part are withheld) and `rounded`
(the counts shown were rounded). `rounded` is true whenever the rule was applied, not
only when it changed a number: flagging only changed numbers would reveal multiples of 5.
Functions here are pure: rows of true counts in, rows of served figures out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

SMALL_COUNT_MIN = 1
SMALL_COUNT_MAX = 9
ROUNDING_BASE = 5
RATE_DECIMALS = 3  # a tenth of a percentage point, what the dashboards show

PARTS = ("numerator", "denominator")


def is_small(count: int) -> bool:
    """A count about so few people that it could identify them."""
    return SMALL_COUNT_MIN <= count <= SMALL_COUNT_MAX


def round_count(count: int) -> int:
    """Round a non-negative count to the nearest multiple of ROUNDING_BASE."""
    # Integers are never exactly half-way between multiples of 5, so no tie rule is needed.
    return ROUNDING_BASE * ((count + ROUNDING_BASE // 2) // ROUNDING_BASE)


def served_rate(numerator: int, denominator: int, *, suppressed: bool) -> float | None:
    """The rate served for true parts: None when suppressed or undefined (no denominator)."""
    if suppressed or denominator == 0:
        return None
    return round(numerator / denominator, RATE_DECIMALS)


def control_rows(
    rows: Iterable[Mapping[str, Any]], *, total_keys: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Apply the public policy to rows holding true `numerator` and `denominator` counts.

    total_keys: the columns identifying the served totals that these rows add up to
    (e.g. ("period", "region") for rows cut by channel); None when no such total is
    served. Other keys pass through unchanged; `value`, `suppressed` and `rounded` are set.
    """
    rows = [dict(row) for row in rows]
    for row in rows:
        for part in PARTS:
            if row[part] < 0:
                raise ValueError(f"negative {part} count cannot be disclosure-controlled")
    hidden = [_primary_suppression(row) for row in rows]
    if total_keys is not None:
        _suppress_complements(rows, hidden, total_keys)
    return [_served(row, hide) for row, hide in zip(rows, hidden, strict=True)]


def _primary_suppression(row: Mapping[str, Any]) -> dict[str, bool]:
    denominator_hidden = is_small(row["denominator"])
    return {
        "denominator": denominator_hidden,
        "numerator": denominator_hidden or is_small(row["numerator"]),
    }


def _suppress_complements(
    rows: list[dict[str, Any]], hidden: list[dict[str, bool]], total_keys: Sequence[str]
) -> None:
    groups: dict[tuple, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        groups[tuple(row[key] for key in total_keys)].append(index)
    changed = True
    while changed:  # hiding a denominator hides its numerator, which may need a complement
        changed = False
        for members in groups.values():
            for part in PARTS:
                suppressed = [i for i in members if hidden[i][part]]
                if len(suppressed) != 1:
                    continue
                candidates = [i for i in members if not hidden[i][part] and rows[i][part] > 0]
                if not candidates:
                    # The others are all 0, so the total equals this cell and is withheld too.
                    continue
                complement = min(candidates, key=lambda i: (rows[i][part], i))
                hidden[complement][part] = True
                if part == "denominator":
                    hidden[complement]["numerator"] = True
                changed = True


def _served(row: dict[str, Any], hide: Mapping[str, bool]) -> dict[str, Any]:
    suppressed = hide["numerator"] or hide["denominator"]
    value = served_rate(row["numerator"], row["denominator"], suppressed=suppressed)
    for part in PARTS:
        row[part] = None if hide[part] else round_count(row[part])
    row["value"] = value
    row["suppressed"] = suppressed
    row["rounded"] = any(row[part] is not None for part in PARTS)
    return row
