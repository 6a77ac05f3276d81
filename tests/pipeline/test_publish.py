"""Atomic publish (DESIGN.md decision 3): readers never see a half-written file."""

import os

import duckdb
import pytest

from tidbok import config, publish
from tidbok.duck import connect


def make_warehouse(home, value: int):
    con = connect(home / "warehouse.duckdb")
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    con.execute("CREATE SCHEMA IF NOT EXISTS staging")
    con.execute("CREATE OR REPLACE TABLE marts.figure AS SELECT ? AS value", [value])
    con.execute("CREATE OR REPLACE VIEW staging.rows AS SELECT 1 AS x")
    con.close()


def served_version(path):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("select version from meta.publish_info").fetchone()[0]
    finally:
        con.close()


def test_publish_replaces_the_file_and_strips_row_level_schemas(tidbok_home):
    config.ensure_layout()
    make_warehouse(tidbok_home, 1)
    first = publish.publish()
    con = duckdb.connect(str(config.serving_path()), read_only=True)
    assert con.execute("select value from marts.figure").fetchone()[0] == 1
    schemas = {r[0] for r in con.execute("select schema_name from duckdb_schemas()").fetchall()}
    assert "staging" not in schemas and "meta" in schemas
    con.close()
    assert served_version(config.serving_path()) == first.version


def test_a_reader_keeps_its_version_while_a_new_one_is_published(tidbok_home):
    config.ensure_layout()
    make_warehouse(tidbok_home, 1)
    publish.publish()
    reader = duckdb.connect(str(config.serving_path()), read_only=True)
    make_warehouse(tidbok_home, 2)
    publish.publish()
    assert reader.execute("select value from marts.figure").fetchone()[0] == 1
    reader.close()
    fresh = duckdb.connect(str(config.serving_path()), read_only=True)
    assert fresh.execute("select value from marts.figure").fetchone()[0] == 2
    fresh.close()


def test_a_failed_publish_leaves_the_previous_file(tidbok_home, monkeypatch):
    config.ensure_layout()
    make_warehouse(tidbok_home, 1)
    good = publish.publish()
    make_warehouse(tidbok_home, 2)

    def crash(*_args):
        raise OSError("disk full")

    with monkeypatch.context() as patched:
        patched.setattr(os, "replace", crash)
        with pytest.raises(OSError):
            publish.publish()
    assert served_version(config.serving_path()) == good.version
    leftovers = [p.name for p in config.home().iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_last_versions_are_kept_and_rollback_restores_the_previous(tidbok_home):
    config.ensure_layout()
    versions = []
    for value in range(1, 6):
        make_warehouse(tidbok_home, value)
        versions.append(publish.publish().version)
    kept = sorted(p.stem for p in config.serving_versions_dir().glob("*.duckdb"))
    assert kept == [f"serving-{v}" for v in versions[-publish.KEEP_VERSIONS:]]
    assert publish.rollback() == versions[-2]
    assert served_version(config.serving_path()) == versions[-2]


def test_row_level_fact_tables_never_reach_the_serving_file(tidbok_home):
    config.ensure_layout()
    make_warehouse(tidbok_home, 1)
    con = connect(tidbok_home / "warehouse.duckdb")
    con.execute("CREATE TABLE marts.fct_bookings AS SELECT 'x' AS patient_pseudonym")
    con.close()
    publish.publish()
    served = duckdb.connect(str(config.serving_path()), read_only=True)
    tables = {r[0] for r in served.execute("select table_name from duckdb_tables()").fetchall()}
    served.close()
    assert "fct_bookings" not in tables and "figure" in tables
