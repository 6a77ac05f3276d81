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
