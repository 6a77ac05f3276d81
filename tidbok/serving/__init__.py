"""Read side of the serving file: the one query layer the API, dashboards and exports share.

Everything here opens `serving.duckdb` read-only for the length of one call and applies
disclosure control (DESIGN.md decisions 2, 3, 6 and 7) before a figure leaves.
"""

from tidbok.serving.connection import serving_connection
from tidbok.serving.errors import (
    InvalidPeriod,
    InvalidQuery,
    InvalidRegion,
    ScopeNotSupported,
    ServingContractBroken,
    ServingError,
    ServingNotPublished,
    UnknownDimension,
    UnknownMetric,
)
from tidbok.serving.metric_values import metric_values
from tidbok.serving.publication import PublishInfo, publish_info
from tidbok.serving.regions import Region, regions
from tidbok.serving.registry import METRICS, MetricSpec, metric_spec
from tidbok.serving.scope import PUBLIC, Scope

__all__ = [
    "METRICS",
    "PUBLIC",
    "InvalidPeriod",
    "InvalidQuery",
    "InvalidRegion",
    "MetricSpec",
    "PublishInfo",
    "Region",
    "Scope",
    "ScopeNotSupported",
    "ServingContractBroken",
    "ServingError",
    "ServingNotPublished",
    "UnknownDimension",
    "UnknownMetric",
    "metric_spec",
    "metric_values",
    "publish_info",
    "regions",
    "serving_connection",
]
