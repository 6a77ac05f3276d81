"""booking_csv through the gate: loaded, quarantined with a reason, or rejected whole."""

import duckdb
import pytest

from ingestion.runner import ingest_landing
from tests.ingestion.booking_rows import row, write_booking_file


def lake(home):
    return duckdb.sql(f"select * from read_parquet('{home}/lake/bookings/**/*.parquet', "
                      "union_by_name=true) order by source_row").pl()


def quarantine(home):
    return duckdb.sql(f"select * from read_parquet('{home}/quarantine/**/*.parquet', "
                      "union_by_name=true) order by row_number").pl()


def ledger(home):
    return duckdb.sql(f"select * from read_parquet('{home}/lake/_ledger/*.parquet')").pl()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252"])
def test_valid_rows_become_canonical_bookings(tidbok_home, encoding):
    write_booking_file(tidbok_home, [row(), row(Bokningsid="B2", Kanal="Telefon",
                                            Status="Uteblev", Personnummer="198112189876")],
                       encoding=encoding)
    summary = ingest_landing()
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (2, 2, 0)
    rows = lake(tidbok_home)
    first = rows.row(0, named=True)
    assert first["time_type_name"] == "Läkarbesök 20 min"  # å survives either encoding
    assert first["booking_channel"] == "eservice" and first["status"] == "attended"
    assert first["contact_type"] == "physical" and first["reminder"] == "sms"
    assert first["birth_year"] == 1912 and first["sex"] == "M" and first["age_band"] == "80+"
    assert first["region_code"] == "01" and first["source_row"] == 2
    assert len(first["patient_pseudonym"]) == 64
    assert rows["status"].to_list() == ["attended", "no_show"]
    assert ledger(tidbok_home)["encoding"].to_list() == [encoding]


def test_bad_rows_are_quarantined_with_line_field_and_reason(tidbok_home):
    write_booking_file(tidbok_home, [
        row(),
        row(Bokningsid="B2", Personnummer="19121212-1213"),
        row(Bokningsid="B3", Kanal="Fax", Avbokningsorsak="ring 191212121212"),
        "B4;only;three",
        row(Bokningsid="B5", Starttid="4 mars"),
    ])
    summary = ingest_landing()
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (5, 1, 4)
    q = quarantine(tidbok_home)
    assert q["row_number"].to_list() == [3, 4, 5, 6]
    assert q["field"].to_list() == ["Personnummer", "Kanal", "(row)", "Starttid"]
    assert "Luhn" in q["reason"][0]
    assert q["reason"][2] == "row has 3 fields, expected 20"
    assert (q["file_path"] == "booking_csv/01/bokningar_01_2025-03-04.csv").all()
    text = q.write_csv()
    assert "19121212" not in text and "191212121212" not in text


def test_renamed_column_rejects_the_file_and_the_run_goes_on(tidbok_home):
    from ingestion.feeds.booking_csv import COLUMNS

    renamed = [("Vårdenhetsid" if c == "Vårdenhet" else c) for c in COLUMNS]
    write_booking_file(tidbok_home, [row(), row()], header=renamed, day="2025-03-04")
    write_booking_file(tidbok_home, [row(Bokningsid="OK")], day="2025-03-05")
    summary = ingest_landing()
    assert summary.files_rejected == 1 and summary.rows_loaded == 1
    led = ledger(tidbok_home).sort("file_path")
    bad = led.row(0, named=True)
    assert bad["status"] == "rejected_file"
    assert "missing column(s) Vårdenhet" in bad["message"]
    assert "unexpected column(s) 'Vårdenhetsid'" in bad["message"]
    assert (bad["rows_read"], bad["rows_loaded"], bad["rows_quarantined"]) == (2, 0, 2)


def test_truncated_file_is_rejected_whole(tidbok_home):
    cut = row()[:-9]
    write_booking_file(tidbok_home, [row(), cut], final_newline=False)
    summary = ingest_landing()
    assert summary.files_rejected == 1 and summary.rows_loaded == 0
    assert "truncated" in ledger(tidbok_home)["message"][0]


def test_same_bytes_twice_is_a_no_op(tidbok_home):
    write_booking_file(tidbok_home, [row()])
    assert ingest_landing().files_ingested == 1
    again = ingest_landing()
    assert again.files_ingested == 0 and again.files_skipped_known == 1
    assert lake(tidbok_home).height == 1


def test_every_ledger_row_reconciles(tidbok_home):
    write_booking_file(tidbok_home, [row(), row(Status="Okänd"), "x;y"], day="2025-03-04")
    write_booking_file(tidbok_home, [row()], day="2025-03-05", encoding="cp1252")
    ingest_landing()
    led = ledger(tidbok_home)
    assert (led["rows_read"] == led["rows_loaded"] + led["rows_quarantined"]).all()
    assert led["rows_read"].sum() == 4


def test_unsupported_feeds_are_listed_not_fatal(tidbok_home, monkeypatch):
    from ingestion import registry

    # A feed we know of but cannot read yet (every SOURCES.md feed has an adapter now).
    monkeypatch.setattr(registry, "KNOWN_FEEDS", (*registry.KNOWN_FEEDS, "waiting_list"))
    other = tidbok_home / "landing" / "waiting_list" / "01"
    other.mkdir(parents=True)
    (other / "vantelista.csv").write_text("x")
    stray = tidbok_home / "landing" / "misc" / "01"
    stray.mkdir(parents=True)
    (stray / "notes.txt").write_text("x")
    write_booking_file(tidbok_home, [row()])
    summary = ingest_landing()
    assert summary.unsupported_feeds == {"waiting_list": 1}
    assert summary.unknown_folders == ["misc/01"]
    assert summary.rows_loaded == 1
