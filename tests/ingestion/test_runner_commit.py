"""The runner commits a run at once: ledger, quarantine and gate results are one
file per run; a crash never leaves a ledger row without its parts; a corrected
delivery of the same file supersedes the earlier one."""

import duckdb
import polars as pl
import pytest

from ingestion import lake
from ingestion.feeds.booking_csv import BookingCsv
from ingestion.runner import ingest_landing
from tests.ingestion.booking_rows import row, write_booking_file


def read(home, glob: str) -> pl.DataFrame:
    return duckdb.sql(f"select * from read_parquet('{home}/{glob}', union_by_name=true)").pl()


def ledger(home) -> pl.DataFrame:
    return read(home, "lake/_ledger/*.parquet").sort("file_path", "ingested_at")


def bookings(home) -> pl.DataFrame:
    return read(home, "lake/bookings/**/*.parquet")


def quarantine(home) -> pl.DataFrame:
    return read(home, "quarantine/**/*.parquet")


def staging_is_empty(home) -> bool:
    return not [p for p in (home / "lake" / ".staging").rglob("*") if p.name != ".commit.lock"]


def deliver(home, days=("2025-03-03", "2025-03-04", "2025-03-05")):
    return [write_booking_file(home, [row(Bokningsid=f"B{i}{n}") for n in range(i + 1)], day=day)
            for i, day in enumerate(days)]


def test_one_ledger_file_per_run_and_each_file_reconciles(tidbok_home):
    deliver(tidbok_home)
    summary = ingest_landing()
    assert (summary.files_ingested, summary.rows_read, summary.rows_loaded) == (3, 6, 6)
    rows = ledger(tidbok_home)
    assert rows.height == 3
    assert (rows["rows_read"] == rows["rows_loaded"] + rows["rows_quarantined"]).all()
    assert len([p for p in (tidbok_home / "lake" / "_ledger").glob("*.parquet")
                if p.name != "_schema.parquet"]) == 1
    assert staging_is_empty(tidbok_home)
    again = ingest_landing()
    assert (again.files_ingested, again.files_skipped_known) == (0, 3)


def test_an_adapter_crash_keeps_the_files_staged_before_it(tidbok_home, monkeypatch):
    first, second, third = deliver(tidbok_home)
    original = BookingCsv.read

    def crash_on_second(self, file):
        if file.path == second:
            raise RuntimeError("adapter bug")
        yield from original(self, file)

    monkeypatch.setattr(BookingCsv, "read", crash_on_second)
    with pytest.raises(RuntimeError, match="adapter bug"):
        ingest_landing()
    assert ledger(tidbok_home)["file_path"].to_list() == ["booking_csv/01/" + first.name]
    assert set(bookings(tidbok_home)["booking_id"]) == {"B00"}
    assert staging_is_empty(tidbok_home)
    monkeypatch.setattr(BookingCsv, "read", original)
    summary = ingest_landing()
    assert (summary.files_ingested, summary.files_skipped_known) == (2, 1)
    assert bookings(tidbok_home).height == 6 and ledger(tidbok_home).height == 3


class Killed(BaseException):
    """The process dies here."""


def test_a_commit_cut_short_shows_no_ledger_row_and_the_next_run_finishes_it(
        tidbok_home, monkeypatch):
    deliver(tidbok_home)
    original = lake.apply_journal

    def die_after_two_steps(steps):
        original(list(steps)[:2])
        raise Killed

    monkeypatch.setattr(lake, "apply_journal", die_after_two_steps)
    with pytest.raises(Killed):
        ingest_landing()
    # Parts may be in place, but no file is marked ingested before all of them are.
    assert not [p for p in (tidbok_home / "lake" / "_ledger").glob("*.parquet")
                if p.name != "_schema.parquet"]
    assert list((tidbok_home / "lake" / ".staging").glob("run-*/journal.json"))
    monkeypatch.setattr(lake, "apply_journal", original)
    summary = ingest_landing()  # replays the journal, then finds nothing new
    assert (summary.files_ingested, summary.files_skipped_known) == (0, 3)
    rows = ledger(tidbok_home)
    assert rows.height == 3 and rows["rows_loaded"].sum() == 6
    assert bookings(tidbok_home).height == 6
    assert staging_is_empty(tidbok_home)


def test_a_run_killed_before_its_commit_leaves_nothing(tidbok_home):
    deliver(tidbok_home, days=("2025-03-03",))
    dead = tidbok_home / "lake" / ".staging" / "run-20250101T000000-dead" / "bookings"
    dead.mkdir(parents=True)
    (dead / ".part-0000000000000000.parquet.tmp").write_bytes(b"half")
    (dead.parent / ".lock").touch()  # nobody holds it: the run is gone
    assert ingest_landing().files_ingested == 1
    assert staging_is_empty(tidbok_home)


def test_a_corrected_delivery_supersedes_the_earlier_file(tidbok_home):
    path = write_booking_file(tidbok_home, [row(), row(Bokningsid="B2", Status="Okänd"),
                                            row(Bokningsid="B3")], day="2025-03-04")
    other = write_booking_file(tidbok_home, [row(Bokningsid="X1")], day="2025-03-05")
    first = ingest_landing()
    assert (first.rows_loaded, first.rows_quarantined) == (3, 1)
    earlier_hash = ledger(tidbok_home).filter(
        pl.col("file_path").str.ends_with(path.name))["file_hash"][0]
    # The region sends the same file again, corrected (same name, other bytes).
    write_booking_file(tidbok_home, [row(), row(Bokningsid="B2", Status="Bokad"),
                                     row(Bokningsid="B3"), row(Bokningsid="B4")],
                       day="2025-03-04")
    summary = ingest_landing()
    assert (summary.files_ingested, summary.rows_loaded, summary.rows_quarantined) == (1, 4, 0)
    rows = ledger(tidbok_home).filter(pl.col("file_path").str.ends_with(path.name))
    assert rows.select("status", "superseded_by").rows() == [
        ("superseded", rows["file_hash"][1]), ("loaded", None)]
    assert rows["file_hash"][0] == earlier_hash
    assert (rows["rows_read"] == rows["rows_loaded"] + rows["rows_quarantined"]).all()
    lake_rows = bookings(tidbok_home)
    assert earlier_hash not in set(lake_rows["source_file_hash"])
    assert sorted(lake_rows["booking_id"]) == ["B1", "B2", "B3", "B4", "X1"]
    assert quarantine(tidbok_home).filter(pl.col("file_hash") == earlier_hash).is_empty()
    assert other.exists() and ledger(tidbok_home).height == 3
    assert ingest_landing().files_ingested == 0  # the corrected bytes again: nothing to do


def test_a_file_committed_meanwhile_by_another_run_is_not_recorded_twice(tidbok_home,
                                                                         monkeypatch):
    from ingestion import runner

    deliver(tidbok_home, days=("2025-03-03", "2025-03-04"))
    original = runner.stage_file
    other_run_done = []

    def another_run_commits_first(run, adapter, file, gate):
        staged = original(run, adapter, file, gate)
        if not other_run_done:  # another process ingests the same landing files now
            other_run_done.append(True)
            monkeypatch.setattr(runner, "stage_file", original)
            assert runner.ingest_landing().files_ingested == 2
        return staged

    monkeypatch.setattr(runner, "stage_file", another_run_commits_first)
    summary = runner.ingest_landing()  # staged both, but both were committed meanwhile
    assert (summary.files_ingested, summary.files_skipped_known) == (0, 2)
    rows = ledger(tidbok_home)
    assert rows.height == 2 and rows["file_hash"].n_unique() == 2
    assert bookings(tidbok_home).height == 3
    assert staging_is_empty(tidbok_home)
