"""Anslutning och täckning: for a region asking "how much of our care is connected and visible,
and what is missing?" — a tile map of the regions, services live, time books connected,
slots open for web booking, the onboarding pipeline, visibility and why bookings are not
shown, and (for a region's own users) every care unit."""

import pandas as pd
import streamlit as st

from dashboards import chrome, components, queries
from dashboards.i18n import format_month, format_value, t
from tidbok.serving import OutOfScope
from tidbok.serving import dashboard_views as views

MAP_METRICS = ("units_connected_share", "timebooks_connected_share", "booking_visibility_rate",
               "web_bookable_slot_share")
VISIBILITY_DETAIL = ("cancel_rebook_enabled_share", "unit_name_shown_share",
                     "ei_index_completeness")
UNIT_METRICS = ("units_connected_share", "booking_visibility_rate", "digital_booking_share",
                "web_bookable_slot_share")
PAGE_METRICS = (*MAP_METRICS, *VISIBILITY_DETAIL, "connection_lead_time_days", "regions_live",
                "digitally_bookable_services")

lang = chrome.language()
info = chrome.published_or_stop(lang)
region_names = chrome.region_names(info)
chrome.page_header(t("coverage.title", lang), t("coverage.intro", lang), info, lang,
                   PAGE_METRICS)

# ---------------------------------------------------------------- the map
specs = {m: components.spec_of(m) for m in MAP_METRICS}
offered = [m for m, spec in specs.items() if spec is not None]
if offered:
    st.subheader(t("coverage.map", lang))
    left, right = st.columns([2, 3])
    with left:
        chrome.take_from_url("map", offered)
        map_metric = st.radio(
            t("coverage.map_metric", lang), offered, key="map",
            format_func=lambda m: components.name_of(specs[m], lang))
        chrome.keep_in_url("map", offered[0])
    with right:
        components.region_panel(info, map_metric, lang, region_names, key="map", as_map=True,
                                heading=False)

# ---------------------------------------------------------------- services and time books
left, right = st.columns(2)
with left:
    components.breakdown_panel(info, "units_connected_share", "service", lang, region_names,
                               key="units-service")
with right:
    components.breakdown_panel(info, "timebooks_connected_share", "service", lang, region_names,
                               key="timebooks-service")
left, right = st.columns(2)
with left:
    components.trend_panel(info, "web_bookable_slot_share", lang, region_names,
                           key="web-bookable")
with right:
    components.breakdown_panel(info, "web_bookable_slot_share", "care_service", lang,
                               region_names, key="web-bookable-service", heading=True)

# ---------------------------------------------------------------- onboarding
st.subheader(t("coverage.onboarding", lang))
left, right = st.columns(2)
with left:
    components.trend_panel(info, "connection_lead_time_days", lang, region_names,
                           key="lead-time", heading=True)
with right:
    components.trend_panel(info, "regions_live", lang, region_names, by="service",
                           key="regions-live")

# ---------------------------------------------------------------- visibility
st.subheader(t("coverage.visibility", lang))
left, right = st.columns(2)
with left:
    components.trend_panel(info, "booking_visibility_rate", lang, region_names,
                           by="contact_type", key="visibility")
with right:
    # Every invisible booking has one reason; published as a cut of the visibility metric.
    has_reasons = components.spec_of("booking_visibility_rate") is not None and (
        "reason" in views.cut_dimensions("booking_visibility_rate"))
    if has_reasons:
        components.breakdown_panel(info, "booking_visibility_rate", "reason", lang,
                                   region_names, key="visibility-reason")
    else:
        chrome.not_published(t("coverage.visibility", lang), lang)
columns = st.columns(len(VISIBILITY_DETAIL))
for column, metric_id in zip(columns, VISIBILITY_DETAIL, strict=True):
    with column:
        components.trend_panel(info, metric_id, lang, region_names, key=metric_id)

# ---------------------------------------------------------------- per care unit
st.subheader(t("coverage.units", lang))
region = chrome.filters().region
if region is None:
    st.caption(t("coverage.units_pick_region", lang))
else:
    scope = str(chrome.scope())
    names = queries.unit_names(info.version, region)
    shown = 0
    try:
        for metric_id in UNIT_METRICS:
            spec = components.spec_of(metric_id)
            if spec is None or "unit" not in spec.dimensions:
                continue
            frame = queries.metric_frame(info.version, scope, metric_id, region,
                                         chrome.filters().period_from,
                                         chrome.filters().period_to, ("unit",))
            if frame is None or frame.empty:
                continue
            latest = frame["period"].max()
            rows = frame[frame["period"] == latest].reset_index(drop=True)
            served = components.Served(spec, rows, ("unit",))
            export = components.export_frame(served, lang, region_names)
            export.insert(3, t("column.unit_name", lang), [names.get(u, u) for u in rows["unit"]])
            table = pd.DataFrame({
                t("column.unit_name", lang): [names.get(u, u) for u in rows["unit"]],
                "HSA-id": rows["unit"],
                components.name_of(spec, lang): [format_value(v, spec.unit, lang)
                                                 for v in rows["value"].astype(object)],
            })
            st.markdown(f"**{components.name_of(spec, lang)}** · {format_month(latest, lang)}")
            st.dataframe(table, hide_index=True)
            components.download_buttons(export, f"{metric_id}-units-{region}", lang,
                                        f"units-{metric_id}")
            shown += 1
    except OutOfScope:  # the query layer's answer to a scope without this region's units
        st.info(t("coverage.units_public", lang), icon=":material/lock:")
    else:
        if shown == 0:
            chrome.not_published(t("coverage.units", lang), lang)
chrome.disclosure_note(lang, queries.region_list(info.version))
