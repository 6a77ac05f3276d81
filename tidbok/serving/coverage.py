"""Coverage (METRICS.md D): how much of each region's care is connected and visible.

Served from the coverage metrics of the catalogue that are published, at their latest
month (or a chosen one): per region for everyone, per care unit for the region's own
scope and the national scope, through metric_values so that scope and disclosure rules
are the same as everywhere else.
"""

from __future__ import annotations

from typing import Any

from tidbok.serving.catalogue_status import is_published, latest_period
from tidbok.serving.connection import Snapshot, serving_snapshot
from tidbok.serving.errors import InvalidQuery, NotYetPublished
from tidbok.serving.metric_values import metric_values
from tidbok.serving.periods import label
from tidbok.serving.registry import UNIT_DIMENSION, catalogue
from tidbok.serving.scope import PUBLIC, Scope

# The coverage metrics, in the order they are shown; each is a ratio mart per region and
# month, optionally cut by `service` and by `unit` (care_unit_hsa_id).
COVERAGE_METRICS = ("units_connected_share", "timebooks_connected_share", "booking_visibility_rate")
LEVELS = ("region", "unit")
CUT_BY = ("service",)  # shown whenever the metric has it: coverage differs per service


def coverage(
    region: str | None = None,
    period: str | None = None,
    level: str = "region",
    *,
    scope: Scope = PUBLIC,
    snapshot: Snapshot | None = None,
) -> list[dict[str, Any]]:
    """One entry per published coverage metric: {metric, name, period, rows}."""
    if level not in LEVELS:
        raise InvalidQuery(f"'level' must be one of {', '.join(LEVELS)}; got {level!r}.")
    if level == "unit":
        scope.require_unit_access(region)
    if snapshot is None:
        with serving_snapshot() as snap:
            return coverage(region, period, level, scope=scope, snapshot=snap)
    specs = [catalogue().metrics[m] for m in COVERAGE_METRICS if m in catalogue().metrics]
    specs = [s for s in specs if is_published(snapshot, s)]
    if level == "unit":
        specs = [s for s in specs if UNIT_DIMENSION in s.dimensions]
    if not specs:
        raise NotYetPublished(
            f"Coverage{' per unit' if level == 'unit' else ''} is not published yet: the current "
            f"serving version holds none of {', '.join(COVERAGE_METRICS)}"
            f"{' with a unit dimension' if level == 'unit' else ''}."
        )
    entries = []
    for spec in specs:
        latest = latest_period(snapshot, spec)
        month = period or (label(latest, "month") if latest else None)
        by = [d for d in CUT_BY if d in spec.dimensions]
        if level == "unit":
            by.append(UNIT_DIMENSION)
        rows = (
            []
            if month is None
            else metric_values(
                spec.id,
                region=region,
                period_from=month,
                period_to=month,
                by=by,
                scope=scope,
                snapshot=snapshot,
            )
        )
        entries.append(
            {"metric": spec.id, "name": dict(spec.name), "period": month, "by": by, "rows": rows}
        )
    return entries
