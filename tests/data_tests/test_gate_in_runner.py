"""The gate inside ingestion: a blocking failure rejects the whole file, a warning does not."""

import re

import duckdb
import polars as pl

from data_tests.rules import PERSON_ID_REGEX
from ingestion.runner import ingest_landing
from tests.data_tests.conftest import booking_file


def read(home, table: str) -> pl.DataFrame:
    return duckdb.sql(f"select * from read_parquet('{home}/lake/{table}/**/*.parquet', "
                      "union_by_name=true)").pl()


def gate_results(home) -> pl.DataFrame:
    return read(home, "_gate_results")


def test_a_blocking_failure_loads_nothing_and_rejects_the_file(tidbok_home, monkeypatch):
    # An adapter bug: the free-text scrub is lost, so a personnummer reaches the rows.
    monkeypatch.setattr("ingestion.feeds.booking_csv.scrub_expr", lambda expr: expr)
    booking_file(tidbok_home, count=12, Avbokningsorsak="ring 19121212-1212")
    summary = ingest_landing()
    assert (summary.files_rejected, summary.rows_read, summary.rows_loaded,
            summary.rows_quarantined) == (1, 12, 0, 12)
    assert list((tidbok_home / "lake" / "bookings").rglob("part-*")) == []
    assert list((tidbok_home / "lake" / ".staging").rglob("*.parquet*")) == []
    ledger = read(tidbok_home, "_ledger").row(0, named=True)
    assert ledger["status"] == "rejected_file"
    assert (ledger["rows_read"], ledger["rows_loaded"], ledger["rows_quarantined"]) == (12, 0, 12)
    assert ledger["message"] == ("gate: no_column_holds_a_personnummer failed on bookings: "
                                 "12 of 12 row(s) unexpected (100.00%); in column(s) cancel_reason")
    quarantine = duckdb.sql(f"select * from read_parquet('{tidbok_home}/quarantine/**/*.parquet')"
                            ).pl()
    assert quarantine["reason"].to_list() == [ledger["message"]]
    results = gate_results(tidbok_home)
    assert results.filter(~pl.col("success"))["expectation"].to_list() == [
        "no_column_holds_a_personnummer"]
    for text in (ledger["message"], quarantine.write_csv(), results.write_csv()):
        assert not re.search(PERSON_ID_REGEX, text)


def test_warnings_are_recorded_and_the_file_loads(tidbok_home):
    booking_file(tidbok_home, count=30, day="2025-03-04")
    assert ingest_landing().rows_loaded == 30
    booking_file(tidbok_home, count=2, day="2025-03-05")  # the volume collapses
    booking_file(tidbok_home, count=3, region="03")  # another region: nothing to compare with
    summary = ingest_landing()
    assert (summary.files_rejected, summary.rows_loaded) == (0, 5)
    assert set(read(tidbok_home, "_ledger")["status"]) == {"loaded"}
    results = gate_results(tidbok_home)
    assert results["file_hash"].n_unique() == 3  # every file's results are kept
    volume = results.filter(pl.col("expectation") == "volume_near_previous_delivery").sort(
        "region_code", "rows_checked")
    failed = volume.filter(~pl.col("success"))
    assert failed.select("region_code", "severity").rows() == [("01", "warn")]
    assert failed["observed"][0] == ("2 row(s) loaded; the previous delivery loaded 30 "
                                     "(expected 6 to 150)")
    assert results.filter(pl.col("expectation") != "volume_near_previous_delivery")[
        "success"].all()


def test_the_gate_results_table_is_a_lake_table(tidbok_home):
    from ingestion.registry import system_tables

    assert "_gate_results" in system_tables()
    folder = tidbok_home / "lake" / "_gate_results"
    ingest_landing()  # nothing delivered yet: the table exists (dbt can read it) but is empty
    assert [p.name for p in folder.iterdir()] == ["_schema.parquet"]
    booking_file(tidbok_home, count=3)
    ingest_landing()
    assert len(list(folder.glob("*.parquet"))) == 2  # the schema file and this file's results


def test_one_bad_file_of_a_run_is_rejected_whole_and_the_others_load(tidbok_home, monkeypatch):
    from data_tests.validation import VALIDATIONS

    monkeypatch.setattr("ingestion.feeds.booking_csv.scrub_expr", lambda expr: expr)
    for count, day in ((10, "2025-03-03"), (11, "2025-03-04")):
        booking_file(tidbok_home, count=count, day=day)
    bad = booking_file(tidbok_home, count=7, day="2025-03-05",
                       Avbokningsorsak="ring 19121212-1212")
    booking_file(tidbok_home, count=9, region="03")
    VALIDATIONS.clear()
    summary = ingest_landing()
    assert (summary.files_ingested, summary.files_rejected) == (4, 1)
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (37, 30, 7)
    # Great Expectations ran once per table for the whole run: a pass/fail
    # validation of every file's rows (its rules in two groups: those on columns
    # with nulls apart, data_tests.validation), and one detailed validation of
    # the rules that failed (which rows of which file), never one per file.
    assert VALIDATIONS == {"bookings": 3}
    ledger = read(tidbok_home, "_ledger")
    assert (ledger["rows_read"] == ledger["rows_loaded"] + ledger["rows_quarantined"]).all()
    statuses = dict(zip(ledger["file_path"], ledger["status"], strict=True))
    assert statuses == {bad.relative_path: "rejected_file",
                        **{p: "loaded" for p in statuses if p != bad.relative_path}}
    rejected = ledger.filter(pl.col("status") == "rejected_file").row(0, named=True)
    assert rejected["message"] == (
        "gate: no_column_holds_a_personnummer failed on bookings: 7 of 7 row(s) unexpected "
        "(100.00%); in column(s) cancel_reason")
    bad_hash = rejected["file_hash"]
    lake = read(tidbok_home, "bookings")
    assert lake.height == 30 and bad_hash not in set(lake["source_file_hash"])
    quarantine = duckdb.sql(f"select * from read_parquet('{tidbok_home}/quarantine/**/*.parquet')"
                            ).pl()
    assert quarantine.select("file_hash", "field", "reason").rows() == [
        (bad_hash, "(file)", rejected["message"])]
    results = gate_results(tidbok_home)
    assert results["run_id"].n_unique() == 1
    assert results["file_hash"].n_unique() == 4  # every file has its own results
    failed = results.filter(~pl.col("success") & (pl.col("severity") == "block"))
    assert failed.select("file_hash", "expectation", "unexpected_count").rows() == [
        (bad_hash, "no_column_holds_a_personnummer", 7)]
    # One file per run for the ledger, the quarantine and the gate's results.
    for folder in ("lake/_ledger", "lake/_gate_results", "quarantine/feed=booking_csv"):
        names = [p.name for p in (tidbok_home / folder).glob("*.parquet")]
        assert len([n for n in names if n != "_schema.parquet"]) == 1, folder
    assert ingest_landing().files_ingested == 0  # the same bytes again: nothing to do
    assert VALIDATIONS == {"bookings": 3}


def test_a_clean_run_validates_each_table_once_whatever_the_number_of_files(tidbok_home):
    from data_tests.validation import VALIDATIONS

    for i in range(6):
        booking_file(tidbok_home, count=5 + i, day=f"2025-03-{i + 1:02d}")
    VALIDATIONS.clear()
    assert ingest_landing().files_ingested == 6
    # One pass/fail pass over all six files' rows: the rules on columns with
    # nulls in one validation, the others in another (data_tests.validation).
    assert VALIDATIONS == {"bookings": 2}


def test_rows_are_validated_in_bounded_chunks_across_files(tidbok_home, monkeypatch):
    from data_tests.validation import VALIDATIONS

    monkeypatch.setattr("data_tests.gate.CHUNK_ROWS", 8)
    for count in (5, 6, 7):
        booking_file(tidbok_home, count=count, day=f"2025-03-{count:02d}")
    VALIDATIONS.clear()
    assert ingest_landing().rows_loaded == 18
    assert VALIDATIONS == {"bookings": 3 * 2}  # 18 rows in chunks of at most 8 (2 groups)
    results = gate_results(tidbok_home).filter(pl.col("expectation") == "status_in_code_list")
    assert sorted(results["rows_checked"]) == [5, 6, 7]  # each file's rows, over chunks


def test_volume_compares_each_file_with_the_one_before_it_in_the_same_run(tidbok_home):
    booking_file(tidbok_home, count=30, day="2025-03-04")
    booking_file(tidbok_home, count=2, day="2025-03-05")  # collapses after the 30
    booking_file(tidbok_home, count=3, day="2025-03-06")  # near the 2 before it
    assert ingest_landing().rows_loaded == 35
    volume = gate_results(tidbok_home).filter(
        pl.col("expectation") == "volume_near_previous_delivery").sort("rows_checked")
    observed = dict(zip(volume["observed"].str.extract(r"^(\d+) row"), volume["success"],
                        strict=True))
    assert observed == {"2": False, "3": True, "30": True}
