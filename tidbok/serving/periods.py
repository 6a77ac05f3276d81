"""Served periods: day, month, quarter and year, as labels and as date ranges.

Labels sort in time order within a grain: "2025-03-14", "2025-03", "2025-Q1", "2025".
A query's `from`/`to` may be given at any grain; they select the whole served periods
that overlap them, never part of one (a partial quarter would be a new total to
difference against the served months).
"""

from __future__ import annotations

import functools
import re
from datetime import date, timedelta

from tidbok.serving.errors import InvalidPeriod

GRAINS = ("day", "month", "quarter", "year")
EXAMPLES = {"day": "2025-03-14", "month": "2025-03", "quarter": "2025-Q1", "year": "2025"}
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


def label(day: date, grain: str) -> str:
    """The label of the period at `grain` that contains `day`."""
    if grain == "day":
        return day.isoformat()
    if grain == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if grain == "quarter":
        return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year:04d}"


def bounds(text: str, name: str) -> tuple[date, date]:
    """First and last day of a period given as YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD."""
    try:
        if match := _DAY.match(text):
            day = date(int(match[1]), int(match[2]), int(match[3]))
            return day, day
        if match := _MONTH.match(text):
            first = date(int(match[1]), int(match[2]), 1)
            return first, _month_end(first)
        if match := _QUARTER.match(text):
            first = date(int(match[1]), 3 * int(match[2]) - 2, 1)
            return first, _month_end(date(first.year, first.month + 2, 1))
        if match := _YEAR.match(text):
            return date(int(match[1]), 1, 1), date(int(match[1]), 12, 31)
    except ValueError:
        pass  # e.g. 2025-02-30 or year 0000: not a date
    raise InvalidPeriod(
        f"'{name}' must be a period as YYYY-MM (e.g. 2025-03), or YYYY, YYYY-Qn or "
        f"YYYY-MM-DD; got {text!r}."
    )


@functools.lru_cache(maxsize=4096)
def label_bounds(text: str) -> tuple[date, date]:
    """First and last day of a served period label."""
    return bounds(text, "period")


def query_range(period_from: str | None, period_to: str | None) -> tuple[date | None, date | None]:
    start = bounds(period_from, "from")[0] if period_from is not None else None
    end = bounds(period_to, "to")[1] if period_to is not None else None
    if start and end and start > end:
        raise InvalidPeriod(f"'from' ({period_from}) is after 'to' ({period_to}).")
    return start, end


def widen(start: date | None, end: date | None, grain: str) -> tuple[date | None, date | None]:
    """Stretch a date range to whole periods of `grain`."""
    return (
        None if start is None else label_bounds(label(start, grain))[0],
        None if end is None else label_bounds(label(end, grain))[1],
    )


def _month_end(first: date) -> date:
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return following - timedelta(days=1)
