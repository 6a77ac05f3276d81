"""Shared fixtures: every test gets its own TIDBOK_HOME and pseudonym key."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
os.environ.setdefault("DO_NOT_TRACK", "1")


@pytest.fixture
def tidbok_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("TIDBOK_HOME", str(home))
    monkeypatch.setenv("TIDBOK_PSEUDONYM_KEY", "test-key-not-secret")
    return home


@pytest.fixture
def reference_dir() -> Path:
    if not SHARED_REFERENCE.exists():
        pytest.fail(f"../shared/reference not found at {SHARED_REFERENCE}")
    return SHARED_REFERENCE


SHARED_WORLD_ENV = "TIDBOK_E2E_HOME"
SHARED_WORLD_KEY = "e2e-shared-key-not-secret"


@pytest.fixture(scope="session")
def published_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One real pipeline run shared by the read-only end-to-end tests (analysts,
    dashboards, API): `tidbok simulate --scale tiny --seed 7` (every feed) then
    `tidbok run`, in subprocesses, once per test session. Tests must not change it.
    TIDBOK_E2E_HOME=<a home with a published serving file> reuses one instead."""
    import subprocess
    import sys

    if reuse := os.environ.get(SHARED_WORLD_ENV):
        home = Path(reuse).resolve()
        if not (home / "serving.duckdb").is_file():
            pytest.fail(f"{SHARED_WORLD_ENV}={reuse} has no serving.duckdb")
        return home
    home = tmp_path_factory.mktemp("published_world")
    env = {**os.environ, "TIDBOK_HOME": str(home), "TIDBOK_PSEUDONYM_KEY": SHARED_WORLD_KEY}
    env.pop("TIDBOK_CATALOGUE_DIR", None)  # the real catalogue, not a test sample
    for step in (["simulate", "--out", str(home / "landing"), "--scale", "tiny", "--seed", "7"],
                 ["run"]):
        done = subprocess.run([sys.executable, "-m", "tidbok.cli", *step], env=env,
                              capture_output=True, text=True, timeout=3600)
        if done.returncode != 0:
            pytest.fail(f"tidbok {step[0]} failed:\n{done.stderr[-4000:]}")
    return home
