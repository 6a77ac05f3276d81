"""`tidbok docs`: build and serve the dbt documentation site (lineage, descriptions, tests).

dbt needs a database to read column types from (its "catalog"). The warehouse is the
pipeline's file, and only the pipeline opens it (DESIGN.md decision 2), so the docs are
generated against a throwaway copy of the published serving file, through the `docs`
target in dbt/profiles.yml ($TIDBOK_HOME/dbt_docs/catalog.duckdb). Everything dbt writes
goes under $TIDBOK_HOME/dbt_docs (target and logs), never into dbt/target where the
pipeline keeps its manifest. The serving file holds the marts, so row-level models
(staging, intermediate) appear with their descriptions and lineage but without column
types read from the database.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tidbok import config
from tidbok.serving.errors import ServingNotPublished

DOCS_TARGET = "docs"  # the dbt target (dbt/profiles.yml)
DEFAULT_PORT = 8080


class DocsFailed(RuntimeError):
    pass


def docs_dir() -> Path:
    return config.home() / "dbt_docs"


def dbt_executable() -> str:
    beside = Path(sys.executable).with_name("dbt")
    if beside.exists():
        return str(beside)
    found = shutil.which("dbt")
    if not found:
        raise DocsFailed("dbt is not installed in this environment (run `make setup`)")
    return found


def docs_generate_command(target_path: Path, log_path: Path) -> list[str]:
    """The dbt command that writes the site (pure; unit-tested)."""
    return [dbt_executable(), "docs", "generate",
            "--project-dir", str(config.DBT_PROJECT_DIR),
            "--profiles-dir", str(config.DBT_PROJECT_DIR),
            "--target", DOCS_TARGET,
            "--target-path", str(target_path),
            "--log-path", str(log_path),
            "--static"]


def generate_docs(serving: Path | None = None, quiet: bool = False) -> Path:
    """Write the dbt docs site; returns its folder (index.html, static_index.html)."""
    serving = serving or config.serving_path()
    if not serving.is_file():
        raise ServingNotPublished(
            f"No serving file has been published yet (looked for {serving}); the docs read "
            "column types from it. Run `tidbok run` first.")
    folder = docs_dir()
    target, logs = folder / "target", folder / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    catalog_db = folder / "catalog.duckdb"
    tmp = folder / ".catalog.duckdb.partial"
    shutil.copyfile(serving, tmp)  # the published file is never written in place
    os.replace(tmp, catalog_db)
    env = {**os.environ, "TIDBOK_HOME": str(config.home())}
    try:
        result = subprocess.run(docs_generate_command(target, logs), env=env,
                                cwd=config.REPO_ROOT, capture_output=True, text=True)
    finally:
        for leftover in (catalog_db, folder / "catalog.duckdb.wal"):
            leftover.unlink(missing_ok=True)
    if result.returncode != 0:
        raise DocsFailed("dbt docs generate failed:\n" + (result.stdout + result.stderr)[-4000:])
    if not quiet:
        print(result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "", flush=True)
    for name in ("index.html", "manifest.json", "catalog.json"):
        if not (target / name).is_file():
            raise DocsFailed(f"dbt docs generate wrote no {name} in {target}")
    return target


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the base's name)
        pass


def docs_server(directory: Path, host: str = "127.0.0.1",
                port: int = DEFAULT_PORT) -> ThreadingHTTPServer:
    """An HTTP server for the static site (port 0 picks a free port)."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    return ThreadingHTTPServer((host, port), handler)
