"""Serving files for the dashboard tests.

- `serving_file`: tidbok.serving.sample's spine file, in a TIDBOK_HOME of its own;
- `dashboard_home`: a hand-made serving file with a mart for almost every catalogue metric
  (serving_fixture.py), built once per session;
- `real_home` (e2e): a serving file the real pipeline built from a simulated tiny Sweden
  (`tidbok simulate --scale tiny --seed 7`, then `tidbok run`), once per session. Set
  TIDBOK_E2E_HOME to a home that already has one to skip the build.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.dashboards.serving_fixture import write_dashboard_serving_file
from tidbok import config
from tidbok.serving.sample import write_serving_file

_last_home: list[Path | None] = [None]


def use_home(home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point TIDBOK_HOME at `home`. st.cache_data lives for the whole process and keys figures
    by published version, so a test in another home (whose file may carry the same version
    name) starts with a fresh cache; tests sharing a home share it, which keeps them fast."""
    monkeypatch.setenv("TIDBOK_HOME", str(home))
    monkeypatch.delenv("TIDBOK_DASHBOARD_USERS", raising=False)
    monkeypatch.delenv("TIDBOK_CATALOGUE_DIR", raising=False)
    if home != _last_home[0]:
        import streamlit as st

        st.cache_data.clear()
        _last_home[0] = home
    return home


@pytest.fixture
def tidbok_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_home(tmp_path, monkeypatch)


@pytest.fixture
def serving_file(tidbok_home: Path) -> Path:
    return write_serving_file(config.serving_path())


@pytest.fixture(scope="session")
def dashboard_serving_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("dashboard-home")
    write_dashboard_serving_file(home / "serving.duckdb")
    return home


@pytest.fixture
def dashboard_home(dashboard_serving_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_home(dashboard_serving_home, monkeypatch)


@pytest.fixture(scope="session")
def real_serving_home(published_world: Path) -> Path:
    """The real serving file shared by the end-to-end tests (tests/conftest.py:
    published_world; TIDBOK_E2E_HOME reuses an existing home)."""
    return published_world


@pytest.fixture
def real_home(real_serving_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_home(real_serving_home, monkeypatch)


@pytest.fixture
def fresh_streamlit_cache() -> None:
    import streamlit as st

    st.cache_data.clear()
