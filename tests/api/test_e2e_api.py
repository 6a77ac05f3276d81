"""`tidbok serve api` over the demo data: the real pipeline's serving file and catalogue.

Slow (the session's published tiny world, `published_world` in tests/conftest.py, is
simulated and built once per session), so marked e2e. TIDBOK_E2E_HOME=<a published home>
reuses one; it is only read.
"""

from __future__ import annotations

import json
import os
import signal
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
    keys_file: Path


@pytest.fixture(scope="module")
def demo(published_world: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """`tidbok serve api` over the session's published tiny world (tests/conftest.py),
    which it must not change: keys and the server log live in a folder of its own."""
    home = published_world
    work = tmp_path_factory.mktemp("api-e2e")
    keys_file = work / "secrets" / "api_keys.json"
    env = {k: v for k, v in os.environ.items() if k != CATALOGUE_DIR_ENV}  # the real one
    env.update(
        TIDBOK_HOME=str(home), TIDBOK_API_KEYS_FILE=str(keys_file), TIDBOK_API_RATE_LIMIT="0"
    )
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
    log = work / "api-e2e.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "tidbok.cli", "serve", "api", "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            # `tidbok serve api` runs uvicorn as its child: a group of their own, so that
            # stopping the group stops the server too, not only the command.
            start_new_session=True,
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
        yield Demo(home, url, keys, keys_file)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        deadline = time.monotonic() + 15
        while _group_alive(server.pid) and time.monotonic() < deadline:
            time.sleep(0.1)  # uvicorn shuts down after the command that started it
        if _group_alive(server.pid):
            os.killpg(server.pid, signal.SIGKILL)


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


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
                # A statistic per care unit cannot be re-aggregated: unit level only, which
                # is not public.
                unit_level = metric["aggregation"] == "none" and "unit" in metric["dimensions"]
                if metric["published"] and metric["family"] != "F":
                    expected = 403 if unit_level else 200
                    assert response.status_code == expected, (metric["id"], params, response.text)
                if metric["disclosure"] != "people":
                    continue  # about units or systems, not people: served as it is
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
    text = demo.keys_file.read_text()
    assert all(key not in text for key in demo.keys.values())
    assert json.loads(text)["keys"]
