"""Running the dashboards headless with Streamlit's AppTest."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "dashboards" / "streamlit_app.py"
TIMEOUT_SECONDS = 180  # the first run of a page builds its tables; the machine is shared

# page module -> (Swedish title, English title); the metric page is titled by its metric.
PAGES: dict[str, tuple[str, str]] = {
    "benefits": ("Nyttoöversikt", "Benefits overview"),
    "coverage": ("Anslutning och täckning", "Connection and coverage"),
    "channel_shift": ("Kanalskifte och telefon", "Channel shift and phone"),
    "no_shows": ("Uteblivna besök och återbud", "No-shows and late cancellations"),
    "risks": ("Risker", "Risks"),
    "effects": ("Effekter", "Effects"),
    "data_quality": ("Datakvalitet", "Data quality"),
    "about_metrics": ("Om måtten", "About the metrics"),
    "metric": ("Uteblivna besök", "No-show rate"),
}
PAGE_PARAMS: dict[str, dict[str, str]] = {"metric": {"metric": "no_show_rate"}}


def open_page(page: str, lang: str = "sv", params: Mapping[str, str] | None = None,
              session: Mapping[str, object] | None = None) -> AppTest:
    """Run the app on `page` (a module in dashboards/pages) with URL parameters."""
    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT_SECONDS)
    for key, value in {"lang": lang, **PAGE_PARAMS.get(page, {}), **(params or {})}.items():
        app.query_params[key] = value
    for key, value in (session or {}).items():
        app.session_state[key] = value
    # The default page first: switching before the first run loses the router's sidebar
    # in AppTest (a quirk of the test harness; browsers opening a page's URL are fine).
    app.run()
    if page != "benefits":
        app.switch_page(f"app_pages/{page}.py").run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def charts(app: AppTest) -> list:
    return list(app.get("vega_lite_chart"))


def texts(app: AppTest) -> str:
    """Every piece of text, table and chart data the page sent, as one string."""
    parts = [e.value for kind in ("title", "header", "subheader", "caption", "markdown",
                                  "info", "warning", "success")
             for e in getattr(app, kind)]
    parts += [f"{m.label} {m.value} {m.delta}" for m in app.metric]
    parts += [frame.value.to_csv() for frame in app.dataframe]
    for chart in charts(app):
        parts.append(chart.proto.spec)
        parts += [_arrow_csv(dataset.data.data) for dataset in chart.proto.datasets]
        if chart.proto.data.data:
            parts.append(_arrow_csv(chart.proto.data.data))
    return "\n".join(str(p) for p in parts)


def _arrow_csv(data: bytes) -> str:
    """A chart's dataset (Arrow IPC bytes, as Streamlit sends it) as CSV text."""
    import pyarrow as pa

    if not data:
        return ""
    with pa.ipc.open_stream(data) as reader:
        return reader.read_pandas().to_csv()
