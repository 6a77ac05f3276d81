"""A TIDBOK_HOME in tmp_path, and a small serving file in the contract's shape inside it."""

from pathlib import Path

import pytest

from tidbok import config
from tidbok.serving.sample import write_serving_file


@pytest.fixture
def tidbok_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TIDBOK_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture
def serving_file(tidbok_home: Path) -> Path:
    return write_serving_file(config.serving_path())
