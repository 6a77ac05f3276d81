"""The aggregator API in-process (TestClient): shapes, filters and problem+json errors."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from aggregator_api.app import create_app
from aggregator_api.schemas import MetricValueRow
from tidbok.serving import METRICS

VALUES = "/v1/metrics/no_show_rate/values"


@pytest.fixture
def client() -> TestClient:
    return TestClient(create_app())


def test_values_without_by_one_row_per_region_and_month(
    client: TestClient, serving_file: Path
) -> None:
    response = client.get(VALUES, params={"region": "13", "from": "2025-01", "to": "2025-03"})
    assert response.status_code == 200
    body = response.json()
    assert body["metric"] == "no_show_rate"
    assert body["published"] == {"version": "sample-1", "published_at": "2025-04-01T06:00:00"}
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


def test_values_by_channel(client: TestClient, serving_file: Path) -> None:
    response = client.get(VALUES + "?region=13&from=2025-03&to=2025-03&by=channel")
    assert response.status_code == 200
    rows = response.json()["rows"]
    assert [r["channel"] for r in rows] == ["eservice", "front_desk", "phone"]


def test_suppressed_cells_are_served_as_nulls(client: TestClient, serving_file: Path) -> None:
    rows = client.get(VALUES, params={"region": "25", "by": "channel"}).json()["rows"]
    hidden = [r for r in rows if r["suppressed"]]
    assert hidden and all(r["value"] is None and r["numerator"] is None for r in hidden)


def test_all_regions_when_no_region_is_given(client: TestClient, serving_file: Path) -> None:
    rows = client.get(VALUES, params={"from": "2025-02", "to": "2025-02"}).json()["rows"]
    assert [r["region"] for r in rows] == ["01", "13", "25"]


@pytest.mark.parametrize(
    ("url", "status", "problem"),
    [
        ("/v1/metrics/no_shows/values", 404, "unknown-metric"),
        (VALUES + "?from=2025-3", 422, "invalid-period"),
        (VALUES + "?from=2025-03&to=2025-01", 422, "invalid-period"),
        (VALUES + "?region=1", 422, "invalid-region"),
        (VALUES + "?region=02", 422, "invalid-region"),
        (VALUES + "?by=age_band", 422, "unknown-dimension"),
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
    response = client.get(VALUES)
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "urn:tidbok:problem:not-published"
    assert str(tidbok_home) not in body["detail"]


def test_healthz_before_and_after_a_publish(client: TestClient, tidbok_home: Path) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "published": False, "version": None}
    from tidbok import config
    from tidbok.serving.sample import write_serving_file

    write_serving_file(config.serving_path(), version="v2")
    assert client.get("/healthz").json() == {"status": "ok", "published": True, "version": "v2"}


def test_openapi_documents_values_and_problems(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    operation = document["paths"]["/v1/metrics/{metric_id}/values"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {
        "metric_id",
        "region",
        "from",
        "to",
        "by",
    }
    for status in ("404", "422", "503"):
        content = operation["responses"][status]["content"]
        assert list(content) == ["application/problem+json"]
    assert "Problem" in document["components"]["schemas"]
    assert client.get("/docs").status_code == 200


def test_every_registry_dimension_has_a_response_field() -> None:
    for spec in METRICS.values():
        assert set(spec.dimensions) <= set(MetricValueRow.model_fields)
