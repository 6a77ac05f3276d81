"""One open database per published version: correct across publishes, closed when idle.

DESIGN.md decisions 2 and 3: readers that opened the old file finish on it, new readers
see the new one, and nothing is held open for long. The concurrency test publishes a
version every few milliseconds while readers in threads check that every answer is
wholly from one version.
"""

import os
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from tidbok import config
from tidbok.serving import connection, metric_values, publish_info, serving_snapshot
from tidbok.serving.connection import SERVING_FILES, FileVersion, ServingFiles


def rows_of(version: int) -> list[tuple]:
    """A serving file whose one figure says which version it is: 100 * version no-shows."""
    return [("13", date(2025, 1, 1), "eservice", 100 * version, 100_000)]


def test_calls_share_one_database_per_version(serving_file: Path) -> None:
    for _ in range(5):
        publish_info()
        metric_values("no_show_rate", region="13")
    assert SERVING_FILES.open_versions() == [FileVersion.of(serving_file)]


def test_a_publish_opens_the_new_version_and_closes_the_idle_old_one(
    serving_file: Path, sample_files: Callable[..., Path]
) -> None:
    publish_info()
    old = FileVersion.of(serving_file)
    sample_files(serving_file, rows_of(2), version="v2")
    assert publish_info().version == "v2"
    assert SERVING_FILES.open_versions() == [FileVersion.of(serving_file)] != [old]


def test_a_reader_in_flight_finishes_on_its_version(
    serving_file: Path, sample_files: Callable[..., Path]
) -> None:
    with serving_snapshot() as old:
        sample_files(serving_file, rows_of(2), version="v2")
        assert publish_info().version == "v2"
        assert publish_info(old).version == "sample-1"  # memoised, but read again below
        cursor = old.cursor()
        assert cursor.execute("SELECT version FROM meta.publish_info").fetchone() == ("sample-1",)
        cursor.close()
        assert len(SERVING_FILES.open_versions()) == 2
    assert SERVING_FILES.open_versions() == [FileVersion.of(serving_file)]  # old one closed


def test_idle_versions_are_closed_by_the_sweeper(serving_file: Path) -> None:
    files = ServingFiles(idle_seconds=0.1)
    with files.snapshot() as snap:
        snap.cursor().close()
    deadline = time.monotonic() + 5
    while files.open_versions() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert files.open_versions() == []


def test_a_publish_landing_while_a_version_is_opened_is_not_mistaken_for_it(
    serving_file: Path, sample_files: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    attach = connection._attach
    calls = []

    def attach_then_publish(path: Path):
        opened = attach(path)
        if not calls:  # the first open races a publish
            sample_files(path, rows_of(3), version="v3")
        calls.append(path)
        return opened

    monkeypatch.setattr(connection, "_attach", attach_then_publish)
    files = ServingFiles()
    with files.snapshot() as snap:
        assert snap.version == FileVersion.of(serving_file)
        cursor = snap.cursor()
        assert cursor.execute("SELECT version FROM meta.publish_info").fetchone() == ("v3",)
        cursor.close()
    assert len(calls) == 2
    files.close_all()


def test_answers_stay_whole_while_versions_are_published(
    tidbok_home: Path, sample_files: Callable[..., Path]
) -> None:
    path = config.serving_path()
    sample_files(path, rows_of(1), version="v1", extra_marts=False)
    errors: list[BaseException] = []
    seen: list[list[int]] = [[] for _ in range(4)]
    stop = threading.Event()

    def read(log: list[int]) -> None:
        try:
            while not stop.is_set():
                with serving_snapshot() as snap:
                    version = int(publish_info(snap).version[1:])
                    rows = metric_values("no_show_rate", region="13", snapshot=snap)
                    assert rows[0]["numerator"] == 100 * version, (rows, version)
                    log.append(version)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=read, args=(log,)) for log in seen]
    for thread in threads:
        thread.start()
    for version in range(2, 9):
        time.sleep(0.05)
        sample_files(path, rows_of(version), version=f"v{version}", extra_marts=False)
    time.sleep(0.1)
    stop.set()
    for thread in threads:
        thread.join(30)
    assert not errors, errors[0]
    for log in seen:
        assert log == sorted(log)  # a reader never goes back to an older version
    assert max(max(log) for log in seen) == 8
    assert len({v for log in seen for v in log}) >= 3
    assert len(SERVING_FILES.open_versions()) == 1  # every retired version was closed


def test_with_a_warmer_the_old_version_answers_until_the_new_one_is_warm(
    serving_file: Path, sample_files: Callable[..., Path]
) -> None:
    from tidbok.serving.warm import warm_like

    started, release = threading.Event(), threading.Event()

    def warmer(old, new) -> None:
        started.set()
        assert release.wait(10)
        warm_like(old, new)

    files = ServingFiles(warmer=warmer)

    def version() -> str:
        with files.snapshot() as snap:
            return publish_info(snap).version

    with files.snapshot() as snap:
        metric_values("no_show_rate", region="13", snapshot=snap)
    sample_files(serving_file, version="sample-2")
    assert version() == "sample-1"  # answered at once, from the old version
    assert started.wait(10)
    assert version() == "sample-1"
    release.set()
    deadline = time.monotonic() + 10
    while version() != "sample-2" and time.monotonic() < deadline:
        time.sleep(0.02)
    with files.snapshot() as snap:
        assert publish_info(snap).version == "sample-2"
        assert any(key[0] == "tables" for key in snap._memo)  # built before it took over
    assert len(files.open_versions()) == 1  # the old one was closed
    files.close_all()


def test_a_version_that_cannot_be_warmed_is_reported_the_plain_way(
    serving_file: Path,
) -> None:
    files = ServingFiles(warmer=lambda old, new: None)
    with files.snapshot():
        pass
    broken = serving_file.with_name("broken.tmp")
    broken.write_text("not a database")
    os.replace(broken, serving_file)  # published the way the pipeline does, but broken
    with files.snapshot() as snap:  # the old version still answers while that is tried
        assert snap.version != FileVersion.of(serving_file)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with files.snapshot():
                time.sleep(0.02)
        except Exception as exc:  # noqa: BLE001
            assert "could not be opened" in str(exc)
            break
    else:
        pytest.fail("the broken version was never reported")
    files.close_all()


def test_a_version_published_over_while_warming_never_takes_over(
    serving_file: Path, sample_files: Callable[..., Path]
) -> None:
    release = threading.Event()
    warmed: list[str] = []

    def warmer(old, new) -> None:
        first = not warmed and not release.is_set()
        warmed.append(publish_info(new).version)
        if first:
            assert release.wait(10)  # the first warm-up is slow

    files = ServingFiles(warmer=warmer)

    def version() -> str:
        with files.snapshot() as snap:
            return publish_info(snap).version

    assert version() == "sample-1"
    sample_files(serving_file, version="sample-2")
    assert version() == "sample-1"  # warming sample-2 starts (and hangs)
    sample_files(serving_file, version="sample-3")
    deadline = time.monotonic() + 10
    while version() != "sample-3" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert version() == "sample-3"
    release.set()
    time.sleep(0.2)  # the slow warm-up of sample-2 ends now...
    assert version() == "sample-3"  # ...and is dropped, not installed over sample-3
    assert len(files.open_versions()) == 1
    files.close_all()
