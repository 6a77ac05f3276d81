"""Uteblivna besök: the no-show trend by region, or by booking channel within one region."""

import streamlit as st

from dashboards import chrome, queries
from dashboards.i18n import SUPPRESSED_MARK, format_timestamp, t
from dashboards.no_show_figures import display_table, labelled, trend_chart

lang = chrome.language()
region = chrome.selected_region()
info = chrome.published_or_stop(lang)
region_names = {r.code: r.name for r in queries.region_list(info.version)}

st.title(t("no_shows.title", lang))
st.caption(t("no_shows.intro", lang))
st.caption(
    t("as_of", lang, version=info.version, published=format_timestamp(info.published_at, lang))
)

# Within one region the channels are the story (digital vs phone); across regions, the regions.
by = ("channel",) if region else ()
rows = queries.no_show_values(info.version, region, by)
if rows.empty:
    st.info(t("no_data", lang))
    st.stop()
figures = labelled(rows, lang, region_names)

if region:
    st.subheader(t("no_shows.trend_by_channel", lang, region=region_names[region]))
else:
    st.subheader(t("no_shows.trend_by_region", lang))
st.altair_chart(trend_chart(figures, lang), width="stretch")

st.subheader(t("no_shows.table", lang))
st.dataframe(display_table(figures, lang), hide_index=True)
st.caption(t("disclosure_note", lang, mark=SUPPRESSED_MARK))
