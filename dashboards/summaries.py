"""Figures the pages derive from served rows (pure): totals over a period, change since go-live.

Everything here is computed from figures already served to the viewer, so it can never
reveal more than they do. A ratio over several cells is the sum of the served numerators
over the sum of the served denominators (rounded ones, for the public) of the cells where
both are shown; a single cell keeps its served rate, which is computed from true counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from dashboards.i18n import format_month

WINDOW_MONTHS = 3  # months averaged on each side of a comparison


def period_totals(
    frame: pd.DataFrame,
    dimensions: Sequence[str],
    aggregation: str,
    *,
    per_region: bool = False,
    per_month: bool = False,
) -> pd.DataFrame:
    """One row per group (dimensions, and region / period when asked) with its `value`."""
    keys = [*dimensions, *(["region"] if per_region else []), *(["period"] if per_month else [])]
    frame = primary_statistic(frame)
    if frame.empty:
        return pd.DataFrame(columns=[*keys, "value", "numerator", "denominator"])
    groups = frame.groupby(keys, sort=True, dropna=False) if keys else [((), frame)]
    rows = []
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(keys, key, strict=True)), **_combine(group, aggregation)})
    return pd.DataFrame(rows, columns=[*keys, "value", "numerator", "denominator"])


def primary_statistic(frame: pd.DataFrame) -> pd.DataFrame:
    """For medians-and-percentiles metrics, the median: values of different statistics
    cannot be combined."""
    if "statistic" in frame and (frame["statistic"] == "median").any():
        return frame[frame["statistic"] == "median"]
    return frame


def _combine(group: pd.DataFrame, aggregation: str) -> dict[str, float | None]:
    if len(group) == 1:
        row = group.iloc[0]
        return {"value": _num(row["value"]), "numerator": _num(row.get("numerator")),
                "denominator": _num(row.get("denominator"))}
    if aggregation == "ratio":
        shown = group[group["numerator"].notna() & group["denominator"].notna()]
        numerator = float(shown["numerator"].sum())
        denominator = float(shown["denominator"].sum())
        value = numerator / denominator if denominator else None
        return {"value": value, "numerator": numerator if len(shown) else None,
                "denominator": denominator if len(shown) else None}
    values = group["value"].dropna()
    if values.empty:
        return {"value": None, "numerator": None, "denominator": None}
    value = float(values.sum()) if aggregation == "sum" else float(values.mean())
    return {"value": value, "numerator": None, "denominator": None}


def _num(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


@dataclass(frozen=True)
class Change:
    before: float
    after: float
    before_periods: tuple[str, ...]
    since_go_live: bool  # False: against the start of the series (go-live unknown)

    @property
    def change(self) -> float:
        return self.after - self.before

    def before_label(self, lang: str) -> str:
        first, last = self.before_periods[0], self.before_periods[-1]
        if first == last:
            return format_month(first, lang)
        return f"{format_month(first, lang)}–{format_month(last, lang)}"


def change_since_go_live(series: pd.DataFrame, go_live: str | None) -> Change | None:
    """The last WINDOW_MONTHS against the WINDOW_MONTHS before go-live (or the first ones);
    half the series each when it is shorter than two windows.

    series: one row per period ('YYYY-MM', ascending) with value, numerator, denominator.
    None when there is no earlier window that does not overlap the latest one.
    """
    series = series[series["value"].notna()].sort_values("period")
    if len(series) < 2:
        return None
    window = max(1, min(WINDOW_MONTHS, len(series) // 2))  # short series: halves
    after = series.tail(window)
    earlier = series[series["period"] < after["period"].iloc[0]]
    if go_live is not None:
        before = earlier[earlier["period"] < go_live].tail(window)
        if not before.empty:
            return Change(_mean(before), _mean(after), tuple(before["period"]), True)
    before = earlier.head(window)
    if before.empty:
        return None
    return Change(_mean(before), _mean(after), tuple(before["period"]), False)


def _mean(rows: pd.DataFrame) -> float:
    """Months weighted by their denominators when every month has one, else a plain mean."""
    weights = rows.get("denominator")
    if weights is not None and weights.notna().all() and float(weights.sum()) > 0:
        return float((rows["value"] * weights).sum() / weights.sum())
    return float(rows["value"].mean())
