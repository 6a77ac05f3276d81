"""Chart data as files Swedish Excel opens as they are."""

import io

import pandas as pd

from dashboards import exports


def frame() -> pd.DataFrame:
    return pd.DataFrame({
        "Månad": ["2025-01", "2025-02"],
        "Region": ["Region Skåne", "Region Örebro län"],
        "Andel": pd.array([0.125, None], dtype="Float64"),
        "Antal": pd.array([12345, None], dtype="Int64"),
    })


def test_swedish_csv_has_bom_semicolons_and_decimal_comma() -> None:
    data = exports.csv_bytes(frame(), "sv")
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines() == ["Månad;Region;Andel;Antal", "2025-01;Region Skåne;0,125;12345",
                                 "2025-02;Region Örebro län;;"]


def test_english_csv_uses_commas_and_points() -> None:
    text = exports.csv_bytes(frame(), "en").decode("utf-8-sig")
    assert text.splitlines()[1] == "2025-01,Region Skåne,0.125,12345"


def test_excel_round_trips_with_withheld_cells_empty() -> None:
    back = pd.read_excel(io.BytesIO(exports.excel_bytes(frame(), "Uteblivna: besök/kanal")))
    assert list(back.columns) == ["Månad", "Region", "Andel", "Antal"]
    assert back["Antal"].iloc[0] == 12345 and pd.isna(back["Antal"].iloc[1])


def test_file_names_are_safe() -> None:
    assert exports.file_stem("no_show_rate by channel/ÅÄÖ") == "no_show_rate-by-channel"
