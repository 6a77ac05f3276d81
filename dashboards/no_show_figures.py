"""How the no-show page turns served rows into its trend chart and its table (pure, testable)."""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import pandas as pd

from dashboards.i18n import channel_label, format_count, format_percent, t, vega_locale


def _optional(value: object) -> object | None:
    # pandas turns None into NaN/<NA>; the formatters want None for "withheld".
    return None if pd.isna(value) else value


def labelled(frame: pd.DataFrame, lang: str, region_names: Mapping[str, str]) -> pd.DataFrame:
    """Served rows plus display labels: month as a date, names, formatted figures."""
    out = frame.copy()
    out["month"] = pd.to_datetime(out["period"] + "-01")
    out["region_name"] = out["region"].map(lambda code: region_names.get(code, code))
    if "channel" in out:
        out["channel_name"] = out["channel"].map(lambda code: channel_label(code, lang))
    out["value_label"] = [format_percent(_optional(v), lang) for v in out["value"]]
    for part in ("numerator", "denominator"):
        # A column with withheld cells may arrive as floats; counts are shown as integers.
        out[f"{part}_label"] = [
            format_count(None if pd.isna(v) else int(v), lang) for v in out[part]
        ]
    return out


def trend_chart(labelled_rows: pd.DataFrame, lang: str) -> alt.Chart:
    """One line per channel when the rows are cut by channel, else one line per region."""
    by_channel = "channel_name" in labelled_rows
    series, series_title = (
        ("channel_name", t("column.channel", lang))
        if by_channel
        else ("region_name", t("column.region", lang))
    )
    data = labelled_rows[
        ["month", "period", series, "value", "value_label", "numerator_label", "denominator_label"]
    ]
    chart = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X(
                "yearmonth(month):T", title=t("column.period", lang), axis=alt.Axis(format="%b %Y")
            ),
            y=alt.Y("value:Q", title=t("column.value", lang), axis=alt.Axis(format=".1%")),
            color=alt.Color(f"{series}:N", title=series_title),
            tooltip=[
                alt.Tooltip("period:N", title=t("column.period", lang)),
                alt.Tooltip(f"{series}:N", title=series_title),
                alt.Tooltip("value_label:N", title=t("column.value", lang)),
                alt.Tooltip("numerator_label:N", title=t("column.numerator", lang)),
                alt.Tooltip("denominator_label:N", title=t("column.denominator", lang)),
            ],
        )
    )
    locale = vega_locale(lang)
    return chart.configure(locale=locale) if locale else chart


def display_table(labelled_rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The table under the chart: labelled columns, figures formatted, withheld shown as '..'."""
    columns = {"period": "column.period", "region_name": "column.region"}
    if "channel_name" in labelled_rows:
        columns["channel_name"] = "column.channel"
    columns |= {
        "numerator_label": "column.numerator",
        "denominator_label": "column.denominator",
        "value_label": "column.value",
    }
    table = labelled_rows[list(columns)].rename(
        columns={column: t(key, lang) for column, key in columns.items()}
    )
    return table.reset_index(drop=True)
