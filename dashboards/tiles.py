"""KPI tiles of the benefits overview: the latest month of a metric, its trend as a sparkline,
the change against the months before go-live, and the go-live effect where it is estimated."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from dashboards import chrome
from dashboards.components import METRIC_PAGE, name_of, serve
from dashboards.i18n import NBSP, format_change, format_month, format_value, t, text_of
from dashboards.summaries import change_since_go_live, period_totals
from tidbok.serving import PublishInfo
from tidbok.serving.scope import NATIONAL_REGION


def kpi_tile(info: PublishInfo, metric_id: str, lang: str, effects: pd.DataFrame | None,
             go_live: Mapping[str, str], *, key: str) -> None:
    """Latest month, a sparkline, the change since before go-live, the effect where known."""
    served = serve(info, metric_id)
    if served is None:
        return
    spec = served.spec
    box = st.container(border=True)
    name = name_of(spec, lang)
    if not served.published:
        box.metric(name, "–", help=text_of(spec.definition, lang))
        box.caption(t("tile.not_published", lang))
        _drill_down(box, metric_id, lang, key)
        return
    series = period_totals(served.frame, [], spec.aggregation, per_month=True)
    series = series[series["value"].notna()]
    if series.empty:
        box.metric(name, "–", help=text_of(spec.definition, lang))
        box.caption(t("tile.no_value", lang))
        _drill_down(box, metric_id, lang, key)
        return
    region = chrome.filters().region or NATIONAL_REGION
    latest = series.iloc[-1]
    change = change_since_go_live(series, go_live.get(region))
    box.metric(
        name,
        format_value(float(latest["value"]), spec.unit, lang),
        delta=format_change(change.change, spec.unit, lang) if change else None,
        delta_color={"lower_is_better": "inverse", "higher_is_better": "normal"}.get(
            spec.direction or "", "off"),
        help=text_of(spec.definition, lang),
        chart_data=[float(v) for v in series["value"]],
        chart_type="line",
    )
    facts = [format_month(latest["period"], lang)]
    if change is not None:
        label = "tile.change_go_live" if change.since_go_live else "tile.change_start"
        facts.append(t(label, lang, before=change.before_label(lang)))
    box.caption(" · ".join(facts))
    effect = _overall_effect(effects, metric_id, region)
    if effect is not None:
        box.caption(effect_sentence(effect, spec.unit, lang))
    _drill_down(box, metric_id, lang, key)


def _drill_down(box, metric_id: str, lang: str, key: str) -> None:
    box.page_link(METRIC_PAGE, label=t("drill_down", lang), icon=":material/query_stats:",
                  query_params={"metric": metric_id})


def _overall_effect(effects: pd.DataFrame | None, metric_id: str, region: str):
    if effects is None or effects.empty:
        return None
    rows = effects[(effects["metric"] == metric_id) & (effects["region"] == region)
                   & effects["relative_month"].isna()]
    return None if rows.empty else rows.iloc[0]


def effect_sentence(effect: pd.Series, unit: str | None, lang: str) -> str:
    level = effect.get("confidence_level")
    level_text = ""
    if level is not None and not pd.isna(level):
        level_text = f"{round(float(level) * 100)}{NBSP + '%' if lang == 'sv' else '%'}"
    return t(
        "tile.effect", lang,
        estimate=format_change(float(effect["estimate"]), unit, lang),
        level=level_text,
        low=format_change(float(effect["ci_low"]), unit, lang),
        high=format_change(float(effect["ci_high"]), unit, lang),
        units=int(effect["units"]),
        pretrend="" if bool(effect["pre_trend_passed"]) else t("tile.pretrend_failed", lang),
    ).replace(" ( KI", " (KI").replace(" ( CI", " (CI")
