"""Mått (reached from a KPI tile or "Om måtten", ?metric=<id>): one metric in depth — its
definition, its trend cut by any of its dimensions, and every region side by side."""

import streamlit as st

from dashboards import chrome, components, queries
from dashboards.i18n import t, text_of
from tidbok.serving import catalogue
from tidbok.serving import dashboard_views as views

lang = chrome.language()
info = chrome.published_or_stop(lang)
region_names = chrome.region_names(info)
metrics = catalogue().metrics
ids = [m for m, spec in metrics.items() if spec.family != "F"]
# ?metric=<id> is the link target of KPI tiles and "Om måtten".
chrome.take_from_url("metric", ids)
if st.session_state.get("metric") not in ids:
    st.session_state.pop("metric", None)
metric_id = st.selectbox(t("metric.pick", lang), ids, key="metric",
                         format_func=lambda m: text_of(metrics[m].name, lang, m))
chrome.keep_in_url("metric", None)
spec = metrics[metric_id]
chrome.page_header(text_of(spec.name, lang, metric_id), text_of(spec.definition, lang), info,
                   lang, [metric_id])
st.caption(" · ".join(p for p in (text_of(spec.evidences, lang),
                                  t(f"direction.{spec.direction}", lang) if spec.direction
                                  else "") if p))

cuts = [d for d in views.cut_dimensions(metric_id) if d != "unit"]
if spec.aggregation == "none":
    cuts = []  # statistics are served at their own grain, already cut by all dimensions
chrome.take_from_url("by", cuts)
by = st.radio(t("metric.by", lang), [None, *cuts], horizontal=True, key="by",
              format_func=lambda d: t("metric.by_none", lang) if d is None
              else components.dimension_label(d, lang))
chrome.keep_in_url("by", None)
left, right = st.columns(2)
with left:
    if by is None:
        components.trend_panel(info, metric_id, lang, region_names, key="trend", heading=False)
    else:
        components.breakdown_panel(info, metric_id, by, lang, region_names, key=f"by-{by}",
                                   heading=False)
with right:
    if by is None:
        components.region_panel(info, metric_id, lang, region_names, key="regions",
                                as_map=True, heading=False)
    else:
        components.trend_panel(info, metric_id, lang, region_names, by=by, key=f"trend-{by}",
                               heading=False)
chrome.disclosure_note(lang, queries.region_list(info.version))
