"""Which metrics the query layer can serve, and where each lives in the serving file.

A small stand-in for the metric catalogue (DESIGN.md decision 8): when the catalogue
arrives, it should build these specs instead of this hand-written table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tidbok.serving.errors import UnknownMetric


@dataclass(frozen=True)
class MetricSpec:
    id: str
    table: str  # schema-qualified table in serving.duckdb
    # API dimension name -> column in the table. Region and period are always served,
    # so they are not dimensions a caller picks with `by`.
    dimensions: Mapping[str, str] = field(default_factory=dict)
    region_column: str = "region_code"
    month_column: str = "month"
    numerator_column: str = "numerator"
    denominator_column: str = "denominator"


METRICS: Mapping[str, MetricSpec] = {
    "no_show_rate": MetricSpec(
        id="no_show_rate",
        table="marts.no_show_rate",
        dimensions={"channel": "booking_channel"},
    ),
}


def metric_spec(metric_id: str) -> MetricSpec:
    try:
        return METRICS[metric_id]
    except KeyError:
        known = ", ".join(sorted(METRICS))
        raise UnknownMetric(f"Unknown metric {metric_id!r}; served metrics are: {known}.") from None
