"""Uteblivna besök och återbud: no-shows and late cancellations by booking channel, reminder,
lead time and care service, with NHS England's figures beside them as an external
benchmark ("fewer no-shows when residents can book themselves"; the risk "digital bookings
taken less seriously")."""

import pandas as pd
import streamlit as st

from dashboards import chrome, components, figures, queries
from dashboards.i18n import code_label, code_sort_key, format_value, t, text_of
from dashboards.summaries import period_totals
from tidbok.serving import dashboard_views as views

NO_SHOWS = "no_show_rate"
BENCHMARK = "nhs_gpad_no_show_rate"
BENCHMARK_CUTS = ("lead_time_band", "contact_type")
PAGE_METRICS = (NO_SHOWS, "late_cancellation_rate", "wasted_slot_rate", "slot_refill_rate")

lang = chrome.language()
info = chrome.published_or_stop(lang)
region_names = chrome.region_names(info)
region = chrome.filters().region
chrome.page_header(t("no_shows.title", lang), t("no_shows.intro", lang), info, lang,
                   PAGE_METRICS)
place = region_names.get(region, region) if region else t("region.national", lang)

left, right = st.columns(2)
with left:
    components.trend_panel(info, NO_SHOWS, lang, region_names, by="channel", key="channel",
                           title=t("no_shows.trend_by_channel", lang, region=place))
with right:
    spec = components.spec_of(NO_SHOWS)
    if spec is not None:
        st.subheader(t("no_shows.trend_by_region", lang))
        st.caption(text_of(spec.evidences, lang))
        components.region_panel(info, NO_SHOWS, lang, region_names, key="regions",
                                heading=False)

# ---------------------------------------------------------------- cut by one dimension
if components.spec_of(NO_SHOWS) is not None:
    cuts = [d for d in views.cut_dimensions(NO_SHOWS) if d not in ("unit", "channel")]
    if cuts:
        chrome.take_from_url("cut", cuts)
        cut = st.radio(t("no_shows.cut", lang), cuts, horizontal=True, key="cut",
                       format_func=lambda d: components.dimension_label(d, lang))
        chrome.keep_in_url("cut", cuts[0])
        left, right = st.columns(2)
        with left:
            components.breakdown_panel(
                info, NO_SHOWS, cut, lang, region_names, key=f"cut-{cut}",
                title=t("no_shows.by", lang,
                        dimension=components.dimension_label(cut, lang).lower()))
        with right:
            components.trend_panel(info, NO_SHOWS, lang, region_names, by=cut,
                                   key=f"cut-trend-{cut}", heading=False)
            st.caption(place)

# ---------------------------------------------------------------- NHS England beside Sweden
benchmark_spec = components.spec_of(BENCHMARK)
if benchmark_spec is not None:
    st.subheader(t("no_shows.benchmark", lang))
    st.caption(t("no_shows.benchmark_note", lang))
    tabs = st.tabs([components.dimension_label(d, lang) for d in BENCHMARK_CUTS])
    for tab, dimension in zip(tabs, BENCHMARK_CUTS, strict=True):
        with tab:
            sweden = components.serve(info, NO_SHOWS, by=(dimension,))
            nhs = components.serve(info, BENCHMARK, by=(dimension,), region=None,
                                   whole_period=True)
            if nhs is None or not nhs.published:
                components.note_unpublished(benchmark_spec, lang)
                continue
            if nhs.frame.empty:
                st.info(t("no_shows.benchmark_empty", lang), icon=":material/schedule:")
                continue
            parts, exports = [], []
            for label, served in ((t("no_shows.sweden", lang), sweden),
                                  (t("no_shows.nhs", lang), nhs)):
                if served is None or not served.published or served.frame.empty:
                    continue
                totals = period_totals(served.frame, [dimension], served.spec.aggregation)
                totals["source"] = label
                parts.append(totals)
                exports.append(components.export_frame(
                    served, lang, region_names, value_title=t("column.value", lang),
                ).assign(**{t("column.series", lang): label}))
            if not parts:
                st.info(t("no_data", lang))
                continue
            data = pd.concat(parts, ignore_index=True)
            data["category"] = [code_label(dimension, v, lang) for v in data[dimension]]
            data["value_label"] = [format_value(None if pd.isna(v) else float(v), "share", lang)
                                   for v in data["value"]]
            order = [code_label(dimension, v, lang) for v in
                     sorted(set(data[dimension]), key=lambda v: code_sort_key(dimension, v))]
            chart = figures.bar_chart(data, category="category",
                                      category_title=components.dimension_label(dimension, lang),
                                      value_title=t("column.value", lang), unit="share",
                                      lang=lang, color="source",
                                      color_title=t("column.series", lang), order=order)
            components.chart_with_data(chart, pd.concat(exports, ignore_index=True),
                                       f"no-shows-nhs-{dimension}", lang, f"nhs-{dimension}")

# ---------------------------------------------------------------- late cancellations
st.subheader(t("no_shows.late_cancellations", lang))
left, right = st.columns(2)
with left:
    components.trend_panel(info, "late_cancellation_rate", lang, region_names, by="channel",
                           key="late-channel")
with right:
    components.breakdown_panel(info, "late_cancellation_rate", "care_service", lang,
                               region_names, key="late-care-service")
left, right = st.columns(2)
with left:
    components.trend_panel(info, "wasted_slot_rate", lang, region_names, key="wasted")
with right:
    components.trend_panel(info, "slot_refill_rate", lang, region_names, key="refill")
chrome.disclosure_note(lang, queries.region_list(info.version))
