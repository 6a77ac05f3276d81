"""Publish the warehouse as the serving file, atomically (DESIGN.md decision 3).

Checkpoint the warehouse, copy it beside the serving file, strip what readers
must not see (row-level staging and intermediate models), stamp the version,
then os.replace the copy over serving.duckdb. A run killed at any point before
the rename leaves the previous serving file untouched; readers holding the old
file keep reading it, new readers get the new one. The last few versions are
kept for rollback.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from tidbok import config
from tidbok.analyst.schema import build_analyst_schema
from tidbok.duck import connect

KEEP_VERSIONS = 3
# Row-level models stay in the warehouse; readers get marts and reference data.
PRIVATE_SCHEMAS = ("staging", "intermediate")
# The star's fact tables hold one row per booking or action (pseudonymised):
# marts are built from them in the warehouse, readers never need them.
PRIVATE_TABLE_PREFIXES = ("fct_",)


@dataclass(frozen=True)
class Published:
    version: str
    path: Path
    bytes: int
    tables: int


def new_version(now: dt.datetime | None = None) -> str:
    """A UTC timestamp to the microsecond: unique per publish and sortable."""
    now = now or dt.datetime.now(dt.UTC)
    return now.strftime("%Y%m%dT%H%M%S%fZ")


def checkpoint(warehouse: Path) -> None:
    con = connect(warehouse)
    try:
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _prepare_copy(copy: Path, version: str, published_at: dt.datetime) -> int:
    con = connect(copy)
    try:
        for schema in PRIVATE_SCHEMAS:
            con.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        for schema, table in con.execute(
                "SELECT schema_name, table_name FROM duckdb_tables() "
                "WHERE database_name = current_database()").fetchall():
            if table.startswith(PRIVATE_TABLE_PREFIXES):
                con.execute(f'DROP TABLE "{schema}"."{table}"')
        con.execute("CREATE SCHEMA IF NOT EXISTS meta")
        con.execute("CREATE OR REPLACE TABLE meta.publish_info "
                    "(version VARCHAR, published_at TIMESTAMP)")
        con.execute("INSERT INTO meta.publish_info VALUES (?, ?)", [version, published_at])
        con.execute("COMMENT ON TABLE meta.publish_info IS "
                    "'Which published version of the serving file this is, and when it was published.'")
        # Analysts (issue #8): the documented marts as the `analyst` schema, with comments.
        build_analyst_schema(con)
        tables = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database()"
        ).fetchone()[0]
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return tables


def publish(warehouse: Path | None = None, serving: Path | None = None) -> Published:
    warehouse = warehouse or config.warehouse_path()
    serving = serving or config.serving_path()
    versions = config.serving_versions_dir()
    versions.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    published_at, version = now.replace(tzinfo=None), new_version(now)
    checkpoint(warehouse)
    tmp = serving.with_name(f".{serving.name}.{version}.tmp")
    try:
        shutil.copyfile(warehouse, tmp)
        tables = _prepare_copy(tmp, version, published_at)
        os.replace(tmp, serving)
        os.link(serving, versions / f"serving-{version}.duckdb")  # kept for rollback
    finally:
        tmp.unlink(missing_ok=True)
    prune_versions(versions)
    return Published(version, serving, serving.stat().st_size, tables)


def prune_versions(versions: Path, keep: int = KEEP_VERSIONS) -> None:
    kept = sorted(versions.glob("serving-*.duckdb"))
    for old in kept[:-keep]:
        old.unlink(missing_ok=True)


def rollback(version: str | None = None) -> str:
    """Re-publish an earlier kept version (the one before the current by default)."""
    kept = sorted(config.serving_versions_dir().glob("serving-*.duckdb"))
    if not kept:
        raise FileNotFoundError("no kept serving versions to roll back to")
    if version is None:
        if len(kept) < 2:
            raise FileNotFoundError("only one serving version is kept; nothing earlier")
        chosen = kept[-2]
    else:
        matches = [p for p in kept if p.stem == f"serving-{version}"]
        if not matches:
            raise FileNotFoundError(f"serving version {version} is not kept")
        chosen = matches[0]
    tmp = config.serving_path().with_name(".serving.rollback.tmp")
    shutil.copyfile(chosen, tmp)
    os.replace(tmp, config.serving_path())
    return chosen.stem.removeprefix("serving-")
