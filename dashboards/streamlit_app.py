"""Dashboards entry point and router: `streamlit run dashboards/streamlit_app.py`.

Holds the chrome every page shares (language, filters kept in the URL, sign-in, the
"nothing published yet" guard) and hands over to the chosen page. Pages sit in app_pages/,
one module each, and read only through dashboards.queries. (Not `pages/`: Streamlit treats
a `pages/` folder beside the entry point as an old-style multipage app, and then greets the
first visitor of a shared link with "Page not found".)
"""

import streamlit as st

from dashboards import chrome, queries
from dashboards.i18n import t

lang = chrome.render_language_switch()
st.set_page_config(page_title=t("app.title", lang), page_icon=":material/event_available:",
                   layout="wide")

# Fixed url_paths, so that switching language (which retitles pages) keeps the same page
# and a shared link opens the same page in either language.
PAGES = {
    "nav.overview": [
        ("app_pages/benefits.py", "benefits.title", "nyttooversikt", ":material/trending_up:"),
    ],
    "nav.topics": [
        ("app_pages/coverage.py", "coverage.title", "anslutning", ":material/hub:"),
        ("app_pages/channel_shift.py", "channel.title", "kanalskifte", ":material/call:"),
        ("app_pages/no_shows.py", "no_shows.title", "uteblivna-besok", ":material/event_busy:"),
        ("app_pages/risks.py", "risks.title", "risker", ":material/warning:"),
        ("app_pages/effects.py", "effects.title", "effekter", ":material/science:"),
    ],
    "nav.reference": [
        ("app_pages/data_quality.py", "quality.title", "datakvalitet", ":material/fact_check:"),
        ("app_pages/about_metrics.py", "about.title", "om-matten", ":material/menu_book:"),
    ],
}
navigation = {
    t(section, lang): [
        st.Page(path, title=t(title, lang), url_path=url, icon=icon,
                default=url == "nyttooversikt")
        for path, title, url, icon in pages
    ]
    for section, pages in PAGES.items()
}
# The drill-down from a KPI tile: reached by link (?metric=…), not listed in the menu.
navigation[t("nav.reference", lang)].append(
    st.Page("app_pages/metric.py", title=t("metric.title", lang), url_path="matt",
            icon=":material/query_stats:", visibility="hidden")
)
page = st.navigation(navigation)

info = chrome.published_or_stop(lang)
regions = queries.region_list(info.version)
chrome.render_filters(lang, regions, queries.months(info.version))
chrome.render_sign_in(lang, regions)
page.run()
