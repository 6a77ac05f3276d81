"""Effect estimates (METRICS.md F): what a unit going live did to a metric, with its interval.

Built by the effects models into `marts.effect_estimates`, one row per metric, region
('00' = national) and, for the event study, month relative to go-live (NULL = the
overall estimate). The estimates are model outputs over care units, not counts of people,
so every scope sees the same rows.
"""

from __future__ import annotations

import re
from typing import Any

from tidbok.serving.catalogue_status import EFFECTS_TABLE, require_table, table_columns
from tidbok.serving.connection import Snapshot, serving_snapshot
from tidbok.serving.errors import InvalidRegion
from tidbok.serving.registry import metric_spec

# Columns the effects mart must have: estimate and interval, how many units are behind it,
# and whether the pre-trend (placebo) check passed.
EFFECT_COLUMNS = (
    "metric_id",
    "region_code",
    "estimate",
    "ci_low",
    "ci_high",
    "units",
    "pre_trend_passed",
)
# Served when present: event-study month relative to go-live (NULL = overall estimate),
# the interval's confidence level, and the estimator's name.
OPTIONAL_EFFECT_COLUMNS = ("relative_month", "confidence_level", "method")


def effect_estimates(
    metric_id: str | None = None,
    region: str | None = None,
    *,
    snapshot: Snapshot | None = None,
) -> list[dict[str, Any]]:
    if metric_id is not None:
        # An unknown metric is a 404, not an empty list; an effect's own catalogue entry
        # (family F) stands for the metric it is the effect of, as the mart is keyed.
        metric_id = metric_spec(metric_id).effect_of or metric_id
    if region is not None and not re.fullmatch(r"\d{2}", region):
        raise InvalidRegion(
            f"Region {region!r} is not a county code; use two digits, e.g. '13' "
            "or '00' for the national estimate."
        )
    if snapshot is None:
        with serving_snapshot() as snap:
            return effect_estimates(metric_id, region, snapshot=snap)
    require_table(snapshot, EFFECTS_TABLE, "Effect estimates", EFFECT_COLUMNS)
    present = table_columns(snapshot, EFFECTS_TABLE)
    columns = [*EFFECT_COLUMNS, *(c for c in OPTIONAL_EFFECT_COLUMNS if c in present)]
    filters, params = [], []
    if metric_id is not None:
        filters.append("metric_id = ?")
        params.append(metric_id)
    if region is not None:
        filters.append("region_code = ?")
        params.append(region)
    where = f"WHERE {' AND '.join(filters)}" if filters else ""
    order = "metric_id, region_code" + (
        ", relative_month NULLS FIRST" if "relative_month" in present else ""
    )
    con = snapshot.cursor()
    try:
        cursor = con.execute(
            f"SELECT {', '.join(columns)} FROM {EFFECTS_TABLE} {where} ORDER BY {order}", params
        )
        rows = [dict(zip(columns, values, strict=True)) for values in cursor.fetchall()]
    finally:
        con.close()
    for row in rows:
        row["metric"] = row.pop("metric_id")
        row["region"] = row.pop("region_code")
        row.setdefault("relative_month", None)
    return rows
