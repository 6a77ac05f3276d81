"""Om måtten: every metric of the catalogue with its definition, unit, direction, dimensions,
the benefit or risk it evidences, its disclosure rule and whether it is published yet."""

import pandas as pd
import streamlit as st

from dashboards import chrome, components, queries
from dashboards.i18n import format_month, t, text_of
from tidbok.serving import catalogue

lang = chrome.language()
info = chrome.published_or_stop(lang)
chrome.page_header(t("about.title", lang), t("about.intro", lang), info, lang)
status = queries.metric_status(info.version)
chrome.take_from_url("q", None)
query = st.text_input(t("about.search", lang), key="q").strip().lower()
chrome.keep_in_url("q", "")

rows = []
by_family: dict[str, list] = {}
for spec in catalogue().metrics.values():
    texts = " ".join([spec.id, text_of(spec.name, lang), text_of(spec.definition, lang),
                      text_of(spec.evidences, lang)]).lower()
    if query and query not in texts:
        continue
    by_family.setdefault(spec.family or "?", []).append(spec)
    published = status.get(spec.id, {})
    rows.append({
        "id": spec.id,
        t("effects.metric", lang): text_of(spec.name, lang, spec.id),
        t("about.unit", lang): t(f"unit.{spec.unit}", lang) if spec.unit else "",
        t("about.dimensions", lang): ", ".join(components.dimension_label(d, lang)
                                               for d in spec.dimensions),
        t("about.evidences", lang): text_of(spec.evidences, lang),
        t("about.status", lang): published.get("latest_period") or "",
        "definition": text_of(spec.definition, lang),
    })

for family in sorted(by_family):
    key = f"family.{family}"
    st.subheader(t(key, lang) if family in "ABCDEFG" and len(family) == 1 else family)
    for spec in by_family[family]:
        published = status.get(spec.id, {})
        latest = published.get("latest_period")
        state = (t("about.published", lang, period=format_month(latest[:7], lang))
                 if published.get("published") and latest else t("about.unpublished", lang))
        with st.expander(f"{text_of(spec.name, lang, spec.id)} · `{spec.id}`"):
            st.markdown(text_of(spec.definition, lang))
            dims = ", ".join(components.dimension_label(d, lang) for d in spec.dimensions)
            facts = [
                (t("about.evidences", lang), text_of(spec.evidences, lang)),
                (t("about.unit", lang), t(f"unit.{spec.unit}", lang) if spec.unit else ""),
                ("", t(f"direction.{spec.direction}", lang) if spec.direction else ""),
                (t("about.dimensions", lang),
                 f"{t('column.region', lang)}, {t('column.period', lang).lower()}"
                 + (f", {dims}" if dims else "")),
                (t("about.disclosure", lang), t(f"about.disclosure.{spec.disclosure}", lang)),
                (t("about.status", lang), state),
            ]
            st.markdown("\n".join(f"- **{label}:** {value}" if label else f"- {value}"
                                  for label, value in facts if value))
            if published.get("published"):
                st.page_link(components.METRIC_PAGE, label=t("drill_down", lang),
                             icon=":material/query_stats:", query_params={"metric": spec.id})

if rows:
    components.download_buttons(pd.DataFrame(rows), "metric-catalogue", lang, "catalogue")
else:
    st.info(t("no_data", lang))
