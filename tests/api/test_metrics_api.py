"""The API in-process (TestClient): catalogue, values, coverage, effects, status, problems."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tidbok import config

VALUES = "/v1/metrics/no_show_rate/values"


def test_values_without_by_one_row_per_region_and_month(
    client: TestClient, serving_file: Path
) -> None:
    response = client.get(VALUES, params={"region": "13", "from": "2025-01", "to": "2025-03"})
    assert response.status_code == 200
    body = response.json()
    assert (body["metric"], body["grain"], body["by"], body["scope"]) == (
        "no_show_rate",
        "month",
        [],
        "public",
    )
    assert body["published"] == {"version": "sample-1", "published_at": "2025-04-01T06:00:00+00:00"}
    assert [(r["region"], r["period"]) for r in body["rows"]] == [
        ("13", "2025-01"),
        ("13", "2025-02"),
        ("13", "2025-03"),
    ]
    row = body["rows"][0]
    assert "channel" not in row  # not cut by channel: the field is left out, not null
    assert set(row) == {
        "period",
        "region",
        "numerator",
        "denominator",
        "value",
        "suppressed",
        "rounded",
    }
    assert row["numerator"] % 5 == 0 and row["rounded"] is True


def test_values_by_channel_and_by_two_dimensions(client: TestClient, serving_file: Path) -> None:
    rows = client.get(VALUES + "?region=13&from=2025-03&to=2025-03&by=channel").json()["rows"]
    assert [r["channel"] for r in rows] == ["eservice", "front_desk", "phone"]
    body = client.get(VALUES, params={"region": "01", "by": "reminder"}).json()
    assert body["by"] == ["reminder"] and {r["reminder"] for r in body["rows"]} == {"sms", "none"}
    pair = client.get(
        "/v1/metrics/digital_booking_share/values",
        params={"region": "01", "by": ["contact_type", "care_service"]},
    ).json()
    assert pair["by"] == ["care_service", "contact_type"]
    assert len(pair["rows"]) == 3 * 4
    refused = client.get(VALUES, params={"by": "reminder,channel"})
    assert refused.status_code == 403 and "only to region scopes" in refused.json()["detail"]


def test_quarter_year_and_national(client: TestClient, serving_file: Path) -> None:
    rows = client.get(VALUES, params={"region": "00", "grain": "quarter"}).json()["rows"]
    assert [(r["region"], r["period"]) for r in rows] == [("00", "2025-Q1")]
    rows = client.get(VALUES, params={"grain": "year"}).json()["rows"]
    assert [(r["region"], r["period"]) for r in rows] == [
        ("01", "2025"),
        ("13", "2025"),
        ("25", "2025"),
    ]


def test_suppressed_cells_are_served_as_nulls(client: TestClient, serving_file: Path) -> None:
    rows = client.get(VALUES, params={"region": "25", "by": "channel"}).json()["rows"]
    hidden = [r for r in rows if r["suppressed"]]
    assert hidden and all(r["value"] is None and r["numerator"] is None for r in hidden)


def test_all_regions_when_no_region_is_given(client: TestClient, serving_file: Path) -> None:
    rows = client.get(VALUES, params={"from": "2025-02", "to": "2025-02"}).json()["rows"]
    assert [r["region"] for r in rows] == ["01", "13", "25"]


def test_every_catalogue_metric_is_listed_published_or_not(
    client: TestClient, serving_file: Path
) -> None:
    body = client.get("/v1/metrics").json()
    listed = {m["id"]: m for m in body["metrics"]}
    assert listed["no_show_rate"]["published"] is True
    assert listed["no_show_rate"]["latest_period"] == "2025-03"
    assert listed["no_show_rate"]["dimensions"] == ["channel", "reminder"]
    assert listed["wasted_slot_rate"]["published"] is False
    assert listed["wasted_slot_rate"]["latest_period"] is None
    assert listed["lead_time_days"]["grains"] == ["month"]
    detail = client.get("/v1/metrics/no_show_rate").json()["metric"]
    assert detail["definition"]["sv"] and detail["definition"]["en"]
    assert [d["name"] for d in detail["dimension_labels"]] == ["channel", "reminder"]
    assert detail["dimension_labels"][0]["label"] == {
        "sv": "Bokningskanal",
        "en": "Booking channel",
    }


def test_not_yet_published_values_are_a_409_problem(client: TestClient, serving_file: Path) -> None:
    response = client.get("/v1/metrics/wasted_slot_rate/values")
    assert response.status_code == 409
    assert response.json()["type"] == "urn:tidbok:problem:not-yet-published"
    assert "wasted_slot_rate" in response.json()["detail"]


def test_coverage_effects_freshness_ledger_regions(client: TestClient, serving_file: Path) -> None:
    coverage = client.get("/v1/coverage").json()
    assert coverage["level"] == "region"
    entry = coverage["metrics"][0]
    assert (entry["metric"], entry["period"], entry["by"]) == (
        "units_connected_share",
        "2025-03",
        ["service"],
    )
    assert {r["region"] for r in entry["rows"]} == {"01", "13", "25"}
    effects = client.get("/v1/effects", params={"metric": "no_show_rate", "region": "00"}).json()
    overall = effects["estimates"][0]
    assert overall["relative_month"] is None and overall["ci_low"] < overall["estimate"]
    assert [e["relative_month"] for e in effects["estimates"][1:]] == [-2, -1, 0, 1, 2]
    fresh = client.get("/v1/freshness").json()
    assert {m["metric"]: m["latest_period"] for m in fresh["metrics"]}[
        "source_latency_p95_ms"
    ] == "2025-01-05"
    assert fresh["feeds"][0]["feed"] == "booking_csv"
    ledger = client.get("/v1/ledger", params={"region": "13"}).json()["rows"]
    assert ledger == [
        {
            "feed": "booking_csv",
            "region": "13",
            "files": 90,
            "files_rejected": 0,
            "rows_read": 5000,
            "rows_loaded": 4990,
            "rows_quarantined": 10,
            "reconciled": True,
            "last_received_at": "2025-04-01T02:00:00",
        }
    ]
    assert [r["code"] for r in client.get("/v1/regions").json()["regions"]] == ["01", "13", "25"]


def test_tables_of_other_teams_not_published_yet_are_409(
    client: TestClient, tidbok_home: Path, sample_files
) -> None:
    sample_files(config.serving_path(), extra_marts=False)
    for url in ("/v1/coverage", "/v1/effects", "/v1/ledger"):
        response = client.get(url)
        assert response.status_code == 409, url
        assert response.json()["type"] == "urn:tidbok:problem:not-yet-published"
    assert client.get("/v1/freshness").json()["feeds"] is None  # falls back to publish_info


@pytest.mark.parametrize(
    ("url", "status", "problem"),
    [
        ("/v1/metrics/no_shows/values", 404, "unknown-metric"),
        ("/v1/metrics/no_shows", 404, "unknown-metric"),
        ("/v1/effects?metric=no_shows", 404, "unknown-metric"),
        (VALUES + "?from=2025-3", 422, "invalid-period"),
        (VALUES + "?to=2025-02-30", 422, "invalid-period"),
        (VALUES + "?from=2025-03&to=2025-01", 422, "invalid-period"),
        (VALUES + "?region=1", 422, "invalid-region"),
        (VALUES + "?region=02", 422, "invalid-region"),
        ("/v1/ledger?region=Halland", 422, "invalid-region"),
        (VALUES + "?by=age_band", 422, "unknown-dimension"),
        (VALUES + "?grain=week", 422, "invalid-request"),
        (VALUES + "?limit=0", 422, "invalid-request"),
        ("/v1/metrics/lead_time_days/values?grain=year", 422, "invalid-query"),
        ("/v1/metrics/no_show_rate_go_live_effect/values", 422, "invalid-query"),
        ("/v1/coverage?level=unit", 403, "out-of-scope"),
    ],
)
def test_errors_are_problem_json_with_actionable_detail(
    client: TestClient, serving_file: Path, url: str, status: int, problem: str
) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == f"urn:tidbok:problem:{problem}"
    assert body["status"] == status
    assert body["title"] and body["detail"]
    assert body["instance"] == url.split("?")[0]


def test_unknown_paths_are_problem_json_too(client: TestClient) -> None:
    response = client.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "Not Found"


def test_nothing_published_is_503_without_server_paths(
    client: TestClient, tidbok_home: Path
) -> None:
    for url in (VALUES, "/readyz"):
        response = client.get(url)
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert body["type"] == "urn:tidbok:problem:not-published"
        assert str(tidbok_home) not in body["detail"]


def test_healthz_and_readyz_before_and_after_a_publish(
    client: TestClient, tidbok_home: Path, sample_files
) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "published": False, "version": None}
    sample_files(config.serving_path(), version="v2")
    assert client.get("/healthz").json() == {"status": "ok", "published": True, "version": "v2"}
    assert client.get("/readyz").json()["version"] == "v2"


def test_openapi_documents_values_and_problems(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    operation = document["paths"]["/v1/metrics/{metric_id}/values"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {
        "metric_id",
        "region",
        "from",
        "to",
        "by",
        "grain",
        "limit",
        "offset",
        "format",
    }
    for status in ("401", "403", "404", "406", "409", "422", "429", "503"):
        content = operation["responses"][status]["content"]
        assert list(content) == ["application/problem+json"]
    assert set(operation["responses"]["200"]["content"]) == {"application/json", "text/csv"}
    row = document["components"]["schemas"]["MetricValueRow"]["properties"]
    assert {"channel", "reminder", "unit", "period", "region"} <= set(row)
    assert "Problem" in document["components"]["schemas"]
    assert client.get("/docs").status_code == 200


def test_effects_by_the_effect_entry_or_its_metric(client: TestClient, serving_file: Path) -> None:
    by_metric = client.get("/v1/effects", params={"metric": "no_show_rate"}).json()["estimates"]
    by_entry = client.get("/v1/effects", params={"metric": "no_show_rate_go_live_effect"})
    assert by_metric and by_entry.json()["estimates"] == by_metric
