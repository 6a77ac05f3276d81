"""Charts of served rows (pure functions of data frames, so they can be tested without a page).

Colours: the Okabe–Ito palette for categories and a single-hue blue ramp for maps, both
readable with the common colour-vision deficiencies; series are also told apart by their
labels in the legend and tooltips, never by colour alone. Axes follow the chosen language.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboards.i18n import axis_format, t, vega_locale

# Okabe & Ito (2008), "Color Universal Design": distinguishable for deuteranopia,
# protanopia and tritanopia. Black last: it is also the colour of text.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000"]
MAP_SCHEME = "blues"
CHART_HEIGHT = 300

# A tile map of Sweden's 21 regions: (column, row) on a grid, north at the top.
REGION_TILES: dict[str, tuple[int, int]] = {
    "25": (2, 0),
    "23": (1, 1), "24": (2, 1),
    "20": (1, 2), "22": (2, 2),
    "17": (1, 3), "21": (2, 3),
    "18": (1, 4), "19": (2, 4), "03": (3, 4),
    "14": (0, 5), "05": (1, 5), "04": (2, 5), "01": (3, 5),
    "13": (0, 6), "06": (1, 6), "08": (2, 6), "09": (3, 6),
    "12": (0, 7), "07": (1, 7), "10": (2, 7),
}
# Short names that fit on a tile.
REGION_SHORT: dict[str, str] = {
    "01": "Stockholm", "03": "Uppsala", "04": "Sörmland", "05": "Östergötland",
    "06": "Jönköping", "07": "Kronoberg", "08": "Kalmar", "09": "Gotland", "10": "Blekinge",
    "12": "Skåne", "13": "Halland", "14": "V. Götaland", "17": "Värmland", "18": "Örebro",
    "19": "Västmanland", "20": "Dalarna", "21": "Gävleborg", "22": "Västernorrland",
    "23": "Jämtland", "24": "Västerbotten", "25": "Norrbotten",
}


def finish(chart: alt.Chart | alt.LayerChart, lang: str) -> alt.Chart | alt.LayerChart:
    """The chart's shared configuration: the palette, and the language's number format."""
    locale = vega_locale(lang)
    config = {"range": alt.RangeConfig(category=PALETTE)}
    return chart.configure(**config, **({"locale": locale} if locale else {}))


def _value_axis(unit: str | None, title: str) -> alt.Y:
    return alt.Y("value:Q", title=title, axis=alt.Axis(format=axis_format(unit)))


def trend_chart(
    data: pd.DataFrame,
    *,
    series: str,
    series_title: str,
    value_title: str,
    unit: str | None,
    lang: str,
) -> alt.Chart:
    """One line per series over the months. data: month, period, series, value, value_label."""
    frame = data[["month", "period", series, "value", "value_label"]].copy()
    frame["period_label"] = data.get("period_label", data["period"])
    chart = (
        alt.Chart(frame, height=CHART_HEIGHT)
        .mark_line(point=True)
        .encode(
            x=alt.X("yearmonth(month):T", title=t("column.month", lang),
                    axis=alt.Axis(format="%b %Y", tickCount="month")),
            y=_value_axis(unit, value_title),
            color=alt.Color(f"{series}:N", title=series_title,
                            legend=alt.Legend(orient="bottom", columns=4)),
            tooltip=[
                alt.Tooltip("period_label:N", title=t("column.month", lang)),
                alt.Tooltip(f"{series}:N", title=series_title),
                alt.Tooltip("value_label:N", title=value_title),
            ],
        )
    )
    return finish(chart, lang)


def bar_chart(
    data: pd.DataFrame,
    *,
    category: str,
    category_title: str,
    value_title: str,
    unit: str | None,
    lang: str,
    color: str | None = None,
    color_title: str | None = None,
    order: list[str] | None = None,
) -> alt.Chart:
    """Horizontal bars, one per category (grouped by `color` when given)."""
    columns = [category, "value", "value_label", *([color] if color else [])]
    frame = data[list(dict.fromkeys(columns))]
    encoding = {
        "y": alt.Y(f"{category}:N", title=category_title, sort=order or "-x"),
        "x": alt.X("value:Q", title=value_title, axis=alt.Axis(format=axis_format(unit))),
        "tooltip": [
            alt.Tooltip(f"{category}:N", title=category_title),
            alt.Tooltip("value_label:N", title=value_title),
        ],
    }
    if color:
        encoding["color"] = alt.Color(f"{color}:N", title=color_title,
                                      legend=alt.Legend(orient="bottom"))
        encoding["yOffset"] = alt.YOffset(f"{color}:N")
        encoding["tooltip"].insert(1, alt.Tooltip(f"{color}:N", title=color_title))
    else:
        encoding["color"] = alt.value(PALETTE[0])
    # A fixed step per bar, so every category keeps its label however many there are.
    step = 22 if not color else 32
    chart = alt.Chart(frame, height=alt.Step(step)).mark_bar().encode(**encoding)
    return finish(chart, lang)


def tile_map(data: pd.DataFrame, *, value_title: str, unit: str | None,
             lang: str) -> alt.LayerChart:
    """Sweden's regions as tiles coloured by value (data: region, region_name, value,
    value_label)."""
    frame = data[["region", "region_name", "value", "value_label"]].copy()
    frame = frame[frame["region"].isin(REGION_TILES)]
    frame["col"] = frame["region"].map(lambda code: REGION_TILES[code][0])
    frame["row"] = frame["region"].map(lambda code: REGION_TILES[code][1])
    frame["short"] = frame["region"].map(REGION_SHORT)
    base = alt.Chart(frame, width=420, height=520).encode(
        x=alt.X("col:O", axis=None),
        y=alt.Y("row:O", axis=None),
        tooltip=[
            alt.Tooltip("region_name:N", title=t("column.region", lang)),
            alt.Tooltip("value_label:N", title=value_title),
        ],
    )
    tiles = base.mark_rect(cornerRadius=4, stroke="white", strokeWidth=2).encode(
        color=alt.Color("value:Q", title=value_title, scale=alt.Scale(scheme=MAP_SCHEME),
                        legend=alt.Legend(format=axis_format(unit), orient="bottom")),
    )
    # Dark text on light tiles and white on dark ones, so every label keeps its contrast.
    midpoint = frame["value"].median() if frame["value"].notna().any() else 0
    text_color = alt.condition(alt.datum.value > midpoint, alt.value("white"), alt.value("black"))
    names = base.mark_text(baseline="bottom", dy=-2, fontSize=11).encode(
        text="short:N", color=text_color)
    values = base.mark_text(baseline="top", dy=2, fontSize=12, fontWeight="bold").encode(
        text="value_label:N", color=text_color)
    return finish(alt.layer(tiles, names, values), lang)


def event_study_chart(data: pd.DataFrame, *, unit: str | None, lang: str) -> alt.LayerChart:
    """Estimate per month around go-live with its interval; zero and go-live marked."""
    frame = data[["relative_month", "estimate", "ci_low", "ci_high", "estimate_label"]]
    x = alt.X("relative_month:Q", title=t("effects.relative_month", lang),
              axis=alt.Axis(format="d", tickMinStep=1))
    fmt = axis_format(unit)
    base = alt.Chart(frame, height=CHART_HEIGHT)
    band = base.mark_area(opacity=0.25, color=PALETTE[0]).encode(
        x=x, y=alt.Y("ci_low:Q", title=t("effects.estimate", lang), axis=alt.Axis(format=fmt)),
        y2="ci_high:Q")
    line = base.mark_line(point=True, color=PALETTE[0]).encode(
        x=x, y="estimate:Q",
        tooltip=[alt.Tooltip("relative_month:Q", title=t("effects.relative_month", lang)),
                 alt.Tooltip("estimate_label:N", title=t("effects.estimate", lang))])
    zero = alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color="#555555").encode(y="y:Q")
    go_live = alt.Chart(pd.DataFrame({"x": [-0.5]})).mark_rule(
        color=PALETTE[5], strokeDash=[4, 4]).encode(x="x:Q")
    return finish(alt.layer(band, line, zero, go_live), lang)
