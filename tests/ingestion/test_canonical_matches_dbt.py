"""The lake's schemas are defined once in code; dbt's sources must mirror them."""

import json
import os
import subprocess
import sys

import pyarrow as pa
import pytest

from ingestion.registry import canonical_tables, system_tables
from tidbok import config

ARROW_TO_DUCKDB = {
    pa.string(): "varchar", pa.int16(): "smallint", pa.int32(): "integer", pa.int64(): "bigint",
    pa.float64(): "double", pa.bool_(): "boolean", pa.date32(): "date",
    pa.timestamp("us"): "timestamp",
}


@pytest.fixture(scope="module")
def manifest(tmp_path_factory):
    target = tmp_path_factory.mktemp("dbt_target")
    env = {**os.environ, "TIDBOK_HOME": str(tmp_path_factory.mktemp("home"))}
    subprocess.run([sys.executable, "-m", "dbt.cli.main", "parse", "--project-dir",
                    str(config.DBT_PROJECT_DIR), "--profiles-dir", str(config.DBT_PROJECT_DIR),
                    "--target-path", str(target), "--quiet"], check=True, env=env)
    return json.loads((target / "manifest.json").read_text())


def arrow_type_name(dtype: pa.DataType) -> str:
    if pa.types.is_list(dtype):
        return ARROW_TO_DUCKDB[dtype.value_type] + "[]"
    return ARROW_TO_DUCKDB[dtype]


def test_every_canonical_table_is_a_dbt_source_with_the_same_columns(manifest):
    sources = {s["name"]: s for s in manifest["sources"].values() if s["source_name"] == "lake"}
    for table, schema in {**canonical_tables(), **system_tables()}.items():
        assert table in sources, f"lake table {table} has no dbt source"
        declared = {name: col.get("data_type") for name, col in sources[table]["columns"].items()}
        expected = {f.name: arrow_type_name(f.type) for f in schema}
        assert declared == expected, f"dbt source lake.{table} differs from ingestion's schema"
