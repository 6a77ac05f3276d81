"""The dashboards app run headless with AppTest, in Swedish and in English."""

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tidbok import config
from tidbok.serving.sample import write_serving_file

APP = Path(__file__).resolve().parents[2] / "dashboards" / "streamlit_app.py"
SWEDISH_PERCENT = re.compile(r"^\d+,\d\u00a0%$")
ENGLISH_PERCENT = re.compile(r"^\d+\.\d%$")


def run_app() -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def table(app: AppTest):
    assert len(app.dataframe) == 1
    return app.dataframe[0].value


def test_friendly_message_before_anything_is_published(tidbok_home: Path) -> None:
    app = run_app()
    assert "Ingen statistik har publicerats ännu" in app.info[0].value
    assert not app.dataframe


def test_swedish_by_default_with_data_and_as_of(serving_file: Path) -> None:
    app = run_app()
    assert app.title[0].value == "Uteblivna besök"
    assert any("version sample-1" in c.value and "2025-04-01 06:00" in c.value for c in app.caption)
    rows = table(app)
    assert list(rows.columns) == [
        "Månad",
        "Region",
        "Uteblivna besök",
        "Besök (genomförda + uteblivna)",
        "Andel uteblivna",
    ]
    assert len(rows) == 9  # three regions x three months
    assert set(rows["Region"]) == {"Region Stockholm", "Region Halland", "Region Norrbotten"}
    assert all(SWEDISH_PERCENT.match(v) for v in rows["Andel uteblivna"])
    assert len(app.get("vega_lite_chart")) == 1


def test_english_is_one_click_away(serving_file: Path) -> None:
    app = run_app()
    app.sidebar.radio(key="lang").set_value("en").run()
    assert not app.exception
    assert app.title[0].value == "Missed appointments"
    rows = table(app)
    assert "No-show rate" in rows.columns
    assert all(ENGLISH_PERCENT.match(v) for v in rows["No-show rate"])


@pytest.mark.parametrize(("lang", "channel"), [("sv", "Telefon"), ("en", "Phone")])
def test_one_region_by_channel_shows_withheld_cells(
    serving_file: Path, lang: str, channel: str
) -> None:
    app = run_app()
    app.sidebar.radio(key="lang").set_value(lang).run()
    app.sidebar.selectbox(key="region").set_value("25").run()
    assert not app.exception
    assert "Region Norrbotten" in app.subheader[0].value
    rows = table(app)
    assert channel in set(rows.iloc[:, 2])
    assert ".." in set(rows.iloc[:, -1])  # Norrbotten's small cells are withheld


def test_a_new_publish_shows_without_a_restart(serving_file: Path) -> None:
    app = run_app()
    write_serving_file(config.serving_path(), version="sample-2")
    import streamlit as st

    st.cache_data.clear()  # stands in for the version check's 30 s TTL running out
    app.run()
    assert any("version sample-2" in c.value for c in app.caption)


def test_the_page_runs_when_switched_to(serving_file: Path) -> None:
    app = run_app()
    app.switch_page("pages/no_shows.py").run()
    assert not app.exception
    assert app.title[0].value == "Uteblivna besök"
