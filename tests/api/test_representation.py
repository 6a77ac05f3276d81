"""JSON and CSV by content negotiation, pages, ETag and Cache-Control tied to the version."""

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import ApiKeys, bearer

VALUES = "/v1/metrics/no_show_rate/values"


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("text/csv", "text/csv; charset=utf-8"),
        ("text/*", "text/csv; charset=utf-8"),
        ("application/json;q=0.5, text/csv", "text/csv; charset=utf-8"),
        ("text/csv;q=0.2, application/json;q=0.9", "application/json"),
    ],
)
def test_media_type_by_accept(
    client: TestClient, serving_file: Path, accept: str | None, media: str
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get(VALUES, params={"region": "13"}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == media


def test_csv_has_the_row_shape(client: TestClient, serving_file: Path) -> None:
    response = client.get(
        VALUES, params={"region": "25", "by": "channel"}, headers={"Accept": "text/csv"}
    )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == [
        "period",
        "region",
        "channel",
        "numerator",
        "denominator",
        "value",
        "suppressed",
        "rounded",
    ]
    json_rows = client.get(VALUES, params={"region": "25", "by": "channel"}).json()["rows"]
    assert len(rows) == len(json_rows)
    for text, row in zip(rows, json_rows, strict=True):
        assert text["numerator"] == ("" if row["numerator"] is None else str(row["numerator"]))
        assert text["suppressed"] == str(row["suppressed"]).lower()
    assert (
        client.get(VALUES, params={"format": "csv"}).headers["content-type"].startswith("text/csv")
    )


@pytest.mark.parametrize(
    "url", ["/v1/regions", "/v1/coverage", "/v1/effects", "/v1/ledger", "/v1/metrics"]
)
def test_other_tables_come_as_csv_too(client: TestClient, serving_file: Path, url: str) -> None:
    response = client.get(url, headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert len(response.text.splitlines()) > 1


def test_unacceptable_media_is_406_problem(client: TestClient, serving_file: Path) -> None:
    for url, headers in (
        (VALUES, {"Accept": "application/xml"}),
        ("/v1/freshness", {"Accept": "text/csv"}),
        (VALUES + "?format=xlsx", {}),
    ):
        response = client.get(url, headers=headers)
        assert response.status_code in (406, 422), url
        assert response.headers["content-type"] == "application/problem+json"


def test_pages_with_next_links(client: TestClient, serving_file: Path) -> None:
    everything = client.get(VALUES, params={"by": "channel"}).json()["rows"]
    first = client.get(VALUES, params={"by": "channel", "limit": 10})
    body = first.json()
    assert body["page"]["total"] == len(everything) == 27
    assert body["rows"] == everything[:10]
    assert first.headers["x-total-count"] == "27"
    assert 'rel="next"' in first.headers["link"]
    collected, url = [], body["page"]["next"]
    collected.extend(body["rows"])
    while url:
        page = client.get(url).json()
        collected.extend(page["rows"])
        url = page["page"]["next"]
    assert collected == everything
    last = client.get(VALUES, params={"by": "channel", "offset": 20, "limit": 10})
    assert "link" not in last.headers and last.json()["page"]["next"] is None


def test_etag_revalidates_until_the_next_publish(
    client: TestClient, serving_file: Path, sample_files: Callable[..., Path]
) -> None:
    first = client.get(VALUES, params={"region": "13"})
    tag = first.headers["etag"]
    assert tag.startswith('"sample-1-')
    assert first.headers["cache-control"] == "public, max-age=60, must-revalidate"
    assert first.headers["vary"] == "Accept, Authorization"
    again = client.get(VALUES, params={"region": "13"}, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.headers["etag"] == tag and not again.content
    other = client.get(VALUES, params={"region": "01"}, headers={"If-None-Match": tag})
    assert other.status_code == 200 and other.headers["etag"] != tag
    as_csv = client.get(VALUES, params={"region": "13"}, headers={"Accept": "text/csv"})
    assert as_csv.headers["etag"] != tag
    sample_files(serving_file, version="sample-2")
    after = client.get(VALUES, params={"region": "13"}, headers={"If-None-Match": tag})
    assert after.status_code == 200 and after.headers["etag"].startswith('"sample-2-')


def test_etag_differs_by_scope(client: TestClient, serving_file: Path, api_keys: ApiKeys) -> None:
    public = client.get(VALUES, params={"region": "13"}).headers["etag"]
    scoped = client.get(
        VALUES, params={"region": "13"}, headers=bearer(api_keys.by_scope["region:13"])
    )
    assert scoped.headers["etag"] != public
    refetch = client.get(
        VALUES,
        params={"region": "13"},
        headers={**bearer(api_keys.by_scope["region:13"]), "If-None-Match": public},
    )
    assert refetch.status_code == 200  # a public copy never stands in for a scoped answer
