"""What the dashboards read, cached: thin wrappers over the shared query layer (no SQL here).

Every read passes the viewer's scope to the query layer, which decides what is served and
whether it is disclosure-controlled (DESIGN.md decisions 6 and 7); the scope is part of
every cache key, so one viewer's figures are never served from another's cache entry.
Results are also keyed by the published version, so a new publish shows as soon as the
short-lived version check notices it; the TTLs only bound how long old versions linger.
A table that is not published yet comes back as None (cached, unlike an exception).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from tidbok import config
from tidbok.serving import (
    NotYetPublished,
    PublishInfo,
    Region,
    Scope,
    effect_estimates,
    ledger_status,
    metric_values,
    publish_info,
    regions,
)
from tidbok.serving import dashboard_views as views

VERSION_CHECK_TTL_SECONDS = 30
DATA_TTL_SECONDS = 600

VALUE_COLUMNS = ["numerator", "denominator", "value", "suppressed", "rounded"]


def publication() -> PublishInfo:
    """Raises ServingNotPublished until the first publish (errors are never cached)."""
    return _publication(str(config.serving_path()))


@st.cache_data(ttl=VERSION_CHECK_TTL_SECONDS, show_spinner=False)
def _publication(path: str) -> PublishInfo:
    return publish_info()


@st.cache_data(ttl=DATA_TTL_SECONDS, show_spinner=False)
def region_list(version: str) -> list[Region]:
    return regions()


@st.cache_data(ttl=DATA_TTL_SECONDS, show_spinner=False)
def metric_frame(
    version: str,
    scope: str,
    metric_id: str,
    region: str | None = None,
    period_from: str | None = None,
    period_to: str | None = None,
    by: tuple[str, ...] = (),
) -> pd.DataFrame | None:
    """Served rows of a metric, one per region, period and `by` value; None if unpublished.

    `by` may name dimensions of the metric's detail mart too (no-shows by reminder…).
    """
    try:
        rows = metric_values(metric_id, region, period_from, period_to, by,
                             scope=Scope.parse(scope))
    except NotYetPublished:
        return None
    dims = [d for d in (rows[0] if rows else {}) if d not in ("period", "region", *VALUE_COLUMNS)]
    return _frame(rows, ["period", "region", *dims, *VALUE_COLUMNS])


@st.cache_data(ttl=DATA_TTL_SECONDS, show_spinner=False)
def statistic_frame(
    version: str,
    scope: str,
    metric_id: str,
    region: str | None = None,
    period_from: str | None = None,
    period_to: str | None = None,
    grain: str = "month",
) -> pd.DataFrame | None:
    """A `none` metric (medians, percentiles) at its own grain, cut by all its dimensions."""
    try:
        rows = metric_values(metric_id, region, period_from, period_to, grain=grain,
                             scope=Scope.parse(scope))
    except NotYetPublished:
        return None
    dims = [d for d in (rows[0] if rows else {}) if d not in ("period", "region", *VALUE_COLUMNS)]
    return _frame(rows, ["period", "region", *dims, *VALUE_COLUMNS])


@st.cache_data(ttl=DATA_TTL_SECONDS, show_spinner=False)
def effects_frame(version: str, metric_id: str | None = None) -> pd.DataFrame | None:
    try:
        rows = effect_estimates(metric_id)
    except NotYetPublished:
        return None
    return pd.DataFrame(rows)


@st.cache_data(ttl=DATA_TTL_SECONDS, show_spinner=False)
def metric_status(version: str) -> dict[str, dict[str, Any]]:
    """Metric id -> {published, latest_period}."""
    return views.metric_status()


@st.cache_data(ttl=DATA_TTL_SECONDS, show_spinner=False)
def feed_freshness(version: str) -> pd.DataFrame | None:
    """Per feed and region: the latest data day and when the last file arrived."""
    try:
        return pd.DataFrame(views.feed_freshness())
    except NotYetPublished:
        return None


@st.cache_data(ttl=DATA_TTL_SECONDS, show_spinner=False)
def ledger_frame(version: str) -> pd.DataFrame | None:
    try:
        return pd.DataFrame(ledger_status())
    except NotYetPublished:
        return None


@st.cache_data(ttl=DATA_TTL_SECONDS, show_spinner=False)
def quarantine_frame(version: str) -> pd.DataFrame | None:
    try:
        return pd.DataFrame(views.quarantine_summary())
    except NotYetPublished:
        return None


@st.cache_data(ttl=DATA_TTL_SECONDS, show_spinner=False)
def checks_frame(version: str) -> pd.DataFrame | None:
    try:
        return pd.DataFrame(views.check_results())
    except NotYetPublished:
        return None


@st.cache_data(ttl=DATA_TTL_SECONDS, show_spinner=False)
def parameters_frame(version: str) -> pd.DataFrame | None:
    try:
        return pd.DataFrame(views.estimate_parameters())
    except NotYetPublished:
        return None


@st.cache_data(ttl=DATA_TTL_SECONDS, show_spinner=False)
def go_live_months(version: str) -> dict[str, str]:
    return views.go_live_months()


@st.cache_data(ttl=DATA_TTL_SECONDS, show_spinner=False)
def months(version: str) -> list[str]:
    """Every month ('YYYY-MM') the published Swedish figures span, oldest first."""
    span = views.period_range()
    if span is None:
        return []
    (first_year, first_month), (last_year, last_month) = (
        (int(label[:4]), int(label[5:7])) for label in span
    )
    out, year, month = [], first_year, first_month
    while (year, month) <= (last_year, last_month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


@st.cache_data(ttl=DATA_TTL_SECONDS, show_spinner=False)
def unit_names(version: str, region: str) -> dict[str, str]:
    return views.unit_names(region)


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    # Nullable types: a withheld count stays missing instead of turning the column to floats.
    return frame.astype({"numerator": "Float64", "denominator": "Float64", "value": "Float64",
                         "suppressed": "boolean", "rounded": "boolean"})
