"""Read side of the serving file: the one query layer the API, dashboards and exports share.

Everything here reads `serving.duckdb` read-only through short-lived cursors of one open
database per published version (connection.py), checks the caller's scope and applies
disclosure control before a figure leaves (DESIGN.md decisions 2, 3, 6 and 7).
"""

from tidbok.serving.catalogue_status import is_published, latest_period
from tidbok.serving.connection import (
    SERVING_FILES,
    Snapshot,
    serving_connection,
    serving_snapshot,
)
from tidbok.serving.coverage import coverage
from tidbok.serving.effects import effect_estimates
from tidbok.serving.errors import (
    InvalidPeriod,
    InvalidQuery,
    InvalidRegion,
    NotYetPublished,
    OutOfScope,
    ScopeNotSupported,
    ServingContractBroken,
    ServingError,
    ServingNotPublished,
    UnknownDimension,
    UnknownMetric,
)
from tidbok.serving.freshness import freshness, ledger_status
from tidbok.serving.metric_values import grains_of, metric_values
from tidbok.serving.publication import PublishInfo, publish_info
from tidbok.serving.regions import Region, regions
from tidbok.serving.registry import Catalogue, DimensionSpec, MetricSpec, catalogue, metric_spec
from tidbok.serving.scope import NATIONAL, NATIONAL_REGION, PUBLIC, Scope

__all__ = [
    "NATIONAL",
    "NATIONAL_REGION",
    "PUBLIC",
    "SERVING_FILES",
    "Catalogue",
    "DimensionSpec",
    "InvalidPeriod",
    "InvalidQuery",
    "InvalidRegion",
    "MetricSpec",
    "NotYetPublished",
    "OutOfScope",
    "PublishInfo",
    "Region",
    "Scope",
    "ScopeNotSupported",
    "ServingContractBroken",
    "ServingError",
    "ServingNotPublished",
    "Snapshot",
    "UnknownDimension",
    "UnknownMetric",
    "catalogue",
    "coverage",
    "effect_estimates",
    "freshness",
    "grains_of",
    "is_published",
    "latest_period",
    "ledger_status",
    "metric_spec",
    "metric_values",
    "publish_info",
    "regions",
    "serving_connection",
    "serving_snapshot",
]
