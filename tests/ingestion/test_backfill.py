"""A backfill re-ingests a date range idempotently."""

import datetime as dt

import duckdb
import pytest

from ingestion.backfill import backfill
from ingestion.runner import ingest_landing
from tests.ingestion.booking_rows import row, write_booking_file


def lake_rows(home):
    return sorted(duckdb.sql(
        f"select booking_id, status, extract_date, source_file_hash from read_parquet("
        f"'{home}/lake/bookings/**/*.parquet', union_by_name=true)").fetchall())


def ledger_rows(home):
    return sorted(duckdb.sql(
        f"select file_hash, rows_read, rows_loaded, rows_quarantined from read_parquet("
        f"'{home}/lake/_ledger/*.parquet', union_by_name=true)").fetchall())


def test_backfill_twice_gives_the_same_lake(tidbok_home):
    write_booking_file(tidbok_home, [row(), row(Bokningsid="B2", Kanal="Fax")], day="2025-03-04")
    write_booking_file(tidbok_home, [row(Bokningsid="B3")], day="2025-03-05")
    ingest_landing(feeds=("booking_csv",))
    before_lake, before_ledger = lake_rows(tidbok_home), ledger_rows(tidbok_home)
    for _ in range(2):
        summary = backfill(dt.date(2025, 3, 4), dt.date(2025, 3, 4), feed="booking_csv")
        assert summary.files_ingested == 1 and summary.rows_read == 2
        assert lake_rows(tidbok_home) == before_lake
        assert ledger_rows(tidbok_home) == before_ledger


def test_backfill_outside_ingested_days_changes_nothing(tidbok_home):
    write_booking_file(tidbok_home, [row()], day="2025-03-04")
    ingest_landing(feeds=("booking_csv",))
    assert backfill(dt.date(2025, 4, 1), dt.date(2025, 4, 30)).files_ingested == 0


def test_backwards_range_is_refused(tidbok_home):
    with pytest.raises(ValueError, match="before it starts"):
        backfill(dt.date(2025, 4, 2), dt.date(2025, 4, 1))
