"""`tidbok export`: the analyst tables as Parquet (or CSV) with schema.json and a README."""

from __future__ import annotations

import json

import duckdb
import pyarrow.parquet as pq

from tidbok import config
from tidbok.analyst.export import export_analyst_schema
from tidbok.cli import main


def test_export_writes_one_parquet_per_table_and_a_schema_file(served, tmp_path, capsys):
    out = tmp_path / "export"
    assert main(["export", "--format", "parquet", "--out", str(out)]) == 0
    assert "exported 3 table(s)" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == [
        "README.md", "dim_regions.parquet", "no_show_rate.parquet", "publish_info.parquet",
        "schema.json"]
    schema = json.loads((out / "schema.json").read_text())
    con = duckdb.connect(str(config.serving_path()), read_only=True)
    version = con.execute("SELECT version FROM meta.publish_info").fetchone()[0]
    assert schema["serving_version"] == version
    tables = {t["name"]: t for t in schema["tables"]}
    no_show = tables["no_show_rate"]
    assert no_show["grain"] == ["region_code", "month", "booking_channel"]
    assert (no_show["aggregation"], no_show["disclosure"], no_show["rows"]) == (
        "ratio", "people", 4)
    assert no_show["description"].startswith("Uteblivna besök / No-show rate.")
    assert no_show["columns"][3] == {"name": "numerator", "type": "BIGINT",
                                     "description": "No-shows (Uteblev)."}
    assert "uncontrolled" in schema["disclosure"] and "2.0" in schema["duckdb"]
    # The files hold exactly the served rows, with their types.
    table = pq.read_table(out / "no_show_rate.parquet")
    assert table.column_names == [c["name"] for c in no_show["columns"]]
    assert (sorted(table.to_pylist(), key=lambda r: tuple(map(str, r.values())))
            == sorted((dict(zip(table.column_names, row, strict=True)) for row in con.execute(
                "SELECT * FROM analyst.no_show_rate").fetchall()),
                key=lambda r: tuple(map(str, r.values()))))
    readme = (out / "README.md").read_text()
    for reader in ("arrow::read_parquet", "pandas.read_parquet", "Power BI", "Excel",
                   "DuckDB 2.0"):
        assert reader in readme


def test_export_as_csv_keeps_codes_as_text(served, tmp_path):
    exported = export_analyst_schema(tmp_path / "csv", "csv")
    assert exported.tables == {"no_show_rate": 4, "dim_regions": 2, "publish_info": 1}
    lines = (tmp_path / "csv" / "dim_regions.csv").read_text().splitlines()
    assert lines[1].startswith('"01",')
    assert "colClasses" in (tmp_path / "csv" / "README.md").read_text()


def test_export_twice_overwrites_without_partial_files(served, tmp_path):
    out = tmp_path / "export"
    export_analyst_schema(out)
    export_analyst_schema(out)
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
