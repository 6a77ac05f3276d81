"""A public viewer never receives a withheld cell; a region's own users see their units.

Three angles: every read the pages make goes to the query layer with the viewer's scope and
comes back controlled; the data behind every chart and download is served figures only; and
a planted small cell (Norrbotten, phone, October 2024: 4 no-shows of 7) is never shown.
"""

from __future__ import annotations

import pandas as pd
import pytest

from dashboards import auth, components, queries
from tests.dashboards.apptest import PAGES, open_page, texts
from tests.dashboards.serving_fixture import SENTINEL, SENTINEL_RATE_TEXTS
from tidbok.serving import PUBLIC, Scope, catalogue


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> dict[str, list]:
    """Every query-layer read of metric rows and every exported frame, as the pages make them."""
    calls: dict[str, list] = {"reads": [], "exports": []}
    real_values = queries.metric_values

    def metric_values(metric_id, *args, scope=PUBLIC, **kwargs):
        rows = real_values(metric_id, *args, scope=scope, **kwargs)
        calls["reads"].append((metric_id, scope, rows))
        return rows

    real_downloads = components.download_buttons

    def download_buttons(frame: pd.DataFrame, *args, **kwargs) -> None:
        calls["exports"].append(frame.copy())
        real_downloads(frame, *args, **kwargs)

    monkeypatch.setattr(queries, "metric_values", metric_values)
    monkeypatch.setattr(components, "download_buttons", download_buttons)
    import streamlit as st

    st.cache_data.clear()  # so that every read really happens, and is recorded
    return calls


def _is_controlled_count(count) -> bool:
    return count is None or (count == int(count) and int(count) % 5 == 0)


@pytest.mark.parametrize("page", list(PAGES))
def test_a_public_viewer_receives_only_controlled_figures(dashboard_home, recorded,
                                                          page: str) -> None:
    app = open_page(page)
    metrics = catalogue().metrics
    for metric_id, scope, rows in recorded["reads"]:
        assert scope == PUBLIC, f"{page} read {metric_id} as {scope}"
        spec = metrics[metric_id]
        if not spec.controlled:
            continue
        for row in rows:
            assert "unit" not in row, f"{page} got unit-level {metric_id}"
            for part in ("numerator", "denominator"):
                assert _is_controlled_count(row[part]), (metric_id, row)
            if spec.aggregation == "sum":
                assert _is_controlled_count(row["value"]), (metric_id, row)
            if row["suppressed"]:
                assert row["value"] is None, (metric_id, row)
    for frame in recorded["exports"]:
        if "Undertryckt" not in frame:
            continue
        # A withheld row: its value (the column before the flag) and some count are empty.
        hidden = frame[frame["Undertryckt"].fillna(False).astype(bool)]
        value = frame.columns[list(frame.columns).index("Undertryckt") - 1]
        assert hidden[value].isna().all(), frame.columns
        counts = [c for c in ("Täljare", "Nämnare") if c in frame]
        if counts:
            assert hidden[counts].isna().any(axis=1).all()
    shown = texts(app)
    for text in SENTINEL_RATE_TEXTS:
        assert f"{text}\u00a0%" not in shown and f"{text}%" not in shown


def test_the_planted_small_cell_is_withheld_everywhere_it_would_be(dashboard_home,
                                                                   recorded) -> None:
    open_page("no_shows", params={"region": SENTINEL["region"]})
    month = SENTINEL["month"].strftime("%Y-%m")
    seen = 0
    for frame in recorded["exports"]:
        if "Bokningskanal" not in frame or "Regionkod" not in frame:
            continue
        cell = frame[(frame["Regionkod"] == SENTINEL["region"]) & (frame["Period"] == month)
                     & (frame["Bokningskanal"] == "Telefon")]
        for _, row in cell.iterrows():
            seen += 1
            assert row["Undertryckt"]
            numbers = row.drop(labels=["Undertryckt"])[
                [c for c in row.index if c in ("Täljare", "Nämnare")
                 or c.startswith("Uteblivna besök (")]]
            assert numbers.isna().all(), row.to_dict()
    assert seen, "the no-show page did not show Norrbotten's phone bookings at all"


def test_units_are_not_public(dashboard_home, recorded) -> None:
    app = open_page("coverage", params={"region": "13"})
    assert any("bara för inloggade" in info.value for info in app.info)
    assert not any(row for _, _, rows in recorded["reads"] for row in rows if "unit" in row)


def test_a_region_sees_its_own_units_in_full(dashboard_home, recorded) -> None:
    user = auth.User("halland", "Analytiker Halland", Scope.parse("region:13"))
    app = open_page("coverage", params={"region": "13"}, session={auth.SESSION_KEY: user})
    assert any("Inloggad: Analytiker Halland" in c.value for c in app.sidebar.caption)
    unit_reads = [(scope, rows) for _, scope, rows in recorded["reads"]
                  if rows and "unit" in rows[0]]
    assert unit_reads and all(scope == Scope("region", "13") for scope, _ in unit_reads)
    counts = [row["denominator"] for _, rows in unit_reads for row in rows
              if row["denominator"] is not None]
    assert any(count % 5 for count in counts), "own units come uncontrolled, not rounded"
    tables = " ".join(frame.value.to_csv() for frame in app.dataframe)
    assert "Vårdcentral Halland 1" in tables
    assert "Du ser Region Halland utan röjandeskydd" in texts(app)


def test_a_region_does_not_see_another_regions_units(dashboard_home, recorded) -> None:
    user = auth.User("halland", "Analytiker Halland", Scope.parse("region:13"))
    app = open_page("coverage", params={"region": "25"}, session={auth.SESSION_KEY: user})
    assert any("bara för inloggade" in info.value for info in app.info)
    assert not any(rows and "unit" in rows[0] for _, _, rows in recorded["reads"])
