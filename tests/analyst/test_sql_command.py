"""`tidbok sql -c/-f/--tables`: one query on the guarded connection, printed or written."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from tidbok.analyst.output import OutputError, choose_format, format_table
from tidbok.cli import build_parser, main

QUERY = ("SELECT region_code, month, booking_channel, numerator, denominator FROM no_show_rate "
         "ORDER BY ALL")


def test_the_parser_knows_the_analyst_commands():
    parser = build_parser()
    args = parser.parse_args(["sql", "-c", "select 1", "--format", "csv", "-o", "x.csv"])
    assert (args.command, args.format, args.out) == ("sql", "csv", "x.csv")
    assert parser.parse_args(["sql"]).command == "sql"
    assert parser.parse_args(["docs", "--port", "8081", "--no-serve"]).port == 8081
    assert parser.parse_args(["docs"]).port == 8080
    args = parser.parse_args(["export", "--format", "parquet", "--out", "dir"])
    assert (args.command, args.format, args.out) == ("export", "parquet", "dir")


def test_tables_lists_every_analyst_table_with_its_description(served, capsys):
    assert main(["sql", "--tables"]) == 0
    out = capsys.readouterr().out
    assert "no_show_rate" in out and "Uteblivna besök / No-show rate." in out
    assert "region_code, month, booking_channel" in out
    assert "dim_regions" in out and "publish_info" in out
    assert "scratch_undocumented" not in out


def test_a_query_prints_a_table(served, capsys):
    assert main(["sql", "-c", QUERY]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split(" | ")[0].strip() == "region_code"
    assert lines[-1] == "(4 rows)"
    assert any("2025-01-01" in line and "eservice" in line for line in lines)


def test_csv_and_jsonl_go_to_stdout(served, capsys):
    assert main(["sql", "-c", QUERY, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 4 and rows[0]["region_code"] == "01" and rows[0]["month"] == "2025-01-01"
    assert main(["sql", "-c", QUERY, "--format", "jsonl"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert records[0] == {"region_code": "01", "month": "2025-01-01",
                          "booking_channel": "eservice", "numerator": 50, "denominator": 1200}


@pytest.mark.parametrize("suffix", ["csv", "parquet", "xlsx"])
def test_results_are_written_to_a_file_of_the_suffix_format(served, tmp_path, suffix):
    out = tmp_path / "results" / f"no_shows.{suffix}"
    assert main(["sql", "-c", QUERY, "--out", str(out)]) == 0
    if suffix == "parquet":
        table = pq.read_table(out)
        assert table.num_rows == 4 and str(table.schema.field("month").type) == "date32[day]"
    elif suffix == "xlsx":
        frame = pd.read_excel(out, dtype={"region_code": str})
        assert list(frame["region_code"]) == ["01", "13", "13", "13"]
    else:
        assert out.read_text().splitlines()[0].startswith('"region_code"')
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no partial files left


def test_a_query_from_a_file(served, tmp_path, capsys):
    query = tmp_path / "q.sql"
    query.write_text("-- visits by region\nSELECT region_code, sum(denominator) AS visits\n"
                     "FROM no_show_rate GROUP BY ALL ORDER BY ALL;\n")
    assert main(["sql", "-f", str(query), "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == ['"01",1200', '"13",750']


def test_controlled_applies_the_publishing_policy(served, capsys):
    assert main(["sql", "-c", QUERY, "--controlled", "--format", "jsonl"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    small = next(r for r in rows if r["month"] == "2025-02-01")  # 3 of 40: suppressed
    assert small["numerator"] is None and small["value"] is None and small["suppressed"]
    big = next(r for r in rows if r["region_code"] == "01")  # 50 of 1200: rounded, rate exact
    assert (big["numerator"], big["denominator"], big["value"]) == (50, 1200, 0.042)
    assert big["rounded"] and not big["suppressed"]


def test_controlled_with_totals_suppresses_a_complement(served, capsys):
    query = ("SELECT region_code, strftime(month, '%Y-%m') AS month, booking_channel, "
             "numerator, denominator FROM no_show_rate WHERE region_code = '13' AND month = "
             "'2025-01-01' UNION ALL SELECT '13', '2025-01', 'front_desk', 4, 60 ORDER BY ALL")
    assert main(["sql", "-c", query, "--controlled", "--total-keys", "region_code,month",
                 "--format", "jsonl"]) == 0
    rows = {r["booking_channel"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert rows["front_desk"]["numerator"] is None  # 4: small
    assert rows["eservice"]["numerator"] is None  # 12: the smallest other, a complement
    assert rows["phone"]["numerator"] == 30


def test_controlled_refuses_results_that_would_leak_true_figures(served, capsys):
    assert main(["sql", "-c", "SELECT region_code, numerator, denominator, rate FROM "
                 "no_show_rate", "--controlled"]) == 1
    assert "rate" in capsys.readouterr().err
    assert main(["sql", "-c", "SELECT region_code, rate FROM no_show_rate", "--controlled"]) == 1
    assert "numerator" in capsys.readouterr().err


def test_errors_are_messages_not_tracebacks(served, capsys, tmp_path):
    assert main(["sql", "-c", "SELECT * FROM no_such_table"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("tidbok: query failed:") and "no_such_table" in err
    assert main(["sql", "-c", "SELECT 1", "--format", "parquet"]) == 1
    assert "--out" in capsys.readouterr().err
    assert main(["sql", "-c", f"COPY (SELECT 1) TO '{tmp_path}/x.csv'"]) == 1
    assert "disabled by configuration" in capsys.readouterr().err


def test_without_a_serving_file_it_says_what_to_do(tidbok_home, capsys):
    assert main(["sql", "-c", "SELECT 1"]) == 1
    assert "tidbok run" in capsys.readouterr().err


def test_format_choice():
    assert choose_format(None, None) == "table"
    assert choose_format(None, __import__("pathlib").Path("a.PARQUET")) == "parquet"
    with pytest.raises(OutputError):
        choose_format("xlsx", None)
    with pytest.raises(OutputError):
        choose_format("yaml", None)


def test_format_table_aligns_numbers_and_shows_nulls():
    text = format_table(["name", "n"], [("a", 1), ("bb", None)])
    assert text.splitlines() == ["name |    n", "-----+-----", "a    |    1", "bb   | NULL",
                                 "(2 rows)"]
