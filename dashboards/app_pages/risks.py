"""Risker: the benefits map's risks as figures — dead ends in external booking services, digital
uptake by age against the population (exclusion), authentication methods (the mobile BankID
requirement), rebooking churn and residents pushed back to the phone."""

import streamlit as st

from dashboards import chrome, components, queries
from dashboards.i18n import t
from tidbok.serving import catalogue

# A metric cut by one of these is shown as bars by it; the rest month by month.
BREAKDOWN_BY = ("age_band", "auth_method", "action", "care_service")
FIRST = ("jump_out_dead_end_rate", "digital_uptake_by_age", "auth_method_mix",
         "rebook_churn", "self_service_failure_rate", "first_contact_digital_share")

lang = chrome.language()
info = chrome.published_or_stop(lang)
region_names = chrome.region_names(info)
metrics = catalogue().metrics
risk_ids = [m for m in FIRST if m in metrics]
risk_ids += [m for m, spec in metrics.items() if spec.family == "E" and m not in risk_ids]
chrome.page_header(t("risks.title", lang), t("risks.intro", lang), info, lang, risk_ids)

columns = st.columns(2)
for index, metric_id in enumerate(risk_ids):
    spec = metrics[metric_id]
    cut = next((d for d in BREAKDOWN_BY if d in spec.dimensions), None)
    with columns[index % 2]:
        if cut:
            components.breakdown_panel(info, metric_id, cut, lang, region_names,
                                       key=f"risk-{metric_id}")
        else:
            components.trend_panel(info, metric_id, lang, region_names, key=f"risk-{metric_id}")
chrome.disclosure_note(lang, queries.region_list(info.version))
