"""Kanalskifte och telefon: do residents book, rebook and cancel digitally instead of calling?
Digital shares, calls by reason, and the estimated minutes saved with the assumptions shown
and adjustable."""

import pandas as pd
import streamlit as st

from dashboards import chrome, components, figures, queries
from dashboards.estimates import current_defaults, rescale
from dashboards.i18n import code_label, code_sort_key, format_value, parameter_label, t, text_of
from dashboards.summaries import period_totals
from tidbok.serving import dashboard_views as views

DIGITAL_SHARES = ("digital_booking_share", "digital_rebooking_share",
                  "digital_cancellation_share", "referral_self_booking_share",
                  "slot_booking_share")
ESTIMATES = ("phone_calls_avoided", "phone_minutes_saved_resident",
             "phone_minutes_saved_staff", "admin_minutes_saved")
PAGE_METRICS = (*DIGITAL_SHARES, "phone_volume_by_reason", "booking_lookup_calls_per_1000",
                "bokade_tider_views", *ESTIMATES)

lang = chrome.language()
info = chrome.published_or_stop(lang)
region_names = chrome.region_names(info)
chrome.page_header(t("channel.title", lang), t("channel.intro", lang), info, lang, PAGE_METRICS)

# ---------------------------------------------------------------- digital shares, one chart
st.subheader(t("channel.digital", lang))
lines, exports, unpublished = [], [], []
for metric_id in DIGITAL_SHARES:
    served = components.serve(info, metric_id)
    if served is None:
        continue
    if not served.published:
        unpublished.append(components.name_of(served.spec, lang))
        continue
    if served.frame.empty:
        continue
    data = components.labelled(served, lang, region_names)
    data["metric_name"] = components.name_of(served.spec, lang)
    lines.append(data)
    exports.append(components.export_frame(
        served, lang, region_names, value_title=t("column.value", lang),
    ).assign(**{t("effects.metric", lang): components.name_of(served.spec, lang)}))
if lines:
    chart = figures.trend_chart(pd.concat(lines, ignore_index=True), series="metric_name",
                                series_title=t("effects.metric", lang),
                                value_title=t("unit.share", lang).capitalize(), unit="share",
                                lang=lang)
    components.chart_with_data(chart, pd.concat(exports, ignore_index=True), "digital-shares",
                               lang, "digital-shares")
if unpublished:
    st.caption(t("section.not_published", lang, what=", ".join(unpublished)))
left, right = st.columns(2)
with left:
    components.breakdown_panel(info, "digital_booking_share", "care_service", lang,
                               region_names, key="digital-care-service")
with right:
    components.region_panel(info, "digital_booking_share", lang, region_names,
                            key="digital-regions")

# ---------------------------------------------------------------- calls
st.subheader(t("channel.calls", lang))
left, right = st.columns(2)
with left:
    components.breakdown_panel(info, "phone_volume_by_reason", "reason", lang, region_names,
                               key="calls-reason")
with right:
    components.trend_panel(info, "booking_lookup_calls_per_1000", lang, region_names,
                           key="lookup-calls")
components.trend_panel(info, "bokade_tider_views", lang, region_names, by="view_type",
                       key="views")

# ---------------------------------------------------------------- estimates and assumptions
st.subheader(t("channel.estimates", lang))
parameters = queries.parameters_frame(info.version)
estimate_ids = [m for m in ESTIMATES if components.spec_of(m) is not None]
names = sorted({p for m in estimate_ids for p in views.parameters_of(m)})
published = current_defaults(parameters, names)
adjusted = dict(published)
with st.expander(t("channel.assumptions", lang), expanded=True):
    st.caption(t("channel.assumptions_help", lang))
    if not published:
        chrome.not_published(t("channel.published_parameters", lang), lang)
    inputs = st.columns(3)
    for index, ((name, qualifier), value) in enumerate(sorted(
            published.items(), key=lambda item: (item[0][0], item[0][1] or ""))):
        label = parameter_label(name, lang)
        if qualifier:
            label += f" · {code_label('action', qualifier, lang)}"
        adjusted[(name, qualifier)] = inputs[index % 3].number_input(
            label, min_value=0.0, value=float(value), step=0.1 if value < 5 else 1.0,
            key=f"assumption-{name}-{qualifier}")
    if parameters is not None and not parameters.empty:
        shown = parameters[parameters["parameter"].isin(names)].rename(columns={
            "parameter": t("parameter.name", lang), "region_code": t("parameter.region", lang),
            "qualifier": t("parameter.qualifier", lang), "value": t("parameter.value", lang),
            "unit": t("parameter.unit", lang), "valid_from": t("parameter.valid_from", lang),
            "source": t("parameter.source", lang)})
        st.markdown(f"**{t('channel.published_parameters', lang)}**")
        st.dataframe(shown, hide_index=True)
        components.download_buttons(shown, "estimate-parameters", lang, "parameters")

columns = st.columns(2)
for index, metric_id in enumerate(estimate_ids):
    with columns[index % 2]:
        spec = components.spec_of(metric_id)
        by = "action" if "action" in spec.dimensions else None
        served = components.serve(info, metric_id, by=(by,) if by else ())
        components.metric_heading(spec, lang)
        if not served.published:
            components.note_unpublished(spec, lang)
            continue
        if served.frame.empty:
            st.info(t("no_data", lang))
            continue
        used = views.parameters_of(metric_id)
        totals = period_totals(served.frame, [by] if by else [], spec.aggregation)
        totals["adjusted"] = rescale(totals, used, published, adjusted, by)
        total, new_total = totals["value"].sum(), totals["adjusted"].sum()
        st.metric(t("estimate.total", lang), format_value(float(total), spec.unit, lang),
                  delta=(format_value(float(new_total - total), spec.unit, lang)
                         if abs(new_total - total) > 1e-9 else None),
                  delta_description=t("channel.adjusted", lang) if abs(new_total - total)
                  > 1e-9 else None, delta_color="off")
        category = by or "region"
        bars = []
        for variant, column in ((text_of(spec.name, lang), "value"),
                                (t("channel.adjusted", lang), "adjusted")):
            part = totals.assign(value=totals[column].astype("Float64"), variant=variant)
            part["category"] = [code_label(category, v, lang) for v in part[category]] if by \
                else t("estimate.total", lang)
            part["value_label"] = [format_value(None if pd.isna(v) else float(v), spec.unit,
                                                lang) for v in part["value"]]
            bars.append(part)
        data = pd.concat(bars, ignore_index=True)
        order = [code_label(category, v, lang) for v in
                 sorted(totals[category], key=lambda v: code_sort_key(category, v))] if by \
            else None
        chart = figures.bar_chart(data, category="category",
                                  category_title=components.dimension_label(category, lang),
                                  value_title=components.name_of(spec, lang), unit=spec.unit,
                                  lang=lang, color="variant", color_title="", order=order)
        export = components.export_frame(served, lang, region_names)
        components.chart_with_data(chart, export, metric_id, lang, f"estimate-{metric_id}")
chrome.disclosure_note(lang, queries.region_list(info.version))
