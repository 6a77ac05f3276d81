"""Dashboards entry point and router: `streamlit run dashboards/streamlit_app.py`.

Holds the chrome every page shares (language, region filter, the "as of" guard) and hands
over to the chosen page. Pages sit in pages/ and read only through dashboards.queries.
"""

import streamlit as st

from dashboards import chrome, queries
from dashboards.i18n import t

lang = chrome.render_language_switch()
st.set_page_config(page_title=t("app.title", lang), layout="wide")

# Fixed url_paths so that switching language (which retitles pages) keeps the same page.
page = st.navigation(
    [
        st.Page(
            "pages/no_shows.py",
            title=t("no_shows.title", lang),
            url_path="uteblivna-besok",
            default=True,
        ),
    ]
)
info = chrome.published_or_stop(lang)
chrome.render_region_filter(lang, queries.region_list(info.version))
page.run()
