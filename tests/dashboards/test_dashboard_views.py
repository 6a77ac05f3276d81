"""The dashboards' own reads in the query layer (tidbok.serving.dashboard_views)."""

import pytest

from tidbok.serving import (
    PUBLIC,
    NotYetPublished,
    OutOfScope,
    Scope,
    metric_values,
)
from tidbok.serving import dashboard_views as views


def test_detail_cuts_are_served_controlled(dashboard_home) -> None:
    rows = metric_values("no_show_rate", "25", by=("reminder",))
    assert rows and {row["reminder"] for row in rows} <= {"sms", "eservice", "none", "not_reported"}
    for row in rows:
        for part in ("numerator", "denominator"):
            assert row[part] is None or row[part] % 5 == 0
    assert any(row["suppressed"] for row in rows)  # Norrbotten is tiny


def test_own_region_detail_cuts_are_uncontrolled(dashboard_home) -> None:
    rows = metric_values("no_show_rate", "25", by=("age_band",), scope=Scope.parse("region:25"))
    assert not any(row["suppressed"] for row in rows)
    assert any(row["denominator"] % 5 for row in rows)


def test_units_are_refused_to_the_public(dashboard_home) -> None:
    with pytest.raises(OutOfScope):
        metric_values("digital_booking_share", "13", by=("unit",), scope=PUBLIC)


def test_cut_dimensions_list_the_detail_marts_too(dashboard_home) -> None:
    cuts = views.cut_dimensions("no_show_rate")
    assert cuts[0] == "channel" and {"reminder", "lead_time_band", "care_service"} <= set(cuts)


def test_periods_go_live_and_status(dashboard_home) -> None:
    assert views.period_range() == ("2024-10", "2025-03")
    live = views.go_live_months()
    assert live["00"] == "2024-10" and set(live) >= {"01", "13"}
    status = views.metric_status()
    assert status["no_show_rate"] == {"published": True, "latest_period": "2025-03"}
    assert status["calendar_sync_share"] == {"published": False, "latest_period": None}


def test_reference_and_data_quality_tables(dashboard_home) -> None:
    parameters = views.estimate_parameters()
    assert {"resident_minutes_per_call", "km_per_trip"} <= {p["parameter"] for p in parameters}
    assert views.unit_names("13")["SE2321000115-E0001"] == "Vårdcentral Halland 1"
    assert {row["reason"] for row in views.quarantine_summary("13")} == {
        "Personnummer: invalid check digit", "Starttid: not a timestamp"}
    checks = views.check_results()
    assert checks[0]["status"] == "warn"  # failed and warned checks first
    assert {row["feed"] for row in views.feed_freshness()} == {"booking_csv", "telephony",
                                                               "eservice_events"}
    assert views.parameters_of("phone_minutes_saved_staff") == (
        "call_equivalence_factor", "staff_handling_minutes_per_call")


def test_tables_not_published_yet_say_so(serving_file) -> None:
    for read in (views.quarantine_summary, views.check_results, views.estimate_parameters):
        with pytest.raises(NotYetPublished):
            read()
    assert views.unit_names("13") == {}
