"""A TIDBOK_HOME in tmp_path, the sample catalogue, and a sample serving file inside it.

Sample files are written once per session and published into each test's home by copy
and os.replace (the way the pipeline publishes), which keeps the tests fast.
"""

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tidbok import config
from tidbok.serving import SERVING_FILES
from tidbok.serving.registry import CATALOGUE_DIR_ENV
from tidbok.serving.sample import SampleFiles, write_sample_catalogue


@pytest.fixture(scope="session")
def catalogue_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sample_catalogue(tmp_path_factory.mktemp("catalogue"))


@pytest.fixture(autouse=True)
def sample_catalogue(catalogue_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = shutil.copytree(catalogue_dir, tmp_path / "catalogue")  # tests may edit it
    monkeypatch.setenv(CATALOGUE_DIR_ENV, str(directory))
    return directory


@pytest.fixture(autouse=True)
def close_serving_files() -> Iterator[None]:
    SERVING_FILES.close_all()  # whatever earlier test modules left open
    yield
    SERVING_FILES.close_all()


@pytest.fixture(scope="session")
def sample_files(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """publish(target, rows=None, **kwargs): a sample serving file, written once per kind."""
    return SampleFiles(tmp_path_factory.mktemp("samples")).publish


@pytest.fixture
def tidbok_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("TIDBOK_HOME", str(home))
    return home


@pytest.fixture
def serving_file(tidbok_home: Path, sample_files: Callable[..., Path]) -> Path:
    return sample_files(config.serving_path())
