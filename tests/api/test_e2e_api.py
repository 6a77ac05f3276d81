"""`tidbok serve api` over the demo data: the real pipeline's serving file and catalogue.

Slow (it simulates and runs the pipeline at tiny scale once per session), so marked e2e.
Set TIDBOK_E2E_HOME to a home that `tidbok run` has published into to reuse it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import httpx
import pytest

from tests.api.test_uvicorn_server import free_port
from tidbok.serving.registry import CATALOGUE_DIR_ENV

pytestmark = pytest.mark.e2e


@dataclass
class Demo:
    home: Path
    url: str
    keys: dict[str, str]


def tidbok_cli(*args: str, env: dict, timeout: int = 3600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tidbok.cli", *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    env = {k: v for k, v in os.environ.items() if k != CATALOGUE_DIR_ENV}  # the real one
    reused = os.environ.get("TIDBOK_E2E_HOME")
    home = Path(reused) if reused else tmp_path_factory.mktemp("demo")
    env.update(TIDBOK_HOME=str(home), TIDBOK_PSEUDONYM_KEY="e2e-api-key", TIDBOK_API_RATE_LIMIT="0")
    if not (home / "serving.duckdb").exists():
        tidbok_cli("simulate", "--scale", "tiny", "--seed", "5", env=env)
        tidbok_cli("run", env=env)
    keys = {}
    for scope in ("region:13", "national"):
        created = subprocess.run(
            [
                sys.executable,
                "-m",
                "aggregator_api.keys",
                "create",
                "--scope",
                scope,
                "--name",
                f"e2e-{scope.replace(':', '-')}",
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        keys[scope] = created.stdout.strip()
    port = free_port()
    log = home / "api-e2e.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "tidbok.cli", "serve", "api", "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"tidbok serve api did not start:\n{log.read_text()}")
            time.sleep(0.3)
        yield Demo(home, url, keys)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(autouse=True)
def sample_catalogue() -> None:
    """The demo serves the real catalogue (overrides conftest's sample one)."""


@pytest.fixture(autouse=True)
def close_serving_files() -> None:
    """The server has its own process (overrides conftest's)."""


def raw(demo: Demo, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(demo.home / "serving.duckdb"), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_ready_on_the_published_version(demo: Demo) -> None:
    ready = httpx.get(f"{demo.url}/readyz").json()
    assert ready["version"] == raw(demo, "SELECT version FROM meta.publish_info")[0][0]


def test_every_catalogue_metric_answers_without_a_server_error(demo: Demo) -> None:
    with httpx.Client(base_url=demo.url, timeout=60) as http:
        catalogue = http.get("/v1/metrics").json()["metrics"]
        assert len(catalogue) > 40
        for metric in catalogue:
            cuts = [] if metric["aggregation"] == "none" else metric["dimensions"]
            for params in (
                {},
                {"region": "13"},
                {"region": "00", "grain": metric["grains"][-1]},
                *({"by": d} for d in cuts if d != "unit"),
            ):
                response = http.get(f"/v1/metrics/{metric['id']}/values", params=params)
                assert response.status_code < 500, (metric["id"], params, response.text)
                if metric["published"] and metric["family"] != "F":
                    assert response.status_code == 200, (metric["id"], params, response.text)
                for row in response.json().get("rows", []):
                    for part in ("numerator", "denominator"):
                        assert row[part] is None or not 1 <= row[part] <= 9, (metric["id"], row)


def test_curl_examples_per_scope(demo: Demo) -> None:
    """The README's examples: public, region:13 (own region per unit) and national."""
    values = "/v1/metrics/no_show_rate/values"
    public = httpx.get(f"{demo.url}{values}", params={"region": "13", "by": "channel"}).json()
    assert public["scope"] == "public" and all(
        r["rounded"] or r["suppressed"] for r in public["rows"]
    )
    region = {"Authorization": f"Bearer {demo.keys['region:13']}"}
    own = httpx.get(
        f"{demo.url}{values}", params={"region": "13", "by": "channel"}, headers=region
    ).json()
    truth = {
        (period, channel): (n, d)
        for period, channel, n, d in raw(
            demo,
            "SELECT strftime(month, '%Y-%m'), booking_channel, sum(numerator), "
            "sum(denominator) FROM marts.no_show_rate WHERE region_code = '13' "
            "GROUP BY ALL",
        )
    }
    assert {
        (r["period"], r["channel"]): (r["numerator"], r["denominator"]) for r in own["rows"]
    } == truth
    units = httpx.get(
        f"{demo.url}/v1/metrics/digital_booking_share/values",
        params={"region": "13", "by": "unit"},
        headers=region,
    )
    assert units.status_code == 200 and units.json()["rows"]
    other = httpx.get(
        f"{demo.url}/v1/metrics/digital_booking_share/values",
        params={"region": "01", "by": "unit"},
        headers=region,
    )
    assert other.status_code == 403
    national = {"Authorization": f"Bearer {demo.keys['national']}"}
    every = httpx.get(
        f"{demo.url}/v1/metrics/digital_booking_share/values",
        params={"by": "unit", "grain": "year"},
        headers=national,
    ).json()
    assert len({r["region"] for r in every["rows"]}) > 10
    csv = httpx.get(
        f"{demo.url}{values}",
        params={"region": "00", "grain": "quarter"},
        headers={"Accept": "text/csv"},
    )
    assert csv.text.startswith("period,region,numerator,denominator,value,suppressed,rounded")


def test_public_cells_hold_against_subtraction(demo: Demo) -> None:
    """On the real figures: within each served region-month, channels are never the only
    suppressed part of their served total."""
    rows = httpx.get(f"{demo.url}/v1/metrics/no_show_rate/values", params={"by": "channel"}).json()[
        "rows"
    ]
    totals = {
        (r["period"], r["region"]): r
        for r in httpx.get(f"{demo.url}/v1/metrics/no_show_rate/values").json()["rows"]
    }
    for (period, region), total in totals.items():
        parts = [r for r in rows if (r["period"], r["region"]) == (period, region)]
        for part in ("numerator", "denominator"):
            hidden = [r for r in parts if r[part] is None]
            if total[part] is not None:
                assert len(hidden) != 1, (period, region, part)


def test_keys_file_holds_no_key(demo: Demo) -> None:
    text = (demo.home / "secrets" / "api_keys.json").read_text()
    assert all(key not in text for key in demo.keys.values())
    assert json.loads(text)["keys"]
