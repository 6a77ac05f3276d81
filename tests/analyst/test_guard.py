"""An analyst session cannot write, cannot read any file but the serving file (not
warehouse.duckdb, not the lake), and cannot switch the guard off. Proven on the connection
`tidbok sql -c` and the plain shell use, and on the Harlequin command line `tidbok sql`
builds (its options run through hsql, Harlequin's non-interactive twin, and through the
Harlequin DuckDB adapter itself; plus a start-up smoke run in a pseudo-terminal)."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import duckdb
import pytest

from tidbok import config
from tidbok.analyst import session
from tidbok.serving.errors import ServingNotPublished

pytestmark = pytest.mark.timeout(120)


def forbidden_statements(home: Path) -> dict[str, str]:
    warehouse = home / "warehouse.duckdb"
    return {
        "read the warehouse as parquet": f"SELECT * FROM read_parquet('{warehouse}')",
        "read the warehouse as a blob": f"SELECT * FROM read_blob('{warehouse}')",
        "attach the warehouse": f"ATTACH '{warehouse}' AS w (READ_ONLY)",
        "attach the warehouse read-write": f"ATTACH '{warehouse}' AS w",
        "read any other file": "SELECT * FROM read_csv('/etc/passwd')",
        "list files": f"SELECT * FROM glob('{home}/*')",
        "copy a result to a file": f"COPY (SELECT 1) TO '{home}/leak.csv'",
        "export the database": f"EXPORT DATABASE '{home}/dump'",
        "create a table in the serving file": "CREATE TABLE analyst.mine AS SELECT 1 AS x",
        "insert into a mart": "INSERT INTO marts.no_show_rate SELECT * FROM marts.no_show_rate",
        "delete from a mart": "DELETE FROM marts.no_show_rate",
        "update a mart": "UPDATE marts.dim_regions SET region_name = 'x'",
        "drop a view": "DROP VIEW analyst.no_show_rate",
        "switch file access back on": "SET enable_external_access = true",
        "unlock the configuration": "SET lock_configuration = false",
        "widen the allowed paths": f"SET allowed_paths = ['{home}/warehouse.duckdb']",
        "load an extension": "LOAD httpfs",
        "install an extension": "INSTALL excel",
        "detach the serving file": "DETACH serving",
    }


def test_the_analyst_connection_refuses_every_write_and_every_other_file(served):
    with session.analyst_connection() as con:
        refused = {}
        for what, sql in forbidden_statements(served).items():
            try:
                con.execute(sql).fetchall()
            except duckdb.Error as exc:
                refused[what] = str(exc)
        assert set(refused) == set(forbidden_statements(served))
        # ... and it still answers: reads work, scratch work stays in memory.
        assert con.execute("SELECT count(*) FROM no_show_rate").fetchone()[0] == 4
        con.execute("CREATE TEMP TABLE mine AS SELECT * FROM no_show_rate WHERE region_code = '13'")
        assert con.execute("SELECT count(*) FROM mine").fetchone()[0] == 3
    assert not (served / "leak.csv").exists() and not (served / "dump").exists()


def test_the_session_starts_in_the_analyst_schema_read_only(served):
    with session.analyst_connection() as con:
        assert con.execute("SELECT current_database(), current_schema()").fetchone() == (
            "serving", "analyst")
        assert con.execute("SELECT readonly FROM duckdb_databases() "
                           "WHERE database_name = 'serving'").fetchone()[0] is True


def test_a_missing_serving_file_says_what_to_do(tidbok_home):
    with pytest.raises(ServingNotPublished, match="tidbok run"):
        session.open_analyst_connection()


def test_a_serving_file_without_the_analyst_schema_is_refused(tidbok_home):
    con = duckdb.connect(str(config.serving_path()))
    con.execute("CREATE SCHEMA marts; CREATE TABLE marts.x AS SELECT 1 AS a")
    con.close()
    with pytest.raises(session.AnalystSchemaMissing, match="tidbok run"):
        session.open_analyst_connection()


# -- Harlequin -----------------------------------------------------------------------------

def test_the_harlequin_command_is_read_only_guarded_and_profile_free(tmp_path):
    serving, init = tmp_path / "serving.duckdb", tmp_path / "guard.sql"
    cmd = session.harlequin_command(serving, init)
    assert cmd[:3] == [sys.executable, "-m", "harlequin"]
    assert "--read-only" in cmd
    assert cmd[cmd.index("--adapter") + 1] == "duckdb"
    assert cmd[cmd.index("--init-path") + 1] == str(init)
    assert cmd[cmd.index("--profile") + 1] == "None"  # a user profile could skip the guard
    assert cmd[-1] == str(serving)
    assert "--no-init" not in cmd and "--show-files" not in cmd and "-e" not in cmd
    script = session.guard_script()
    assert "SET enable_external_access = false;" in script
    assert script.strip().endswith("SET lock_configuration = true;")


def hsql(served: Path, init: Path, sql: str) -> subprocess.CompletedProcess:
    """Harlequin's own non-interactive client, with exactly the options `tidbok sql` gives
    Harlequin (harlequin_options), running one statement."""
    binary = Path(sys.executable).with_name("hsql")
    options = session.harlequin_options(served / "serving.duckdb", init)
    return subprocess.run([str(binary), *options, "-c", sql], capture_output=True, text=True,
                          timeout=60, cwd=served)


@pytest.mark.skipif(not Path(sys.executable).with_name("hsql").exists(), reason="no hsql")
def test_harlequin_with_our_options_cannot_read_the_warehouse_or_write(served, tmp_path):
    init = tmp_path / "guard.sql"
    init.write_text(session.guard_script())
    statements = forbidden_statements(served)
    for what in ("read the warehouse as parquet", "attach the warehouse",
                 "copy a result to a file", "create a table in the serving file",
                 "switch file access back on"):
        result = hsql(served, init, statements[what])
        assert result.returncode != 0, f"hsql allowed: {what}"
    ok = hsql(served, init, "SELECT count(*) AS n FROM no_show_rate")  # in the analyst schema
    assert ok.returncode == 0, ok.stderr
    assert "4" in ok.stdout


def test_the_harlequin_adapter_connection_is_guarded(served, tmp_path):
    from harlequin.exception import HarlequinQueryError
    from harlequin_duckdb.adapter import DuckDbAdapter

    init = tmp_path / "guard.sql"
    init.write_text(session.guard_script())
    adapter = DuckDbAdapter(conn_str=(str(config.serving_path()),), init_path=init,
                            read_only=True)
    connection = adapter.connect()
    try:
        for what, sql in forbidden_statements(served).items():
            with pytest.raises(HarlequinQueryError):
                cursor = connection.execute(sql)
                if cursor is not None:
                    cursor.fetchall()
                pytest.fail(f"harlequin allowed: {what}")  # pragma: no cover
        cursor = connection.execute("SELECT count(*) FROM no_show_rate")
        assert cursor.fetchall().to_pylist() == [{"count_star()": 4}]
    finally:
        connection.conn.close()


ANSI = re.compile(rb"\x1b\[[0-9;?<>=]*[a-zA-Z~]")


class Terminal:
    """A pseudo-terminal running one process; `pump` keeps draining its output (a TUI
    that cannot write blocks) until a text appears."""

    def __init__(self, cmd: list[str], env: dict[str, str], cwd: Path):
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        self.proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     cwd=cwd, start_new_session=True)
        os.close(slave)
        self.seen = b""

    def text(self) -> bytes:
        return ANSI.sub(b"", self.seen)

    def pump(self, until: bytes | None, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if until is not None and until in self.text():
                return True
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                try:
                    self.seen += os.read(self.master, 65536)
                except OSError:  # the process closed the terminal
                    return until is not None and until in self.text()
        return False

    def send(self, keys: bytes, settle: float = 1.0) -> None:
        os.write(self.master, keys)
        self.pump(None, settle)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        os.close(self.master)


@pytest.mark.skipif(not session.harlequin_available(), reason="harlequin not installed")
def test_harlequin_in_a_terminal_runs_the_guard_and_refuses_the_warehouse(served, tmp_path):
    """Smoke run of what `tidbok sql` starts: Harlequin in a pseudo-terminal runs the guard
    script, refuses a query that reads warehouse.duckdb, and quits on Ctrl-Q."""
    init = tmp_path / "guard.sql"
    init.write_text(session.guard_script())
    cmd = session.harlequin_command(config.serving_path(), init)
    env = {**os.environ, "TERM": "xterm-256color", "HOME": str(tmp_path),
           "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
           "XDG_CACHE_HOME": str(tmp_path / "cache")}
    term = Terminal(cmd, env, tmp_path)
    try:
        started = f"Executed {len(session.GUARD_STATEMENTS)} commands".encode()
        assert term.pump(started, 90), f"no guard message: {term.text()[-2000:]!r}"
        term.pump(None, 1)
        term.send(f"select * from read_parquet('{served / 'warehouse.duckdb'}')".encode(), 2)
        term.send(b"\x1b[13;5u", 0)  # Ctrl-Enter: run the query
        assert term.pump(b"Permission Error", 30), term.text()[-2000:]
        term.send(b"\x1b", 2)  # close the error dialog
        for _ in range(3):  # Ctrl-Q: quit
            term.send(b"\x11", 5)
            if term.proc.poll() is not None:
                break
        assert term.proc.wait(timeout=10) == 0
    finally:
        term.close()
