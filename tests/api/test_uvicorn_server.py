"""The live server: `tidbok serve api`'s command on a real socket, with a real HTTP client.

It keeps answering, each answer whole from one published version, while versions are
published underneath it.
"""

import os
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
import pytest

from aggregator_api.keys import KeyStore
from tidbok.cli import serve_command
from tidbok.serving.registry import CATALOGUE_DIR_ENV

VALUES = "/v1/metrics/no_show_rate/values"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rows_of(version: int) -> list[tuple]:
    """A serving file whose figures say which version it is: 100 * version no-shows."""
    return [
        (region, date(2025, 1, 1), "eservice", 100 * version, 100_000)
        for region in ("01", "13", "25")
    ]


@dataclass
class Server:
    url: str
    serving: Path
    keys: dict[str, str]


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory,
    sample_files: Callable[..., Path],
    catalogue_dir: Path,
) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("live")
    serving = sample_files(home / "serving.duckdb")
    store = KeyStore(home / "secrets" / "api_keys.json")
    keys = {
        scope: store.create(scope.replace(":", "-"), [scope]) for scope in ("region:13", "national")
    }
    port = free_port()
    log = home / "uvicorn.log"  # a file, not a pipe nobody drains
    env = {
        **os.environ,
        "TIDBOK_HOME": str(home),
        CATALOGUE_DIR_ENV: str(catalogue_dir),
        "TIDBOK_API_RATE_LIMIT": "0",
    }
    with log.open("wb") as output:  # the child keeps its own handle
        process = subprocess.Popen(
            serve_command("api", port), env=env, stdout=output, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{url}/healthz", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"uvicorn did not start:\n{log.read_text()}")
                time.sleep(0.2)
        yield Server(url, serving, keys)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(autouse=True)
def close_serving_files() -> None:
    """The server has its own process; nothing to close here (overrides conftest's)."""


def test_values_problems_and_scopes_over_http(server: Server) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as http:
        assert http.get("/healthz").json()["published"] is True
        response = http.get(
            VALUES, params={"region": "13", "from": "2025-01", "to": "2025-03", "by": "channel"}
        )
        assert response.status_code == 200
        assert len(response.json()["rows"]) == 9
        assert response.headers["etag"] and response.headers["cache-control"].startswith("public")

        problem = http.get(VALUES, params={"to": "march"})
        assert problem.status_code == 422
        assert problem.headers["content-type"] == "application/problem+json"
        assert "YYYY-MM" in problem.json()["detail"]

        units = "/v1/metrics/digital_booking_share/values"
        assert http.get(units, params={"region": "13", "by": "unit"}).status_code == 403
        own = http.get(
            units,
            params={"region": "13", "by": "unit"},
            headers={"Authorization": f"Bearer {server.keys['region:13']}"},
        )
        assert own.status_code == 200 and own.json()["scope"] == "region:13"
        csv = http.get(VALUES, params={"region": "13"}, headers={"Accept": "text/csv"})
        assert csv.text.startswith("period,region,numerator")


def test_revalidation_over_http(server: Server) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as http:
        first = http.get("/v1/regions")
        again = http.get("/v1/regions", headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304


def test_answers_stay_whole_while_versions_are_published(
    server: Server, sample_files: Callable[..., Path]
) -> None:
    errors: list[str] = []
    answered: list[int] = []
    stop = threading.Event()

    def ask() -> None:
        with httpx.Client(base_url=server.url, timeout=10) as http:
            while not stop.is_set():
                try:
                    response = http.get(
                        VALUES,
                        params={"region": "00"},
                        headers={"Authorization": f"Bearer {server.keys['national']}"},
                    )
                except httpx.HTTPError as exc:
                    errors.append(repr(exc))
                    continue
                if response.status_code != 200:
                    errors.append(f"{response.status_code}: {response.text}")
                    continue
                body = response.json()
                version = int(body["published"]["version"][1:])
                if body["rows"][0]["numerator"] != 3 * 100 * version:
                    errors.append(f"version {version} answered {body['rows']}")
                answered.append(version)

    threads = [threading.Thread(target=ask) for _ in range(3)]
    sample_files(server.serving, rows_of(1), version="v1", extra_marts=False)
    # A new version takes over once warm (the old one answers meanwhile): wait for v1.
    deadline = time.monotonic() + 30
    while httpx.get(f"{server.url}/healthz").json()["version"] != "v1":
        assert time.monotonic() < deadline, "v1 never took over"
        time.sleep(0.05)
    for thread in threads:
        thread.start()
    for version in range(2, 7):
        time.sleep(0.3)
        sample_files(server.serving, rows_of(version), version=f"v{version}", extra_marts=False)
    # The last version takes over once warm; on a loaded machine that can take seconds.
    deadline = time.monotonic() + 30
    while not answered or max(answered) != 6:
        if time.monotonic() > deadline or errors:
            break
        time.sleep(0.05)
    stop.set()
    for thread in threads:
        thread.join(30)
    assert not errors, errors[:3]
    assert len(set(answered)) >= 3 and max(answered) == 6
