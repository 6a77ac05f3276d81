"""Nyttoöversikt: the seed's effect chain as KPI tiles, for a project lead asking "are the
benefits coming?". Each tile: the latest month, its trend, the change against the months
before go-live, the estimated go-live effect where there is one, and a drill-down link."""

import pandas as pd
import streamlit as st

from dashboards import chrome, components, queries, tiles
from dashboards.i18n import t
from dashboards.summaries import period_totals
from tidbok.serving import catalogue

# The chain, in the order the benefits map tells it; any other headline metric of a family
# joins its family's step, so the catalogue can add tiles without a code change.
EFFECT_CHAIN = (
    ("chain.coverage", "D", ("units_connected_share", "timebooks_connected_share",
                             "booking_visibility_rate")),
    ("chain.phone", "A", ("digital_booking_share", "digital_cancellation_share",
                          "phone_calls_avoided", "booking_lookup_calls_per_1000")),
    ("chain.visits", "B", ("no_show_rate", "late_cancellation_rate", "wasted_slot_rate",
                           "wrong_resource_rate")),
    ("chain.travel", "C", ("admin_minutes_saved", "co_planned_visit_share", "travel_km_saved",
                           "co2_kg_saved")),
    ("chain.risks", "E", ("jump_out_dead_end_rate", "digital_uptake_by_age",
                          "self_service_failure_rate", "rebook_churn")),
)
TILES_PER_ROW = 4

lang = chrome.language()
info = chrome.published_or_stop(lang)
metrics = catalogue().metrics
steps = []
for key, family, listed in EFFECT_CHAIN:
    ids = [m for m in listed if m in metrics]
    ids += [m for m, spec in metrics.items() if spec.family == family and spec.headline
            and m not in ids]
    steps.append((key, ids))

chrome.page_header(t("benefits.title", lang), t("benefits.intro", lang), info, lang,
                   [m for _, ids in steps for m in ids])
effects = queries.effects_frame(info.version)
go_live = queries.go_live_months(info.version)
region_names = chrome.region_names(info)

for key, ids in steps:
    st.subheader(t(key, lang))
    st.caption(t(f"{key}.seed", lang))
    for start in range(0, len(ids), TILES_PER_ROW):
        columns = st.columns(TILES_PER_ROW)
        for column, metric_id in zip(columns, ids[start:start + TILES_PER_ROW], strict=False):
            with column:
                tiles.kpi_tile(info, metric_id, lang, effects, go_live, key=metric_id)

# The tiles' monthly series in one file: what a project lead pastes into a report.
series = []
for _, ids in steps:
    for metric_id in ids:
        served = components.serve(info, metric_id)
        if served is None or not served.published or served.frame.empty:
            continue
        monthly = period_totals(served.frame, [], served.spec.aggregation, per_month=True)
        monthly.insert(0, "metric", components.name_of(served.spec, lang))
        series.append(monthly)
if series:
    table = pd.concat(series, ignore_index=True).rename(columns={
        "metric": t("effects.metric", lang), "period": t("column.period", lang),
        "value": t("column.value", lang), "numerator": t("column.numerator", lang),
        "denominator": t("column.denominator", lang)})
    region = chrome.filters().region
    region_label = region_names.get(region, t("region.national", lang)) if region else \
        t("region.national", lang)
    table.insert(1, t("column.region", lang), region_label)
    st.divider()
    components.download_buttons(table, "nyttooversikt" if lang == "sv" else "benefits-overview",
                                lang, "benefits-tiles")
chrome.disclosure_note(lang, queries.region_list(info.version))
