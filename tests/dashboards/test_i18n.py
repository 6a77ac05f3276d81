"""Swedish and English strings and number formats."""

from datetime import datetime

import pandas as pd

from dashboards import i18n
from dashboards.no_show_figures import display_table, labelled, trend_chart
from tidbok.codes import CHANNEL_LABEL_SV


def test_every_string_exists_in_both_languages() -> None:
    for key, texts in i18n._STRINGS.items():
        assert set(texts) == set(i18n.LANGUAGES), key


def test_swedish_percent_has_decimal_comma_and_space() -> None:
    assert i18n.format_percent(0.046, "sv") == "4,6\u00a0%"
    assert i18n.format_percent(0.046, "en") == "4.6%"
    assert i18n.format_percent(None, "sv") == ".."


def test_counts_group_thousands_per_language() -> None:
    assert i18n.format_count(12345, "sv") == "12\u00a0345"
    assert i18n.format_count(12345, "en") == "12,345"
    assert i18n.format_count(None, "en") == ".."


def test_timestamps_are_iso_in_both_languages() -> None:
    assert i18n.format_timestamp(datetime(2025, 4, 1, 6, 0), "sv") == "2025-04-01 06:00"


def test_every_channel_has_a_label() -> None:
    for code in CHANNEL_LABEL_SV:
        assert i18n.channel_label(code, "sv") and i18n.channel_label(code, "en")


def served_frame() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ("2025-01", "13", "phone", 15, 240, 0.062, False, True),
            ("2025-01", "13", "eservice", None, 300, None, True, True),
        ],
        columns=[
            "period",
            "region",
            "channel",
            "numerator",
            "denominator",
            "value",
            "suppressed",
            "rounded",
        ],
    )


def test_table_formats_figures_and_marks_withheld_cells() -> None:
    table = display_table(labelled(served_frame(), "sv", {"13": "Region Halland"}), "sv")
    assert table.to_dict("records") == [
        {
            "Månad": "2025-01",
            "Region": "Region Halland",
            "Bokningskanal": "Telefon",
            "Uteblivna besök": "15",
            "Besök (genomförda + uteblivna)": "240",
            "Andel uteblivna": "6,2\u00a0%",
        },
        {
            "Månad": "2025-01",
            "Region": "Region Halland",
            "Bokningskanal": "1177 (digitalt)",
            "Uteblivna besök": "..",
            "Besök (genomförda + uteblivna)": "300",
            "Andel uteblivna": "..",
        },
    ]


def test_chart_follows_the_language() -> None:
    frame = labelled(served_frame(), "sv", {"13": "Region Halland"})
    swedish = trend_chart(frame, "sv").to_dict()
    assert swedish["config"]["locale"]["number"]["decimal"] == ","
    assert swedish["encoding"]["color"]["field"] == "channel_name"
    english = trend_chart(labelled(served_frame(), "en", {}), "en").to_dict()
    assert "locale" not in english.get("config", {})
