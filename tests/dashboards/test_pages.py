"""Every page, in Swedish and in English, on a serving file with a mart per catalogue metric."""

import re

import pytest

from tests.dashboards.apptest import PAGES, charts, open_page, texts
from tests.dashboards.serving_fixture import UNPUBLISHED

SWEDISH_PERCENT = re.compile(r"\d+,\d\u00a0%")
ENGLISH_PERCENT = re.compile(r"\d+\.\d%")
# What each page must show on the fixture: at least this many charts (KPI tiles count
# for the overview, where the sparklines are the charts).
MIN_CHARTS = {"benefits": 0, "coverage": 6, "channel_shift": 5, "no_shows": 7, "risks": 6,
              "effects": 1, "data_quality": 5, "about_metrics": 0, "metric": 2}


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders_in_both_languages(dashboard_home, page: str, lang: str) -> None:
    app = open_page(page, lang)
    swedish, english = PAGES[page]
    assert app.title[0].value == (swedish if lang == "sv" else english)
    as_of = "Data per 2025-04-02 06:30" if lang == "sv" else "Data as of 2025-04-02 06:30"
    assert any(as_of in caption.value for caption in app.caption), "no 'as of' on the page"
    assert len(charts(app)) >= MIN_CHARTS[page]
    shown = texts(app)
    if page in ("benefits", "no_shows", "coverage", "risks"):
        assert (SWEDISH_PERCENT if lang == "sv" else ENGLISH_PERCENT).search(shown)
    if lang == "en":
        assert "Hela landet" not in shown and "Uteblivna" not in shown


def test_overview_tells_the_effect_chain_as_tiles(dashboard_home) -> None:
    app = open_page("benefits")
    steps = [h.value for h in app.subheader]
    assert steps[:3] == ["1. Rätt tider visas för rätt invånare", "2. Minskad tid i telefon",
                         "3. Tiden i möte med vårdpersonal används mer effektivt"]
    tiles = {m.label: m for m in app.metric}
    assert "Uteblivna besök" in tiles and tiles["Uteblivna besök"].value.endswith("%")
    assert tiles["Uteblivna besök"].delta  # change against the months before
    captions = " ".join(c.value for c in app.caption)
    assert "Skattad effekt av anslutning" in captions  # effect estimate where available
    assert "jämfört med" in captions


def test_unpublished_metrics_have_a_friendly_state(dashboard_home) -> None:
    app = open_page("risks")
    notes = " ".join(info.value for info in app.info)
    assert "publiceras inte ännu" in notes
    assert len(UNPUBLISHED) == notes.count("publiceras inte ännu")


def test_no_shows_cut_by_reminder_and_beside_nhs(dashboard_home) -> None:
    app = open_page("no_shows", params={"cut": "lead_time_band"})
    shown = texts(app)
    assert "Uteblivna besök per tid från bokning till besök" in shown
    assert "NHS England" in shown and "Sverige (urvalet)" in shown
    assert app.radio(key="cut").value == "lead_time_band"


def test_assumptions_can_be_changed_and_recalculate(dashboard_home) -> None:
    app = open_page("channel_shift")
    totals = {m.label: m for m in app.metric}
    assert totals and all(m.delta in (None, "") for m in totals.values())
    app.number_input(key="assumption-resident_minutes_per_call-None").set_value(18.0).run()
    assert not app.exception
    assert any(m.delta for m in app.metric), "changing an assumption changes the estimate"


def test_filters_are_read_from_a_shared_link(dashboard_home) -> None:
    params = {"region": "13", "from": "2024-12", "to": "2025-02", "channel": "phone",
              "care_service": "VACCINATION"}
    app = open_page("no_shows", "en", params=params)
    assert app.sidebar.selectbox(key="region").value == "13"
    assert app.sidebar.select_slider(key="period").value == ("2024-12", "2025-02")
    assert app.sidebar.selectbox(key="channel").value == "phone"
    assert app.sidebar.selectbox(key="care_service").value == "VACCINATION"
    assert "Region Halland" in texts(app)


def test_unknown_values_in_a_link_are_ignored(dashboard_home) -> None:
    app = open_page("benefits", "xx", params={"region": "99", "channel": "pigeon"})
    assert app.title[0].value == "Nyttoöversikt"
    assert app.sidebar.selectbox(key="region").value is None


def test_every_chart_has_its_data_as_csv_and_excel(dashboard_home) -> None:
    app = open_page("no_shows")
    buttons = app.get("download_button")
    assert len(buttons) >= 2 * len(charts(app)) - 2  # the cut's trend shares its table
    labels = {button.proto.label for button in buttons}
    assert labels == {"Ladda ner CSV", "Ladda ner Excel"}


def test_drill_down_shows_the_metric_asked_for(dashboard_home) -> None:
    app = open_page("metric", params={"metric": "late_cancellation_rate"})
    assert app.title[0].value == "Sena avbokningar"
    app.radio(key="by").set_value("care_level").run()
    assert not app.exception
    assert "Vårdnivå" in texts(app)


def test_about_lists_every_catalogue_metric(dashboard_home) -> None:
    from tidbok.serving import catalogue

    app = open_page("about_metrics", "en")
    labels = " ".join(e.proto.label for e in app.expander)
    for metric_id in catalogue().metrics:
        assert f"`{metric_id}`" in labels
    searched = open_page("about_metrics", "en", params={"q": "no-show"})
    assert 0 < len(searched.expander) < len(app.expander)
