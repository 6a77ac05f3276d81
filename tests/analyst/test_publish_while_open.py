"""An open analyst session never blocks a publish (DESIGN.md decision 3): publish replaces
the file with os.replace; the session keeps answering from the version it opened, even
once that version is pruned; new sessions (and `.reconnect`) see the new version."""

from __future__ import annotations

import queue
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from tests.analyst.conftest import REPO_ROOT, make_documented_warehouse, run_tidbok, tidbok_env
from tidbok import config, publish
from tidbok.analyst import session

pytestmark = pytest.mark.timeout(180)

END_MARKERS = ("row)", "rows)", "Error:", "version ", "reconnected:")


class Session:
    """A session process driven line by line through pipes."""

    def __init__(self, cmd: list[str], home: Path):
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, env=tidbok_env(home),
                                     cwd=REPO_ROOT, bufsize=1)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def read_until(self, markers=END_MARKERS, timeout: float = 60) -> list[str]:
        got, deadline = [], time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            got.append(line)
            if any(m in line for m in markers):
                return got
        raise AssertionError(f"session gave no answer; output so far: {got}")

    def ask(self, text: str) -> str:
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()
        return "\n".join(self.read_until())

    def close(self) -> int:
        try:
            self.proc.stdin.write(".quit\n")
            self.proc.stdin.flush()
            self.proc.stdin.close()
            return self.proc.wait(timeout=30)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(timeout=10)


def current_version() -> str:
    with session.analyst_connection() as con:
        return con.execute("SELECT version FROM publish_info").fetchone()[0]


def publish_new_version(home: Path, scale: int) -> str:
    make_documented_warehouse(home, scale=scale)
    started = time.monotonic()
    published = publish.publish()
    # A publish is a copy and a rename: it never waits for readers.
    assert time.monotonic() - started < 60
    return published.version


def test_a_tidbok_sql_session_does_not_block_a_publish_and_keeps_its_version(served):
    old = current_version()
    live = Session([sys.executable, "-m", "tidbok.cli", "sql", "--plain"], served)
    try:
        assert old in "\n".join(live.read_until(("Type .help",)))
        assert "1950" in live.ask("SELECT sum(denominator) AS visits FROM no_show_rate;")

        new = publish_new_version(served, scale=10)
        assert new != old and current_version() == new
        # The open session still answers, from the version it opened.
        assert "1950" in live.ask("SELECT sum(denominator) AS visits FROM no_show_rate;")
        assert old in live.ask(".version")

        # Even when its version has been pruned from the kept versions.
        for scale in (20, 30, 40):
            publish_new_version(served, scale=scale)
        assert not list(config.serving_versions_dir().glob(f"serving-{old}.duckdb"))
        assert "1950" in live.ask("SELECT sum(denominator) AS visits FROM no_show_rate;")

        # A new session sees the newest version; so does the old one after .reconnect.
        newest = current_version()
        fresh = run_tidbok("sql", "-c", "SELECT version FROM publish_info", "--format", "csv",
                           home=served)
        assert fresh.returncode == 0, fresh.stderr
        assert newest in fresh.stdout
        assert newest in live.ask(".reconnect")
        assert "78000" in live.ask("SELECT sum(denominator) AS visits FROM no_show_rate;")
    finally:
        assert live.close() == 0


HARLEQUIN_SESSION = textwrap.dedent("""
    import sys
    from harlequin_duckdb.adapter import DuckDbAdapter
    serving, init = sys.argv[1], sys.argv[2]
    connection = DuckDbAdapter(conn_str=(serving,), init_path=init, read_only=True).connect()
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() == ".quit":
            break
        rows = connection.execute(line).fetchall().to_pylist()
        print(f"{rows} ({len(rows)} rows)", flush=True)
""")


def test_a_harlequin_session_does_not_block_a_publish(served, tmp_path):
    """The same with Harlequin's DuckDB connection (the file opened read-only directly,
    the guard as init script), as `tidbok sql` starts it."""
    init = tmp_path / "guard.sql"
    init.write_text(session.guard_script())
    live = Session([sys.executable, "-c", HARLEQUIN_SESSION, str(config.serving_path()),
                    str(init)], served)
    try:
        live.read_until(("ready",))
        assert "1950" in live.ask("SELECT sum(denominator) AS visits FROM no_show_rate")
        new = publish_new_version(served, scale=10)
        assert current_version() == new
        assert "1950" in live.ask("SELECT sum(denominator) AS visits FROM no_show_rate")
    finally:
        assert live.close() == 0
