"""Analyst SQL sessions on the serving file: read-only, and unable to reach any other file.

Every session, whichever client runs it, applies the same guard (GUARD_STATEMENTS):
- the serving file is opened READ_ONLY: CREATE, INSERT, UPDATE, DELETE, DROP on it fail;
- `enable_external_access = false`: no read_parquet/read_csv/glob of other files (so not
  warehouse.duckdb, the lake or the quarantine), no ATTACH, no COPY ... TO, no EXPORT
  DATABASE, no INSTALL/LOAD of extensions, no network. DuckDB refuses to switch it back on;
- `lock_configuration = true`: no setting can be changed for the rest of the session.
Scratch work (temporary tables) stays in the session's memory and vanishes with it.

Sessions never block a publish: publish swaps in a new file with os.replace (DESIGN.md
decision 3); a session keeps reading the version it opened (`.reconnect` in the plain
shell, or a new session, sees the new one).

Clients:
- `tidbok sql`: Harlequin (a terminal SQL IDE from PyPI) with its DuckDB adapter in
  read-only mode, the guard as its initialisation script and no user profile (a profile
  could skip the script); `harlequin_command` builds that command line;
- `tidbok sql --plain`, or when Harlequin or a terminal is missing: `run_shell`, a small
  line-based shell on `analyst_connection`;
- `tidbok sql -c`: one query on `analyst_connection` (see tidbok.analyst.output).
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import duckdb

from tidbok import config
from tidbok.analyst.schema import ANALYST_SCHEMA
from tidbok.serving.errors import ServingError, ServingNotPublished

GUARD_STATEMENTS = (
    "SET enable_external_access = false",
    # In a Python client a missing table would otherwise resolve to a Python variable.
    "SET python_enable_replacements = false",
    "SET enable_progress_bar = false",
    f"USE {ANALYST_SCHEMA}",
    "SET lock_configuration = true",
)
DATABASE_ALIAS = "serving"


class AnalystSchemaMissing(ServingError):
    """The serving file was published before the analyst schema existed."""


def guard_script() -> str:
    """The guard as a SQL script (Harlequin's initialisation script)."""
    return "".join(f"{statement};\n" for statement in GUARD_STATEMENTS)


def _require_file(path: Path) -> None:
    if not path.is_file():
        raise ServingNotPublished(
            f"No serving file has been published yet (looked for {path}). Run `tidbok run` "
            "(or `make demo`), or point TIDBOK_HOME at a home that has one.")


def open_analyst_connection(path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A guarded, read-only connection to the serving file; the caller closes it."""
    path = path or config.serving_path()
    _require_file(path)
    # A fresh in-memory instance that ATTACHes the file, as tidbok.serving.connection does:
    # the Python client caches instances by path, so connect(path) could hand back an
    # instance of an older, replaced file (duckdb/duckdb#15912).
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"ATTACH '{str(path).replace(chr(39), chr(39) * 2)}' "
                    f"AS {DATABASE_ALIAS} (READ_ONLY)")
        con.execute(f"USE {DATABASE_ALIAS}")
        has_schema = con.execute(
            "SELECT count(*) FROM duckdb_schemas() WHERE database_name = ? AND schema_name = ?",
            [DATABASE_ALIAS, ANALYST_SCHEMA]).fetchone()[0]
        if not has_schema:
            raise AnalystSchemaMissing(
                f"The serving file at {path} has no `{ANALYST_SCHEMA}` schema: it was published "
                "before analysts were supported. Run `tidbok run` to publish a new version.")
        for statement in GUARD_STATEMENTS:
            con.execute(statement)
    except duckdb.Error as exc:
        con.close()
        raise ServingError(f"The serving file at {path} could not be opened: {exc}") from exc
    except BaseException:
        con.close()
        raise
    return con


@contextmanager
def analyst_connection(path: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    con = open_analyst_connection(path)
    try:
        yield con
    finally:
        con.close()


TABLE_GUIDE_SQL = ("SELECT table_name, kind, grain, aggregation, disclosure, description "
                   "FROM table_guide ORDER BY kind <> 'metric', kind, table_name")


def describe_tables(con: duckdb.DuckDBPyConnection, width: int = 88) -> str:
    """The analyst tables as readable text: name, kind, grain, then the description."""
    import textwrap

    out = []
    for name, kind, grain, aggregation, disclosure, description in con.execute(
            TABLE_GUIDE_SQL).fetchall():
        facts = [kind]
        if grain:
            facts.append(f"one row per {grain}")
        if aggregation:
            facts.append(f"aggregation {aggregation}")
        if disclosure:
            facts.append(f"disclosure {disclosure}")
        out.append(f"{ANALYST_SCHEMA}.{name}  ({'; '.join(facts)})")
        out += textwrap.wrap(description or "(no description)", width,
                             initial_indent="    ", subsequent_indent="    ")
    return "\n".join(out)


# -- Harlequin ---------------------------------------------------------------------------

def harlequin_available() -> bool:
    return importlib.util.find_spec("harlequin") is not None


def harlequin_command(serving: Path, init_script: Path) -> list[str]:
    """The Harlequin command line for a guarded session (pure; tests run its options
    through `hsql`, Harlequin's non-interactive twin, to prove the guard)."""
    return [sys.executable, "-m", "harlequin", *harlequin_options(serving, init_script)]


def harlequin_options(serving: Path, init_script: Path) -> list[str]:
    return [
        # No config file: a user profile could set no_init (skipping the guard) or load
        # extensions before it runs.
        "--profile", "None",
        "--adapter", "duckdb",
        "--read-only",
        "--init-path", str(init_script),
        str(serving),
    ]


# -- the plain shell ---------------------------------------------------------------------

SHELL_HELP = """\
Type SQL ending with ';' (it may span lines). Tables are in the analyst schema.
  .tables            the tables, their grain and description
  .describe TABLE    the columns of TABLE with their descriptions
  .version           which published version of the serving file this session reads
  .reconnect         reopen the serving file (to see a newer publish)
  .help              this text
  .quit              leave (or Ctrl-D)
Read-only: nothing you run can change the serving file or read any other file."""

SHELL_MAX_ROWS = 200


def run_shell(path: Path | None = None, stdin: TextIO | None = None,
              stdout: TextIO | None = None, prompt: bool = True) -> int:
    """A minimal SQL shell on the guarded connection (Harlequin's fallback)."""
    from tidbok.analyst.output import format_table

    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    if prompt and stdin is sys.stdin:
        try:
            import readline  # noqa: F401  (line editing and history for input())
        except ImportError:
            pass
    con = open_analyst_connection(path)

    def say(text: str = "") -> None:
        stdout.write(text + "\n")
        stdout.flush()

    def show(sql: str, params: list | None = None) -> None:
        cursor = con.execute(sql, params or [])
        if cursor.description is None:
            say("OK")
            return
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchmany(SHELL_MAX_ROWS + 1)
        say(format_table(columns, rows[:SHELL_MAX_ROWS]))
        if len(rows) > SHELL_MAX_ROWS:
            say(f"(first {SHELL_MAX_ROWS} rows shown; use `tidbok sql -c ... --out FILE` "
                "for all of them)")

    say(f"tidbok sql (plain shell) on {path or config.serving_path()}, "
        f"version {_version(con)}. Type .help for help.")
    buffer: list[str] = []
    try:
        while True:
            if prompt:
                stdout.write("...> " if buffer else "sql> ")
                stdout.flush()
            line = stdin.readline()
            if not line:
                break
            text = line.strip()
            if not buffer and text.startswith("."):
                command, _, argument = text.partition(" ")
                if command in (".quit", ".exit", ".q"):
                    break
                try:
                    con = _dot_command(con, command, argument.strip(), path, show, say)
                except (duckdb.Error, ServingError) as exc:
                    say(f"Error: {exc}")
                continue
            if not text and not buffer:
                continue
            buffer.append(line.rstrip("\n"))
            if not text.endswith(";"):
                continue
            sql, buffer = "\n".join(buffer), []
            try:
                show(sql)
            except duckdb.Error as exc:
                say(f"Error: {exc}")
    except KeyboardInterrupt:
        say()
    finally:
        con.close()
    return 0


def _dot_command(con, command, argument, path, show, say):
    if command == ".help":
        say(SHELL_HELP)
    elif command == ".tables":
        say(describe_tables(con))
    elif command in (".describe", ".d", ".schema"):
        if not argument:
            say("Usage: .describe TABLE")
        else:
            show("SELECT column_name, data_type, description FROM column_guide "
                 "WHERE table_name = ? ORDER BY position", [argument.strip(";")])
    elif command == ".version":
        say(f"version {_version(con)}")
    elif command == ".reconnect":
        fresh = open_analyst_connection(path)
        con.close()
        con = fresh
        say(f"reconnected: version {_version(con)}")
    else:
        say(f"Unknown command {command}; type .help")
    return con


def _version(con: duckdb.DuckDBPyConnection) -> str:
    try:
        row = con.execute("SELECT version FROM publish_info LIMIT 1").fetchone()
    except duckdb.Error:
        return "unknown"
    return row[0] if row else "unknown"
