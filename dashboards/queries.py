"""What the dashboards read, cached: thin wrappers over the shared query layer (no SQL here).

Cached results are keyed by the published version, so a new publish shows as soon as the
short-lived version check notices it; the TTLs only bound how long old versions linger.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from tidbok.serving import PublishInfo, Region, metric_values, publish_info, regions

VERSION_CHECK_TTL_SECONDS = 30
DATA_TTL_SECONDS = 600

NO_SHOW_COLUMNS = ["period", "region", "numerator", "denominator", "value", "suppressed", "rounded"]


@st.cache_data(ttl=VERSION_CHECK_TTL_SECONDS, show_spinner=False)
def publication() -> PublishInfo:
    """Raises ServingNotPublished until the first publish (errors are never cached)."""
    return publish_info()


@st.cache_data(ttl=DATA_TTL_SECONDS, show_spinner=False)
def region_list(version: str) -> list[Region]:
    return regions()


@st.cache_data(ttl=DATA_TTL_SECONDS, show_spinner=False)
def no_show_values(version: str, region: str | None, by: tuple[str, ...] = ()) -> pd.DataFrame:
    """Disclosure-controlled no-show rows (public scope) as a frame, one row per served cell."""
    rows = metric_values("no_show_rate", region=region, by=by)
    frame = pd.DataFrame(rows, columns=[*NO_SHOW_COLUMNS[:2], *by, *NO_SHOW_COLUMNS[2:]])
    # Nullable integers: withheld counts stay missing instead of turning the column to floats.
    return frame.astype({"numerator": "Int64", "denominator": "Int64"})
