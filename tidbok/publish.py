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
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

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


def _prepare_copy(copy: Path, version: str, published_at: dt.datetime,
                  dbt_run_results: Path | None = None) -> int:
    con = connect(copy)
    try:
        if dbt_run_results is not None:  # issue #4/#7: the build's dbt tests, see below
            append_dbt_test_results(con, dbt_run_results)
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


def publish(warehouse: Path | None = None, serving: Path | None = None,
            dbt_run_results: Path | None = None) -> Published:
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
        tables = _prepare_copy(tmp, version, published_at, dbt_run_results)
        os.replace(tmp, serving)
        os.link(serving, versions / f"serving-{version}.duckdb")  # kept for rollback
    finally:
        tmp.unlink(missing_ok=True)
    prune_versions(versions)
    return Published(version, serving, serving.stat().st_size, tables)


# ---------------------------------------------------------------- dbt test results
# Issues #4/#7 (Datakvalitet): marts.check_results holds one row per check of the last
# run. The dbt model (dbt/models/marts/data_quality/check_results.sql) holds the Great
# Expectations gate's rows; the dbt tests' own results exist only once `dbt build` has
# finished, so the publish step appends them to the copy being published, read from
# that build's run_results.json (and its manifest.json, for each test's model).
CHECKS_TABLE = "marts.check_results"
DBT_CHECK_STATUSES = ("pass", "warn", "fail", "error", "skipped")
LOCAL_TIME = ZoneInfo("Europe/Stockholm")


def dbt_run_results(run_id: str) -> Path | None:
    """The run_results.json of the Dagster run's dbt build, or None.

    dagster-dbt gives every invocation its own target folder
    `<op name>-<run id[:7]>-<uuid7>` under $DBT_TARGET_PATH (default `target`, relative
    to the dbt project), or under the project's target path ($TIDBOK_HOME/dbt_target)."""
    bases = [Path(os.getenv("DBT_TARGET_PATH", "target")), config.home() / "dbt_target"]
    found = [path for base in bases
             for path in (base if base.is_absolute() else config.DBT_PROJECT_DIR / base)
             .glob(f"*-{run_id[:7]}-*/run_results.json")]
    return max(found, key=lambda p: p.stat().st_mtime) if found else None


def dbt_test_rows(run_results: Path) -> list[tuple]:
    """(check_kind, check_name, target, status, failures, checked_at, region_code, severity)
    per data test and unit test of the build."""
    results = json.loads(run_results.read_text())["results"]
    manifest_path = run_results.with_name("manifest.json")
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    nodes = {**manifest.get("nodes", {}), **manifest.get("unit_tests", {})}
    rows = []
    for result in results:
        unique_id = result["unique_id"]
        kind = unique_id.split(".", 1)[0]
        if kind not in ("test", "unit_test"):
            continue
        node = nodes.get(unique_id, {})
        if kind == "unit_test":
            target = node.get("model") or unique_id.split(".")[2]
        else:
            parent = node.get("attached_node") or next(
                iter(node.get("depends_on", {}).get("nodes", [])), "")
            target = parent.rsplit(".", 1)[-1]
        status = result["status"] if result["status"] in DBT_CHECK_STATUSES else "error"
        failures = result.get("failures")
        if failures is None:
            failures = 0 if status in ("pass", "skipped") else 1
        completed = [t["completed_at"] for t in result.get("timing", []) if t.get("completed_at")]
        checked_at = None
        if completed:
            utc = dt.datetime.fromisoformat(max(completed).replace("Z", "+00:00"))
            checked_at = utc.astimezone(LOCAL_TIME).replace(tzinfo=None)
        severity = (node.get("config") or {}).get("severity")
        rows.append(("dbt", node.get("name") or unique_id.rsplit(".", 1)[-1], target, status,
                     int(failures), checked_at, None,
                     severity.lower() if severity else ("error" if kind == "unit_test" else None)))
    return rows


def append_dbt_test_results(con, run_results: Path) -> int:
    """Append the build's dbt test results to the copy's check_results (if it has one)."""
    present = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'marts' AND table_name = 'check_results'").fetchone()[0]
    if not present:
        return 0
    rows = dbt_test_rows(run_results)
    con.execute(f"DELETE FROM {CHECKS_TABLE} WHERE check_kind = 'dbt'")
    if rows:
        con.executemany(
            f"INSERT INTO {CHECKS_TABLE} (check_kind, check_name, target, status, failures, "
            "checked_at, region_code, severity) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return len(rows)


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
