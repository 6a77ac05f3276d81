"""The API serves the catalogue as it is (dbt/catalogue/), generically: every `available`
metric from its mart, `planned` ones and effect estimates (family F) listed with their status
and never an error, and a metric catalogued while the server runs served with no code change.

The serving file is shaped from the catalogue alone (tidbok.serving.sample.
write_catalogue_serving_file): a mart per available metric, nothing per metric in code.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import yaml
from fastapi.testclient import TestClient

from aggregator_api.app import create_app
from aggregator_api.keys import KeyStore
from aggregator_api.settings import Settings
from tests.api.conftest import bearer
from tidbok import catalogue as catalogue_files
from tidbok import config
from tidbok.serving import SERVING_FILES
from tidbok.serving.registry import CATALOGUE_DIR_ENV, UNIT_DIMENSION
from tidbok.serving.sample import write_catalogue_serving_file

REAL_CATALOGUE = catalogue_files.CATALOGUE_DIR
METRICS = catalogue_files.parse_metrics(
    yaml.safe_load((REAL_CATALOGUE / "metrics.yml").read_text(encoding="utf-8")),
    catalogue_files.parse_dimensions(
        yaml.safe_load((REAL_CATALOGUE / "dimensions.yml").read_text(encoding="utf-8"))
    ),
)
SERVED = [m.id for m in METRICS if m.status == "available" and m.effect_of is None]
EFFECTS = [m.id for m in METRICS if m.effect_of is not None]


class Api:
    def __init__(self, home: Path, catalogue_dir: Path):
        self.home, self.catalogue_dir = home, catalogue_dir
        store = KeyStore(home / "secrets" / "api_keys.json")
        self.national = bearer(store.create("national", ["national"]))
        self.region = bearer(store.create("halland", ["region:13"]))
        self.client = TestClient(
            create_app(Settings(api_keys_file=store.path, rate_per_second=0, warm_switch=False))
        )

    def get(self, url: str, headers: dict[str, str] | None = None):
        return self.client.get(url, headers=headers or {})


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """The repository's catalogue, and a serving file with every available metric and
    without the effects mart (family F not built yet)."""
    home = tmp_path_factory.mktemp("real-catalogue")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TIDBOK_HOME", str(home))
        patch.setenv(CATALOGUE_DIR_ENV, str(REAL_CATALOGUE))
        write_catalogue_serving_file(config.serving_path())
        yield Api(home, REAL_CATALOGUE)
        SERVING_FILES.close_all()


@pytest.fixture(autouse=True)
def real_catalogue(monkeypatch: pytest.MonkeyPatch) -> None:
    """Overrides the sample catalogue of conftest for every test here."""
    monkeypatch.setenv(CATALOGUE_DIR_ENV, str(REAL_CATALOGUE))


@pytest.fixture(autouse=True)
def close_serving_files() -> None:
    """Keep the module's serving file open across its tests (overrides conftest's)."""


def _check_rows(body: dict, controlled: bool) -> None:
    assert body["rows"], body
    for row in body["rows"]:
        if controlled:
            assert row["rounded"] or row["suppressed"], row
            for part in ("numerator", "denominator"):
                assert row[part] is None or row[part] % 5 == 0, row
        else:
            assert not row["rounded"] and not row["suppressed"], row


@pytest.mark.parametrize("metric_id", SERVED)
def test_every_available_metric_is_served_from_the_catalogue(real: Api, metric_id: str) -> None:
    summary = real.get(f"/v1/metrics/{metric_id}").json()["metric"]
    assert summary["status"] == "available" and summary["published"] is True
    assert summary["latest_period"] is not None
    controlled = summary["disclosure"] == "people"
    own = [d for d in summary["dimensions"] if d != UNIT_DIMENSION]
    statistic = summary["aggregation"] == "none"
    unit_level = UNIT_DIMENSION in summary["dimensions"]
    base = f"/v1/metrics/{metric_id}/values"

    public = real.get(f"{base}?region=13")
    if statistic and unit_level:  # a statistic per unit is not public at all
        assert public.status_code == 403, public.json()
    else:
        assert public.status_code == 200, public.json()
        _check_rows(public.json(), controlled)
    national = real.get(f"{base}?region=25", real.national)
    assert national.status_code == 200, national.json()
    _check_rows(national.json(), controlled=False)
    if statistic:
        return  # served at its own grain and cut only, checked above
    for dimension in own:
        response = real.get(f"{base}?region=13&by={dimension}&grain=quarter")
        assert response.status_code == 200, response.json()
        assert all(dimension in row for row in response.json()["rows"])
        assert response.json()["by"] == [dimension]
    if unit_level:
        assert real.get(f"{base}?region=13&by=unit").status_code == 403
        own_units = real.get(f"{base}?region=13&by=unit", real.region)
        assert own_units.status_code == 200, own_units.json()
        _check_rows(own_units.json(), controlled=False)
        assert real.get(f"{base}?region=25&by=unit", real.region).status_code == 403
    csv = real.get(f"{base}?region=00", {"Accept": "text/csv"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("period,region,")


def test_planned_and_effect_entries_are_listed_and_never_fail(real: Api) -> None:
    listed = {m["id"]: m for m in real.get("/v1/metrics").json()["metrics"]}
    assert list(listed) == [m.id for m in METRICS]  # every entry, in catalogue order
    for metric in METRICS:
        assert listed[metric.id]["status"] == metric.status
    for metric_id in EFFECTS:  # the effects mart is not in this serving file
        assert listed[metric_id]["published"] is False
        assert listed[metric_id]["latest_period"] is None
        assert real.get(f"/v1/metrics/{metric_id}").status_code == 200
        values = real.get(f"/v1/metrics/{metric_id}/values")
        assert values.status_code == 422, values.json()
        assert "/v1/effects?metric=" in values.json()["detail"]
        assert real.get(f"/v1/effects?metric={metric_id}").status_code == 409
    csv = real.get("/v1/metrics", {"Accept": "text/csv"})
    assert csv.status_code == 200 and len(csv.text.splitlines()) == len(METRICS) + 1
    fresh = real.get("/v1/freshness")
    assert fresh.status_code == 200, fresh.json()
    by_id = {m["metric"]: m for m in fresh.json()["metrics"]}
    assert set(by_id) == {m.id for m in METRICS}
    assert all(by_id[m]["published"] and by_id[m]["latest_period"] for m in SERVED)
    assert all(by_id[m]["status"] == listed[m]["status"] for m in by_id)


@pytest.mark.parametrize("month_column", [None, "INTEGER"], ids=["no_month", "integer_month"])
def test_effect_entries_with_the_effects_mart_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, month_column: str | None
) -> None:
    """The bug: marts.effect_estimates has no period column (or a `month` that is not a
    date), yet the F entries name it as their mart and `month` as their grain; freshness
    and the catalogue must list them, not fail on it."""
    monkeypatch.setenv("TIDBOK_HOME", str(tmp_path))
    serving = write_catalogue_serving_file(config.serving_path(), effects=True)
    if month_column:
        building = tmp_path / "building.duckdb"
        shutil.copyfile(serving, building)
        con = duckdb.connect(str(building))
        con.execute(f"ALTER TABLE marts.effect_estimates ADD COLUMN month {month_column}")
        con.execute("UPDATE marts.effect_estimates SET month = relative_month")
        con.close()
        os.replace(building, serving)
    api = Api(tmp_path, REAL_CATALOGUE)
    try:
        for url in ("/v1/freshness", "/v1/metrics", "/readyz", "/v1/effects"):
            assert api.get(url).status_code == 200, (url, api.get(url).json())
        fresh = {m["metric"]: m for m in api.get("/v1/freshness").json()["metrics"]}
        for metric_id in EFFECTS:
            assert fresh[metric_id]["published"] is True
            assert fresh[metric_id]["latest_period"] is None
            detail = api.get(f"/v1/metrics/{metric_id}").json()["metric"]
            assert detail["published"] is True and detail["status"] in ("planned", "available")
            estimates = api.get(f"/v1/effects?metric={metric_id}").json()["estimates"]
            effect_of = next(m.effect_of for m in METRICS if m.id == metric_id)
            assert estimates and {e["metric"] for e in estimates} == {effect_of}
    finally:
        SERVING_FILES.close_all()


NEW_METRIC = {
    "id": "newly_catalogued_share",
    "family": "E",
    "headline": False,
    "status": "available",
    "name": {"sv": "Ny andel", "en": "New share"},
    "definition": {"sv": "Ett nytt mått.", "en": "A new metric."},
    "unit": "share",
    "direction": "higher_is_better",
    "aggregation": "ratio",
    "time_grain": "day",
    "dimensions": ["newly_catalogued_kind", "unit"],
    "evidences": {"sv": "Nyttan.", "en": "The benefit."},
    "disclosure": "people",
    "mart": "marts.newly_catalogued_share",
}
NEW_DIMENSION = {
    "name": "newly_catalogued_kind",
    "kind": "dimension",
    "column": "newly_catalogued_kind_code",
    "label": {"sv": "Ny sort", "en": "New kind"},
    "description": {"sv": "En ny dimension.", "en": "A new dimension."},
}


def test_a_metric_catalogued_while_serving_needs_no_api_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalogue_dir = tmp_path / "catalogue"
    shutil.copytree(REAL_CATALOGUE, catalogue_dir)
    monkeypatch.setenv(CATALOGUE_DIR_ENV, str(catalogue_dir))
    monkeypatch.setenv("TIDBOK_HOME", str(tmp_path / "home"))
    write_catalogue_serving_file(config.serving_path(), version="before")
    api = Api(tmp_path / "home", catalogue_dir)  # the server is up before the metric exists
    try:
        assert api.get(f"/v1/metrics/{NEW_METRIC['id']}").status_code == 404
        before = [m["id"] for m in api.get("/v1/metrics").json()["metrics"]]
        # Another engineer catalogues a new metric with a new dimension; the pipeline
        # publishes its mart. Caught half-written, the catalogue does not validate: the
        # last valid one keeps being served.
        metrics_file = catalogue_dir / "metrics.yml"
        metrics_text = metrics_file.read_text(encoding="utf-8")
        metrics_file.write_text(metrics_text[: len(metrics_text) // 2] + "\n  - {id: ", "utf-8")
        _touch(metrics_file, 1)
        half_written = api.get("/v1/metrics")
        assert half_written.status_code == 200, half_written.json()
        assert [m["id"] for m in half_written.json()["metrics"]] == before
        metrics_file.write_text(metrics_text, encoding="utf-8")
        for name, key, entry in (
            ("metrics.yml", "metrics", NEW_METRIC),
            ("dimensions.yml", "dimensions", NEW_DIMENSION),
        ):
            document = yaml.safe_load((catalogue_dir / name).read_text(encoding="utf-8"))
            document[key].append(entry)
            (catalogue_dir / name).write_text(yaml.safe_dump(document, allow_unicode=True))
            _touch(catalogue_dir / name, 2)
        write_catalogue_serving_file(config.serving_path(), version="after")

        listed = [m["id"] for m in api.get("/v1/metrics").json()["metrics"]]
        assert NEW_METRIC["id"] in listed
        base = f"/v1/metrics/{NEW_METRIC['id']}/values"
        public = api.get(f"{base}?region=13&by=newly_catalogued_kind&grain=month")
        assert public.status_code == 200, public.json()
        assert public.json()["published"]["version"] == "after"
        assert {r["newly_catalogued_kind"] for r in public.json()["rows"]} == {
            "newly_catalogued_kind_a",
            "newly_catalogued_kind_b",
        }
        _check_rows(public.json(), controlled=True)
        assert api.get(f"{base}?region=13&by=unit").status_code == 403
        units = api.get(f"{base}?region=13&by=unit", api.region)
        assert units.status_code == 200, units.json()
        _check_rows(units.json(), controlled=False)
        fresh = {m["metric"]: m for m in api.get("/v1/freshness").json()["metrics"]}
        assert fresh[NEW_METRIC["id"]]["latest_period"] == "2025-03-15"
    finally:
        SERVING_FILES.close_all()


def _touch(path: Path, seconds_later: int) -> None:
    """A distinct modification time, however coarse the file system's clock."""
    stamp = path.stat().st_mtime + seconds_later
    os.utime(path, (stamp, stamp))


def test_a_per_1000_metric_is_served_per_1000(real: Api) -> None:
    """The mart keeps rate = numerator / denominator; the catalogue's unit per_1000 makes
    the served value 1000 times that, for the API and dashboards alike."""
    metric = "booking_lookup_calls_per_1000"
    body = real.get(f"/v1/metrics/{metric}/values?by=", real.national).json()
    rows = [r for r in body["rows"] if r["denominator"]]
    assert rows, body
    for row in rows:
        assert row["value"] == pytest.approx(1000 * row["numerator"] / row["denominator"])
