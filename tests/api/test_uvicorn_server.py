"""The documented command, `uvicorn aggregator_api.app:app`, serving a real socket."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def api_url(serving_file: Path, tidbok_home: Path, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    log = tmp_path / "uvicorn.log"  # a file, not a pipe nobody drains
    with log.open("wb") as output:  # the child keeps its own handle
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "aggregator_api.app:app", "--port", str(port)],
            env={**os.environ, "TIDBOK_HOME": str(tidbok_home)},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{url}/healthz", timeout=1)
                break
            except httpx.TransportError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"uvicorn did not start:\n{log.read_text()}")
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_real_server_answers_values_and_problems(api_url: str, serving_file: Path) -> None:
    with httpx.Client(base_url=api_url, timeout=10) as http:
        assert http.get("/healthz").json()["version"] == "sample-1"

        response = http.get(
            "/v1/metrics/no_show_rate/values",
            params={"region": "13", "from": "2025-01", "to": "2025-03", "by": "channel"},
        )
        assert response.status_code == 200
        assert len(response.json()["rows"]) == 9

        problem = http.get("/v1/metrics/no_show_rate/values", params={"to": "march"})
        assert problem.status_code == 422
        assert problem.headers["content-type"] == "application/problem+json"
        assert "YYYY-MM" in problem.json()["detail"]
