"""The shared chrome around every page: language switch, region filter, "nothing published" guard.

Widgets live in the router (streamlit_app.py) so their state survives page switches;
pages read the chosen values through `language()` and `selected_region()`.
"""

from __future__ import annotations

import streamlit as st

from dashboards import queries
from dashboards.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from tidbok.serving import PublishInfo, Region, ServingError, ServingNotPublished

LANGUAGE_KEY = "lang"
REGION_KEY = "region"


def language() -> str:
    return st.session_state.get(LANGUAGE_KEY, DEFAULT_LANGUAGE)


def selected_region() -> str | None:
    """Two-digit county code, or None for all regions."""
    return st.session_state.get(REGION_KEY)


def render_language_switch() -> str:
    st.sidebar.radio(
        t("chrome.language", language()),
        options=list(LANGUAGES),
        format_func=LANGUAGES.__getitem__,
        key=LANGUAGE_KEY,
        horizontal=True,
    )
    return language()


def render_region_filter(lang: str, regions: list[Region]) -> None:
    names = {region.code: region.name for region in regions}
    if st.session_state.get(REGION_KEY) not in (None, *names):
        del st.session_state[REGION_KEY]  # a region the newest publish no longer has
    st.sidebar.selectbox(
        t("chrome.region", lang),
        options=[None, *names],
        format_func=lambda code: t("chrome.all_regions", lang) if code is None else names[code],
        key=REGION_KEY,
    )


def published_or_stop(lang: str) -> PublishInfo:
    """The version being shown; before the first publish, a friendly message and nothing else."""
    try:
        return queries.publication()
    except ServingNotPublished:
        st.info(t("not_published", lang))
    except ServingError:
        st.warning(t("serving_unreadable", lang))
    st.stop()
    raise AssertionError("st.stop() returned")  # unreachable; keeps the return type honest
