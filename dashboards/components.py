"""Building blocks the pages share: a metric's served rows under the chosen filters, KPI tiles,
trend and breakdown panels, and the download buttons under every chart.

A panel always shows what it can: a metric that is not published yet, or a selection
without figures, becomes a friendly note instead of an error.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

import altair as alt
import pandas as pd
import streamlit as st

from dashboards import chrome, exports, figures, queries
from dashboards.i18n import (
    SUPPRESSED_MARK,
    code_label,
    code_sort_key,
    format_count,
    format_month,
    format_value,
    t,
    text_of,
)
from dashboards.summaries import period_totals, primary_statistic
from tidbok.serving import (
    InvalidQuery,
    MetricSpec,
    OutOfScope,
    PublishInfo,
    ServingContractBroken,
    catalogue,
)
from tidbok.serving import dashboard_views as views
from tidbok.serving.scope import NATIONAL_REGION

METRIC_PAGE = "app_pages/metric.py"
log = logging.getLogger(__name__)


@dataclass
class Served:
    """A metric's served rows for one view, and which chosen filters did not apply."""

    spec: MetricSpec
    frame: pd.DataFrame | None  # None: not published yet
    by: tuple[str, ...]  # dimension columns left in the frame
    ignored: list[str] = field(default_factory=list)
    broken: bool = False  # the published mart does not match the catalogue

    @property
    def published(self) -> bool:
        return self.frame is not None


def spec_of(metric_id: str) -> MetricSpec | None:
    return catalogue().metrics.get(metric_id)


def name_of(spec: MetricSpec, lang: str) -> str:
    return text_of(spec.name, lang, spec.id)


def serve(
    info: PublishInfo,
    metric_id: str,
    *,
    by: Sequence[str] = (),
    region: str | None | type[...] = ...,
    whole_period: bool = False,
) -> Served | None:
    """The metric's rows under the page filters; None when the catalogue has no such metric.

    region: ... = the chosen region, or the nation ('00') when none is chosen; None = every
    region. Chosen care service and channel apply when the metric can be cut by them.
    """
    spec = spec_of(metric_id)
    if spec is None:
        return None
    chosen = chrome.filters()
    if region is ...:
        region = chosen.region or NATIONAL_REGION
    period_from, period_to = (None, None) if whole_period else (chosen.period_from,
                                                                chosen.period_to)
    cuts = views.cut_dimensions(metric_id)
    wanted = tuple(by)
    applied = {d: v for d, v in chosen.dimension_filters().items() if d in cuts}
    ignored = [d for d in chosen.dimension_filters() if d not in applied]
    scope = str(chrome.scope())
    while True:
        try:
            frame, keep = _read(info, spec, scope, region, period_from, period_to, wanted,
                                applied)
            break
        except (InvalidQuery, OutOfScope):
            # More cuts than one table may have for this viewer (the public gets one
            # dimension at a time): the last filter gives way, and says so.
            if not applied:
                raise
            dropped = list(applied)[-1]
            del applied[dropped]
            ignored.append(dropped)
        except ServingContractBroken:
            log.exception("%s cannot be read from serving version %s", metric_id, info.version)
            return Served(spec, None, tuple(wanted), ignored, broken=True)
    if frame is not None:
        for dimension, value in applied.items():
            if dimension in frame:
                frame = frame[frame[dimension] == value]
                if dimension not in keep:
                    frame = frame.drop(columns=[dimension])
        frame = frame.reset_index(drop=True)
    return Served(spec, frame, keep, ignored)


def _read(info: PublishInfo, spec: MetricSpec, scope: str, region: str | None,
          period_from: str | None, period_to: str | None, wanted: tuple[str, ...],
          applied: Mapping[str, str]) -> tuple[pd.DataFrame | None, tuple[str, ...]]:
    if spec.aggregation == "none":
        frame = queries.statistic_frame(info.version, scope, spec.id, region, period_from,
                                        period_to, spec.time_grain)
        return frame, tuple(d for d in spec.dimensions if d not in applied)
    query_by = tuple(dict.fromkeys([*wanted, *applied]))
    return queries.metric_frame(info.version, scope, spec.id, region, period_from, period_to,
                                query_by), wanted


def labelled(served: Served, lang: str, region_names: Mapping[str, str]) -> pd.DataFrame:
    """Served rows plus what a reader sees: month as a date, names, formatted values."""
    out = served.frame.copy()
    periods = out["period"].astype(str)
    out["month"] = pd.to_datetime(periods.str.slice(0, 7) + "-01")
    out["period_label"] = [format_month(p, lang) for p in periods]
    out["region_name"] = [_region_name(code, lang, region_names) for code in out["region"]]
    for dimension in served.by:
        out[f"{dimension}_label"] = [code_label(dimension, v, lang) for v in out[dimension]]
    out["value_label"] = [format_value(_plain(v), served.spec.unit, lang) for v in out["value"]]
    return out


def _region_name(code: str, lang: str, names: Mapping[str, str]) -> str:
    return t("region.national", lang) if code == NATIONAL_REGION else names.get(code, code)


def _plain(value):
    return None if pd.isna(value) else float(value)


def export_frame(served: Served, lang: str, region_names: Mapping[str, str],
                 value_title: str | None = None) -> pd.DataFrame:
    """The rows behind a chart with headers in `lang`; withheld figures are empty cells."""
    frame = served.frame
    dimension_labels = {d: dimension_label(d, lang) for d in served.by}
    data = {
        t("column.period", lang): frame["period"],
        t("column.region_code", lang): frame["region"],
        t("column.region", lang): [_region_name(c, lang, region_names) for c in frame["region"]],
    }
    for dimension, label in dimension_labels.items():
        data[label] = [code_label(dimension, v, lang) for v in frame[dimension]]
    if served.spec.aggregation == "ratio":
        data[t("column.numerator", lang)] = frame["numerator"]
        data[t("column.denominator", lang)] = frame["denominator"]
    if value_title is None:
        value_title = name_of(served.spec, lang)
        if served.spec.unit:
            value_title += f" ({t(f'unit.{served.spec.unit}', lang)})"
    data[value_title] = frame["value"]
    data[t("column.suppressed", lang)] = frame["suppressed"]
    return pd.DataFrame(data)


def display_table(served: Served, lang: str, region_names: Mapping[str, str]) -> pd.DataFrame:
    """The rows as a reader sees them: names, labels, figures formatted, withheld as '..'."""
    export = export_frame(served, lang, region_names)
    table = export.drop(columns=[t("column.region_code", lang), t("column.suppressed", lang)])
    value_column = table.columns[-1]
    table[value_column] = [format_value(_plain(v), served.spec.unit, lang)
                           for v in served.frame["value"]]
    for column in (t("column.numerator", lang), t("column.denominator", lang)):
        if column in table:
            table[column] = [format_count(_plain(v), lang) for v in table[column]]
    return table


def dimension_label(dimension: str, lang: str) -> str:
    spec = catalogue().dimensions.get(dimension)
    label = text_of(spec.label, lang) if spec is not None else ""
    return label or dimension.replace("_", " ")


def download_buttons(frame: pd.DataFrame, name: str, lang: str, key: str) -> None:
    """CSV and Excel of exactly the rows behind the chart above.

    The files are made when a button is clicked (a callable), not on every rerun: an Excel
    workbook per chart would otherwise cost more than drawing the page.
    """
    stem = exports.file_stem(name)
    row = st.container(horizontal=True)
    row.download_button(
        t("download.csv", lang), data=partial(exports.csv_bytes, frame, lang),
        file_name=f"{stem}.csv", mime=exports.CSV_MIME, key=f"{key}-csv",
        icon=":material/download:", on_click="ignore",
    )
    row.download_button(
        t("download.excel", lang), data=partial(exports.excel_bytes, frame, name),
        file_name=f"{stem}.xlsx", mime=exports.EXCEL_MIME, key=f"{key}-xlsx",
        icon=":material/table_view:", on_click="ignore",
    )


def chart_with_data(chart: alt.TopLevelMixin, table: pd.DataFrame, name: str, lang: str,
                    key: str) -> None:
    """A chart, its table in an expander, and the table as CSV and Excel."""
    st.altair_chart(chart, width="stretch")
    with st.expander(t("table", lang)):
        st.dataframe(table, hide_index=True)
    download_buttons(table, name, lang, key)


def metric_heading(spec: MetricSpec, lang: str, *, level: str = "subheader",
                   title: str | None = None) -> None:
    heading = title or name_of(spec, lang)
    help_text = text_of(spec.definition, lang) or None
    getattr(st, level)(heading, help=help_text)
    evidences = text_of(spec.evidences, lang)
    direction = t(f"direction.{spec.direction}", lang) if spec.direction else ""
    st.caption(" · ".join(part for part in (evidences, direction) if part))


def note_unpublished(spec: MetricSpec, lang: str, broken: bool = False) -> None:
    if broken:
        st.warning(t("metric.broken", lang, name=name_of(spec, lang)), icon=":material/error:")
        return
    st.info(t("metric.not_published", lang, name=name_of(spec, lang)),
            icon=":material/schedule:")


def note_ignored(served: Served, lang: str) -> None:
    if served.ignored:
        names = ", ".join(dimension_label(d, lang) for d in served.ignored)
        st.caption(t("filter.not_applicable", lang, filters=names))


# ---------------------------------------------------------------- panels


def trend_panel(info: PublishInfo, metric_id: str, lang: str, region_names: Mapping[str, str],
                *, by: str | None = None, key: str, title: str | None = None,
                heading: bool = True) -> Served | None:
    """The metric month by month, for the chosen region (or the nation), one line per `by`."""
    served = serve(info, metric_id, by=(by,) if by else ())
    if served is None:
        return None
    if (served.published and served.spec.aggregation == "none" and served.frame.empty
            and chrome.filters().region is None):
        # A statistic (median, percentile) has national rows only if its mart computes
        # them; otherwise show the regions' own.
        served = serve(info, metric_id, region=None)
    if heading:
        metric_heading(served.spec, lang, title=title)
    if not served.published:
        note_unpublished(served.spec, lang, served.broken)
        return served
    note_ignored(served, lang)
    if served.frame.empty:
        st.info(t("no_data", lang))
        return served
    if served.frame["value"].isna().all():
        # Every cell withheld: say so, and still show the table with its '..' marks.
        st.info(t("all_withheld", lang, mark=SUPPRESSED_MARK))
        with st.expander(t("table", lang), expanded=True):
            st.dataframe(display_table(served, lang, region_names), hide_index=True)
        download_buttons(export_frame(served, lang, region_names),
                         f"{metric_id}-{by or 'trend'}", lang, key)
        return served
    data = labelled(served, lang, region_names)
    series = f"{by}_label" if by else "region_name"
    series_title = dimension_label(by, lang) if by else t("column.region", lang)
    if by is None and served.spec.aggregation == "none" and served.by:
        data = primary_statistic(data)
        series, series_title = _statistic_series(data, served, lang)
    chart = figures.trend_chart(data, series=series, series_title=series_title,
                                value_title=name_of(served.spec, lang),
                                unit=served.spec.unit, lang=lang)
    chart_with_data(chart, export_frame(served, lang, region_names),
                    f"{metric_id}-{by or 'trend'}", lang, key)
    return served


def _statistic_series(data: pd.DataFrame, served: Served, lang: str) -> tuple[str, str]:
    """For medians and percentiles: one line per region (when several) and dimension value."""
    shown = [d for d in served.by if data[f"{d}_label"].nunique() > 1 or d != "statistic"]
    labels = [f"{d}_label" for d in shown]
    titles = [dimension_label(d, lang) for d in shown]
    if data["region"].nunique() > 1:
        labels.insert(0, "region_name")
        titles.insert(0, t("column.region", lang))
    data["series"] = data[labels].astype(str).agg(" · ".join, axis=1) if labels else ""
    return "series", " · ".join(titles)


def breakdown_panel(info: PublishInfo, metric_id: str, dimension: str, lang: str,
                    region_names: Mapping[str, str], *, key: str,
                    title: str | None = None, heading: bool = True) -> Served | None:
    """The metric over the chosen period, one bar per value of `dimension`."""
    served = serve(info, metric_id, by=(dimension,))
    if served is None:
        return None
    if heading:
        metric_heading(served.spec, lang, title=title)
    if not served.published:
        note_unpublished(served.spec, lang, served.broken)
        return served
    note_ignored(served, lang)
    totals = period_totals(served.frame, [dimension], served.spec.aggregation)
    if totals.empty or totals["value"].isna().all():
        st.info(t("no_data", lang))
        return served
    totals["category"] = [code_label(dimension, v, lang) for v in totals[dimension]]
    totals["value_label"] = [format_value(_plain(v), served.spec.unit, lang)
                             for v in totals["value"]]
    order = [code_label(dimension, v, lang)
             for v in sorted(totals[dimension], key=lambda v: code_sort_key(dimension, v))]
    chart = figures.bar_chart(totals, category="category",
                              category_title=dimension_label(dimension, lang),
                              value_title=name_of(served.spec, lang), unit=served.spec.unit,
                              lang=lang, order=order)
    chart_with_data(chart, export_frame(served, lang, region_names),
                    f"{metric_id}-{dimension}", lang, key)
    return served


def region_panel(info: PublishInfo, metric_id: str, lang: str, region_names: Mapping[str, str],
                 *, key: str, as_map: bool = False, heading: bool = True) -> Served | None:
    """Every region over the chosen period: bars, or tiles on a map of Sweden."""
    served = serve(info, metric_id, region=None)
    if served is None:
        return None
    if heading:
        metric_heading(served.spec, lang)
    if not served.published:
        note_unpublished(served.spec, lang, served.broken)
        return served
    note_ignored(served, lang)
    totals = period_totals(served.frame, [], served.spec.aggregation, per_region=True)
    if totals.empty or totals["value"].isna().all():
        st.info(t("no_data", lang))
        return served
    totals["region_name"] = [region_names.get(c, c) for c in totals["region"]]
    totals["value_label"] = [format_value(_plain(v), served.spec.unit, lang)
                             for v in totals["value"]]
    value_title = name_of(served.spec, lang)
    if as_map:
        chart = figures.tile_map(totals, value_title=value_title, unit=served.spec.unit,
                                 lang=lang)
    else:
        chart = figures.bar_chart(totals, category="region_name",
                                  category_title=t("column.region", lang),
                                  value_title=value_title, unit=served.spec.unit, lang=lang)
    chart_with_data(chart, export_frame(served, lang, region_names), f"{metric_id}-regions",
                    lang, key)
    return served
