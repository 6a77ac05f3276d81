"""Swedish and English strings, number formats, labels, and charts that follow the language."""

import ast
import re
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from dashboards import figures, i18n
from tidbok.codes import CHANNEL_LABEL_SV

DASHBOARDS = Path(__file__).resolve().parents[2] / "dashboards"


def test_every_string_exists_in_both_languages() -> None:
    for key, texts in i18n._STRINGS.items():
        assert set(texts) == set(i18n.LANGUAGES), key
        placeholders = {lang: set(re.findall(r"{(\w+)}", text)) for lang, text in texts.items()}
        assert placeholders["sv"] == placeholders["en"], key


def test_every_key_the_code_asks_for_exists() -> None:
    asked = set()
    for path in DASHBOARDS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "t"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                asked.add(node.args[0].value)
    missing = asked - set(i18n._STRINGS)
    assert not missing


def test_swedish_percent_has_decimal_comma_and_space() -> None:
    assert i18n.format_percent(0.046, "sv") == "4,6\u00a0%"
    assert i18n.format_percent(0.046, "en") == "4.6%"
    assert i18n.format_percent(None, "sv") == ".."
    assert i18n.format_percent(float("nan"), "sv") == ".."


def test_counts_group_thousands_per_language() -> None:
    assert i18n.format_count(12345, "sv") == "12\u00a0345"
    assert i18n.format_count(12345, "en") == "12,345"
    assert i18n.format_count(None, "en") == ".."


@pytest.mark.parametrize(("value", "unit", "lang", "shown"), [
    (1234.4, "minutes", "sv", "1\u00a0234\u00a0min"),
    (2.55, "days", "sv", "2,5"),
    (0.1234, "share", "en", "12.3%"),
    (3.14159, "ratio", "sv", "3,14"),
    (-0.5, "per_1000", "sv", "\u22120,5"),
])
def test_values_in_their_units(value, unit, lang, shown) -> None:
    assert i18n.format_value(value, unit, lang) == shown


def test_changes_of_shares_are_percentage_points() -> None:
    assert i18n.format_change(-0.012, "share", "sv") == "\u22121,2\u00a0p.e."
    assert i18n.format_change(0.012, "share", "en") == "+1.2\u00a0pp"
    assert i18n.format_change(0.0001, "share", "sv") == "0,0\u00a0p.e."


def test_months_and_timestamps() -> None:
    assert i18n.format_month("2025-03", "sv") == "mar 2025"
    assert i18n.format_month("2025-05", "en") == "May 2025"
    assert i18n.format_timestamp(datetime(2025, 4, 1, 6, 0), "sv") == "2025-04-01 06:00"


def test_every_channel_and_care_service_has_a_label() -> None:
    for code in CHANNEL_LABEL_SV:
        assert i18n.code_label("channel", code, "sv") and i18n.code_label("channel", code, "en")
    assert i18n.code_label("care_service", "LAKARBESOK", "sv") == "Läkarbesök"
    assert i18n.code_label("lead_time_band", "unknown", "en") == "Unknown"
    assert i18n.code_label("reason", "not-a-code", "sv") == "not-a-code"


def test_lead_time_bands_sort_in_time_order() -> None:
    bands = ["more_than_28_days", "same_day", "8_to_14_days"]
    ordered = sorted(bands, key=lambda b: i18n.code_sort_key("lead_time_band", b))
    assert ordered == ["same_day", "8_to_14_days", "more_than_28_days"]


def trend_data() -> pd.DataFrame:
    return pd.DataFrame({
        "month": pd.to_datetime(["2025-01-01", "2025-02-01"]), "period": ["2025-01", "2025-02"],
        "series": ["Telefon", "Telefon"], "value": [0.06, 0.05],
        "value_label": ["6,0\u00a0%", "5,0\u00a0%"]})


def test_charts_follow_the_language_and_an_accessible_palette() -> None:
    swedish = figures.trend_chart(trend_data(), series="series", series_title="Kanal",
                                  value_title="Andel", unit="share", lang="sv").to_dict()
    assert swedish["config"]["locale"]["number"]["decimal"] == ","
    assert swedish["config"]["range"]["category"] == figures.PALETTE
    english = figures.trend_chart(trend_data(), series="series", series_title="Channel",
                                  value_title="Share", unit="share", lang="en").to_dict()
    assert "locale" not in english.get("config", {})


def test_the_tile_map_places_every_region() -> None:
    codes = ["01", "03", "04", "05", "06", "07", "08", "09", "10", "12", "13", "14", "17", "18",
             "19", "20", "21", "22", "23", "24", "25"]
    assert sorted(figures.REGION_TILES) == codes
    assert len(set(figures.REGION_TILES.values())) == len(codes)
    data = pd.DataFrame({"region": codes, "region_name": codes, "value": range(21),
                         "value_label": [str(v) for v in range(21)]})
    spec = figures.tile_map(data, value_title="Andel", unit="share", lang="sv").to_dict()
    assert len(spec["layer"]) == 3
