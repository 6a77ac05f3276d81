"""The app around the pages: before a publish, after a new one, and the spine's own file."""

from pathlib import Path

import pytest

from tests.dashboards.apptest import PAGES, open_page
from tidbok import config
from tidbok.serving.sample import write_sample_catalogue, write_serving_file


@pytest.fixture
def spine_home(tidbok_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tidbok.serving.sample's serving file with the sample catalogue that describes it."""
    monkeypatch.setenv("TIDBOK_CATALOGUE_DIR", str(write_sample_catalogue(tidbok_home / "cat")))
    write_serving_file(config.serving_path())
    return tidbok_home


@pytest.mark.parametrize("page", list(PAGES))
def test_friendly_message_before_anything_is_published(tidbok_home: Path, page: str) -> None:
    app = open_page(page)
    assert "Ingen statistik har publicerats ännu" in app.info[0].value
    assert not app.dataframe and not app.title


def test_a_new_publish_shows_without_a_restart(spine_home: Path, fresh_streamlit_cache) -> None:
    app = open_page("no_shows")
    assert any("version sample-1" in c.value for c in app.caption)
    write_serving_file(config.serving_path(), version="sample-2")
    import streamlit as st

    st.cache_data.clear()  # stands in for the version check's 30 s TTL running out
    app.run()
    assert not app.exception
    assert any("version sample-2" in c.value for c in app.caption)


@pytest.mark.parametrize(("lang", "channel"), [("sv", "Telefon"), ("en", "Phone")])
def test_a_small_region_shows_withheld_cells(spine_home: Path, lang: str, channel: str) -> None:
    app = open_page("no_shows", lang, params={"region": "25"})
    assert "Region Norrbotten" in app.subheader[0].value
    table = app.dataframe[0].value
    assert channel in set(table.iloc[:, 3])
    assert table.iloc[:, -2].isna().any() or table.iloc[:, -2].isnull().any()  # withheld rate
    assert "(..)" in " ".join(c.value for c in app.caption)  # the note on what '..' means


def test_english_is_one_click_away(spine_home: Path) -> None:
    app = open_page("no_shows")
    assert app.title[0].value == "Uteblivna besök och återbud"
    app.sidebar.radio(key="lang").set_value("en").run()
    assert not app.exception
    assert app.title[0].value == "No-shows and late cancellations"


def test_metrics_the_sample_file_lacks_are_not_yet_published(spine_home: Path) -> None:
    app = open_page("no_shows")
    assert any("publiceras inte ännu" in info.value for info in app.info)
