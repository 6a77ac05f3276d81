"""Short-lived, read-only connections to the published serving file.

The pipeline replaces serving.duckdb with os.replace (DESIGN.md decision 3); a reader
that keeps a connection open keeps reading the old file. So every call opens its own
connection and closes it before returning: never hold one across requests or reruns.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from tidbok import config
from tidbok.serving.errors import ServingError, ServingNotPublished


@contextmanager
def serving_connection(path: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the serving file read-only for the length of a `with` block."""
    path = path or config.serving_path()
    if not path.is_file():
        raise ServingNotPublished(
            f"No serving file has been published yet (looked for {path}). "
            "Run the pipeline's publish step, or point TIDBOK_HOME at a home that has one."
        )
    # ATTACH into a fresh in-memory database rather than duckdb.connect(path): the Python
    # client caches database instances by path, so while any connection to the old file is
    # open, connect(path) hands back the OLD file even after a publish replaced it
    # (duckdb/duckdb#15912). An in-memory instance is never shared, so each reader gets the
    # file that is at `path` now, and readers of the old one finish on it (decision 3).
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
        # (A publish never causes this: os.replace swaps whole files.)
        raise ServingError(f"The serving file at {path} could not be opened: {exc}") from exc
    try:
        yield con
    finally:
        con.close()


@contextmanager
def reuse_or_open(con: duckdb.DuckDBPyConnection | None) -> Iterator[duckdb.DuckDBPyConnection]:
    """Use the caller's connection (so several reads see one published version) or open one."""
    if con is not None:
        yield con
        return
    with serving_connection() as opened:
        yield opened
