"""Effekter: what going live did, beyond trends — staggered difference-in-differences estimates
with their intervals, the units behind them, the pre-trend check, and event-study plots
by month around go-live (METRICS.md F)."""

import pandas as pd
import streamlit as st

from dashboards import chrome, components, figures, queries, tiles
from dashboards.i18n import format_bool, format_change, t
from tidbok.serving.scope import NATIONAL_REGION

lang = chrome.language()
info = chrome.published_or_stop(lang)
region_names = chrome.region_names(info)
chrome.page_header(t("effects.title", lang), t("effects.intro", lang), info, lang)
effects = queries.effects_frame(info.version)
region = chrome.filters().region or NATIONAL_REGION
place = region_names.get(region, t("region.national", lang))


def metric_name(metric_id: str) -> str:
    spec = components.spec_of(metric_id)
    return components.name_of(spec, lang) if spec else metric_id


def unit_of(metric_id: str) -> str | None:
    spec = components.spec_of(metric_id)
    return spec.unit if spec else None


if effects is None or effects.empty:
    chrome.not_published(t("effects.what", lang), lang)
    st.stop()

# ---------------------------------------------------------------- overall estimates
st.subheader(t("effects.table", lang))
overall = effects[effects["relative_month"].isna()]
chosen = overall[overall["region"] == region]
if chosen.empty:
    st.info(t("effects.no_overall", lang))
else:
    table = pd.DataFrame({
        t("effects.metric", lang): [metric_name(m) for m in chosen["metric"]],
        t("column.region", lang): place,
        t("effects.estimate", lang): [format_change(float(v), unit_of(m), lang)
                                      for v, m in zip(chosen["estimate"], chosen["metric"],
                                                      strict=True)],
        t("effects.ci_low", lang): [format_change(float(v), unit_of(m), lang)
                                    for v, m in zip(chosen["ci_low"], chosen["metric"],
                                                    strict=True)],
        t("effects.ci_high", lang): [format_change(float(v), unit_of(m), lang)
                                     for v, m in zip(chosen["ci_high"], chosen["metric"],
                                                     strict=True)],
        t("effects.units", lang): chosen["units"].astype(int),
        t("effects.pre_trend", lang): [format_bool(v, lang) for v in chosen["pre_trend_passed"]],
    })
    if "method" in chosen:
        table[t("effects.method", lang)] = chosen["method"].to_list()
    st.dataframe(table, hide_index=True)
    for _, row in chosen.iterrows():
        st.caption(f"**{metric_name(row['metric'])}**: "
                   + tiles.effect_sentence(row, unit_of(row["metric"]), lang))
export = effects.rename(columns={
    "metric": t("effects.metric", lang), "region": t("column.region_code", lang),
    "relative_month": t("effects.relative_month", lang), "estimate": t("effects.estimate", lang),
    "ci_low": t("effects.ci_low", lang), "ci_high": t("effects.ci_high", lang),
    "units": t("effects.units", lang), "pre_trend_passed": t("effects.pre_trend", lang)})
components.download_buttons(export, "effect-estimates", lang, "effects-all")

# ---------------------------------------------------------------- event study
studies = effects[effects["relative_month"].notna()]
metric_ids = list(dict.fromkeys(studies["metric"]))
if metric_ids:
    chrome.take_from_url("effect", metric_ids)
    metric_id = st.selectbox(t("effects.metric", lang), metric_ids, format_func=metric_name,
                             key="effect")
    chrome.keep_in_url("effect", metric_ids[0])
    study = studies[(studies["metric"] == metric_id) & (studies["region"] == region)]
    if study.empty:
        study = studies[(studies["metric"] == metric_id)
                        & (studies["region"] == NATIONAL_REGION)]
        place = t("region.national", lang)
    st.subheader(t("effects.event_study", lang, metric=metric_name(metric_id), region=place))
    data = study.sort_values("relative_month").copy()
    data["relative_month"] = data["relative_month"].astype(int)
    data["estimate_label"] = [format_change(float(v), unit_of(metric_id), lang)
                              for v in data["estimate"]]
    chart = figures.event_study_chart(data, unit=unit_of(metric_id), lang=lang)
    components.chart_with_data(chart, export[(effects["metric"] == metric_id)
                                             & effects["relative_month"].notna()],
                               f"event-study-{metric_id}", lang, "event-study")
