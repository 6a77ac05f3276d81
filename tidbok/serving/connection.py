"""Read-only access to the published serving file: one open database per published version.

The pipeline replaces serving.duckdb with os.replace (DESIGN.md decision 3), so a version
of the file is an inode, never changed in place. Opening the file costs 25-45 ms, too much
per request, so readers share one read-only database per version and take a cheap cursor
from it per call (well under a millisecond):

- every call stats the path; when the file there is a new inode, the next call opens it and
  the old version is retired: callers still reading it finish on it (decision 3) and it is
  closed as soon as its last one is done;
- a version nobody has used for `idle_seconds` is closed by a sweeper thread, so a quiet
  reader holds nothing open for long (decision 2);
- a version is identified by device, inode, size and mtime, checked before and after it is
  opened, so a publish landing while a reader opens the file can never be cached under the
  wrong identity.

Each version also carries a memo for figures derived from it (catalogue status, disclosure
patterns): a version never changes, so neither do they.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from tidbok import config
from tidbok.serving.errors import ServingError, ServingNotPublished

log = logging.getLogger(__name__)

IDLE_SECONDS = 30.0
_OPEN_ATTEMPTS = 5
T = TypeVar("T")


@dataclass(frozen=True)
class FileVersion:
    """Which file is at a path right now: os.replace always brings a new inode."""

    device: int
    inode: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> FileVersion | None:
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return None
        return cls(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


class Snapshot:
    """One published version of the serving file, open read-only."""

    def __init__(self, path: Path, version: FileVersion, database: duckdb.DuckDBPyConnection):
        self.path = path
        self.version = version
        self._database = database
        self._memo: dict[Any, Any] = {}
        self._memo_locks: dict[Any, threading.Lock] = {}
        self._lock = threading.Lock()
        self.used_metrics: set[str] = set()  # whose tables were built: what to warm next
        self.users = 0
        self.last_used = time.monotonic()
        self.retired = False
        self.closed = False

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A connection of its own to this version: safe to use in one thread at a time."""
        cursor = self._database.cursor()
        cursor.execute("USE serving")  # the default database is per connection
        return cursor

    def memo(self, key: Any, compute: Callable[[], T]) -> T:
        """compute() once per version; concurrent callers of one key wait for the first."""
        try:
            return self._memo[key]
        except KeyError:
            pass
        with self._lock:
            lock = self._memo_locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._memo:
                self._memo[key] = compute()
            return self._memo[key]

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._database.close()
            self._memo.clear()


def _open(path: Path) -> Snapshot:
    for _ in range(_OPEN_ATTEMPTS):
        before = FileVersion.of(path)
        if before is None:
            raise _not_published(path)
        database = _attach(path)
        if FileVersion.of(path) == before:
            return Snapshot(path, before, database)
        database.close()  # a publish landed while opening: open the new file instead
    raise ServingError(f"The serving file at {path} kept changing while it was opened.")


def _attach(path: Path) -> duckdb.DuckDBPyConnection:
    # ATTACH into a fresh in-memory database rather than duckdb.connect(path): the Python
    # client caches database instances by path, so while any connection to the old file is
    # open, connect(path) hands back the OLD file even after a publish replaced it
    # (duckdb/duckdb#15912). An in-memory instance is never shared.
    con = duckdb.connect(":memory:")
    try:
        quoted = str(path).replace("'", "''")
        con.execute(f"ATTACH '{quoted}' AS serving (READ_ONLY)")
        con.execute("USE serving")
        # Readers need nothing outside the serving file: no files, extensions or network.
        con.execute("SET enable_external_access = false")
        # Without this, a missing table silently resolves to a same-named Python variable
        # of the caller (a "replacement scan") instead of failing as a broken contract.
        con.execute("SET python_enable_replacements = false")
        # Progress bars write to stderr of servers and dashboards; never wanted here.
        con.execute("SET enable_progress_bar = false")
    except duckdb.Error as exc:
        con.close()
        # Not a DuckDB file, or a process holds it read-write against DESIGN.md decision 2.
        raise ServingError(f"The serving file at {path} could not be opened: {exc}") from exc
    return con


def _not_published(path: Path) -> ServingNotPublished:
    return ServingNotPublished(
        f"No serving file has been published yet (looked for {path}). "
        "Run the pipeline's publish step, or point TIDBOK_HOME at a home that has one."
    )


Warmer = Callable[[Snapshot, Snapshot], None]


class ServingFiles:
    """The open versions of serving files, shared by every reader in this process.

    By default a call that finds a new version at the path opens it there and then. With a
    `warmer` (the API sets one), a new version is opened and warmed up in the background
    (warmer(old, new) computes what readers of the old one used, e.g. the disclosure
    tables) while calls keep being answered, each wholly, from the old version; the new
    one takes over once warm. A reader may then see the old version for as long as warming
    takes (seconds), never a mixture.
    """

    def __init__(self, idle_seconds: float = IDLE_SECONDS, warmer: Warmer | None = None):
        self.idle_seconds = idle_seconds
        self.warmer = warmer
        self._lock = threading.Lock()
        self._current: dict[Path, Snapshot] = {}
        self._retired: list[Snapshot] = []
        self._warming: dict[Path, FileVersion] = {}
        self._failed: dict[Path, FileVersion] = {}
        self._sweeper: threading.Thread | None = None

    @contextmanager
    def snapshot(self, path: Path | None = None) -> Iterator[Snapshot]:
        """The version at `path` now (the configured serving file by default), in use."""
        snap = self._acquire(path or config.serving_path())
        try:
            yield snap
        finally:
            self._release(snap)

    def _acquire(self, path: Path) -> Snapshot:
        version = FileVersion.of(path)
        if version is None:
            raise _not_published(path)
        with self._lock:
            snap = self._current.get(path)
            warm = self.warmer is not None and self._failed.get(path) != version
            if snap is not None and snap.version != version and warm:
                if self._warming.get(path) != version:
                    self._warming[path] = version
                    threading.Thread(
                        target=self._warm,
                        args=(path, snap, version),
                        daemon=True,
                        name="serving-warmer",
                    ).start()
                # the old version answers until the new one is warm
            elif snap is None or snap.version != version:
                fresh = _open(path)  # under the lock: one open per version, ever
                if snap is not None:
                    self._retire(snap)
                self._current[path] = snap = fresh
                self._start_sweeper()
            snap.users += 1
            return snap

    def _warm(self, path: Path, old: Snapshot, version: FileVersion) -> None:
        fresh: Snapshot | None = None
        try:
            fresh = _open(path)
            assert self.warmer is not None
            self.warmer(old, fresh)
        except Exception:
            # A version that cannot be opened is left to the plain path, which reports it.
            log.exception("warming the new serving version at %s failed", path)
        with self._lock:
            if self._warming.get(path) == version:
                del self._warming[path]
            if fresh is None:
                self._failed[path] = version
                return
            current = self._current.get(path)
            if FileVersion.of(path) != fresh.version or (
                current is not None and current.version == fresh.version
            ):
                # Published over while warming (the next call warms the newer one), or
                # already in place: never let an older version take over from a newer.
                fresh.close()
                return
            if current is not None:
                self._retire(current)
            self._current[path] = fresh
            self._start_sweeper()

    def _release(self, snap: Snapshot) -> None:
        with self._lock:
            snap.users -= 1
            snap.last_used = time.monotonic()
            if snap.retired and snap.users == 0:
                self._retired.remove(snap)
                snap.close()

    def _retire(self, snap: Snapshot) -> None:
        snap.retired = True
        if snap.users == 0:
            snap.close()
        else:
            self._retired.append(snap)

    def close_idle(self, idle_seconds: float | None = None) -> int:
        """Close versions unused for idle_seconds; returns how many are still open."""
        idle = self.idle_seconds if idle_seconds is None else idle_seconds
        now = time.monotonic()
        with self._lock:
            for path, snap in list(self._current.items()):
                if snap.users == 0 and now - snap.last_used >= idle:
                    del self._current[path]
                    snap.close()
            return len(self._current) + len(self._retired)

    def close_all(self) -> None:
        """Close every version nobody is reading (those in use close when released)."""
        with self._lock:
            for snap in self._current.values():
                self._retire(snap)
            self._current.clear()

    def open_versions(self) -> list[FileVersion]:
        with self._lock:
            return [s.version for s in [*self._current.values(), *self._retired] if not s.closed]

    def _start_sweeper(self) -> None:
        if self._sweeper is not None and self._sweeper.is_alive():
            return
        self._sweeper = threading.Thread(
            target=self._sweep, name="serving-idle-sweeper", daemon=True
        )
        self._sweeper.start()

    def _sweep(self) -> None:
        # Ends itself once nothing is open; the next open starts a new one.
        while True:
            time.sleep(max(self.idle_seconds / 2, 0.05))
            try:
                if self.close_idle() == 0:
                    return
            except Exception:  # a sweeper that dies silently would hold files open
                log.exception("closing idle serving connections failed")


SERVING_FILES = ServingFiles()


@contextmanager
def serving_snapshot(path: Path | None = None) -> Iterator[Snapshot]:
    """The current published version, shared with other readers of this process."""
    with SERVING_FILES.snapshot(path) as snap:
        yield snap


@contextmanager
def serving_connection(path: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the current published version for a `with` block."""
    with SERVING_FILES.snapshot(path) as snap:
        cursor = snap.cursor()
        try:
            yield cursor
        finally:
            cursor.close()


@contextmanager
def reuse_or_open(con: duckdb.DuckDBPyConnection | None) -> Iterator[duckdb.DuckDBPyConnection]:
    """Use the caller's connection (so several reads see one published version) or open one."""
    if con is not None:
        yield con
        return
    with serving_connection() as opened:
        yield opened
