"""Totals over a period, change since go-live, and estimates with other assumptions."""

import pandas as pd
import pytest

from dashboards.estimates import current_defaults, rescale, scale_factor
from dashboards.summaries import change_since_go_live, period_totals


def months(values, denominators=None) -> pd.DataFrame:
    periods = [f"2025-{m:02d}" for m in range(1, len(values) + 1)]
    denominators = denominators or [100] * len(values)
    return pd.DataFrame({"period": periods, "value": values, "numerator": None,
                         "denominator": denominators})


def test_ratio_totals_add_served_parts_and_skip_withheld_cells() -> None:
    served = pd.DataFrame({
        "region": ["01", "01", "25"], "channel": ["phone", "eservice", "phone"],
        "numerator": pd.array([10, 30, None], dtype="Float64"),
        "denominator": pd.array([100, 200, None], dtype="Float64"),
        "value": pd.array([0.1, 0.15, None], dtype="Float64"),
    })
    totals = period_totals(served, [], "ratio")
    assert totals["value"].iloc[0] == pytest.approx(40 / 300)
    by_region = period_totals(served, [], "ratio", per_region=True).set_index("region")
    assert pd.isna(by_region.loc["25", "value"])


def test_one_cell_keeps_its_exact_served_rate() -> None:
    served = pd.DataFrame({"numerator": [10.0], "denominator": [15.0], "value": [0.667]})
    assert period_totals(served, [], "ratio")["value"].iloc[0] == 0.667


def test_medians_are_never_mixed_with_percentiles() -> None:
    served = pd.DataFrame({"statistic": ["median", "p90"], "value": [4.0, 20.0]})
    assert period_totals(served, [], "none")["value"].iloc[0] == 4.0


def test_change_against_the_months_before_go_live() -> None:
    change = change_since_go_live(months([0.10, 0.10, 0.10, 0.08, 0.07, 0.06]), "2025-04")
    assert change.since_go_live and change.before_periods == ("2025-01", "2025-02", "2025-03")
    assert change.change == pytest.approx(0.07 - 0.10)
    assert change.before_label("sv") == "jan 2025–mar 2025"


def test_change_against_the_start_when_go_live_is_unknown_or_too_early() -> None:
    assert not change_since_go_live(months([0.2, 0.1, 0.1, 0.1]), None).since_go_live
    change = change_since_go_live(months([0.2, 0.1, 0.1]), "2024-01")
    assert not change.since_go_live and change.before_periods == ("2025-01",)
    assert change_since_go_live(months([0.2]), None) is None


def parameters() -> pd.DataFrame:
    return pd.DataFrame([
        ("call_equivalence_factor", None, "booking", 1.0, "2000-01-01", 1),
        ("call_equivalence_factor", None, "cancellation", 0.8, "2000-01-01", 1),
        ("resident_minutes_per_call", None, None, 9.0, "2000-01-01", 1),
        ("resident_minutes_per_call", None, None, 10.0, "2024-01-01", 2),
        ("resident_minutes_per_call", None, None, 99.0, "2999-01-01", 1),
        ("km_per_trip", "01", None, 12.0, "2000-01-01", 1),
    ], columns=["parameter", "region_code", "qualifier", "value", "valid_from", "version"])


def test_defaults_are_the_latest_valid_national_values() -> None:
    defaults = current_defaults(parameters(), ["call_equivalence_factor",
                                               "resident_minutes_per_call", "km_per_trip"])
    assert defaults == {("call_equivalence_factor", "booking"): 1.0,
                        ("call_equivalence_factor", "cancellation"): 0.8,
                        ("resident_minutes_per_call", None): 10.0}


def test_estimates_rescale_per_action() -> None:
    published = current_defaults(parameters(), ["call_equivalence_factor",
                                                "resident_minutes_per_call"])
    adjusted = {**published, ("resident_minutes_per_call", None): 20.0,
                ("call_equivalence_factor", "cancellation"): 0.4}
    used = ["call_equivalence_factor", "resident_minutes_per_call"]
    assert scale_factor(used, "booking", published, adjusted) == pytest.approx(2.0)
    assert scale_factor(used, "cancellation", published, adjusted) == pytest.approx(1.0)
    frame = pd.DataFrame({"action": ["booking", "cancellation", "booking"],
                          "value": pd.array([100.0, 50.0, None], dtype="Float64")})
    rescaled = rescale(frame, used, published, adjusted, "action")
    assert rescaled.iloc[0] == 200.0 and rescaled.iloc[1] == 50.0 and pd.isna(rescaled.iloc[2])
