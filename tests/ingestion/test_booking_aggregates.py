"""booking_aggregates through the gate: our GPAD-shaped counts and the real NHS
GPAD benchmark file, which must load whole and keep its DNA rate."""

import datetime as dt
import shutil

import duckdb
import pytest

from ingestion.runner import ingest_landing

HEADER = ("REGION_CODE,UNIT_HSA_ID,Appointment_Month,APPT_STATUS,HCP_TYPE,APPT_MODE,"
          "TIME_BETWEEN_BOOK_AND_APPT,BOOKING_CHANNEL,COUNT_OF_APPOINTMENTS")
GOOD = {"REGION_CODE": "01", "UNIT_HSA_ID": "SE2321000016-A1D4", "Appointment_Month": "MAR2025",
        "APPT_STATUS": "Attended", "HCP_TYPE": "GP", "APPT_MODE": "Face-to-Face",
        "TIME_BETWEEN_BOOK_AND_APPT": "8  to 14 Days", "BOOKING_CHANNEL": "eservice",
        "COUNT_OF_APPOINTMENTS": "120"}

# DNA / (Attended + DNA) in Regional_CSV_Somerset.csv, in per cent (2 decimals).
SOMERSET_DNA_BY_MODE = {"physical": 5.78, "home": 3.14, "phone": 3.69, "unknown": 2.05,
                        "video": 2.41}
SOMERSET_DNA_BY_LEAD_TIME = {
    "Same Day": 2.25, "1 Day": 4.62, "2 to 7 Days": 5.83, "8  to 14 Days": 7.11,
    "15  to 21 Days": 7.52, "22  to 28 Days": 8.06, "More than 28 Days": 9.02,
    "Unknown / Data Issue": 5.15,
}


def row(columns=None, **changes) -> str:
    values = {**GOOD, **changes}
    return ",".join(values[c] for c in (columns or HEADER.split(",")))


def write_counts(home, lines, region="01", name="antal_01_2025-03.csv", header=HEADER):
    folder = home / "landing" / "booking_aggregates" / region
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(header + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def counts(home):
    return duckdb.sql(f"select * from read_parquet('{home}/lake/booking_counts/**/*.parquet', "
                      "union_by_name=true) order by source_row").pl()


def quarantine(home):
    return duckdb.sql(f"select * from read_parquet('{home}/quarantine/**/*.parquet', "
                      "union_by_name=true) order by row_number").pl()


def ledger(home):
    return duckdb.sql(f"select * from read_parquet('{home}/lake/_ledger/*.parquet')").pl()


def dna_rates(home, dimension: str) -> dict:
    return dict(duckdb.sql(f"""
        select {dimension},
               round(100 * sum(appointment_count) filter (where appt_status = 'no_show')
                     / sum(appointment_count) filter (where appt_status in ('attended', 'no_show')),
                     2)
        from read_parquet('{home}/lake/booking_counts/**/*.parquet', union_by_name = true)
        where region_code = 'NHS'
        group by all
    """).fetchall())


def test_the_nhs_somerset_file_loads_whole_and_keeps_its_dna_rate(tidbok_home, reference_dir):
    folder = tidbok_home / "landing" / "booking_aggregates" / "NHS"
    folder.mkdir(parents=True)
    shutil.copy(reference_dir / "nhs-gpad" / "Regional_CSV_Somerset.csv", folder)
    summary = ingest_landing()
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (6645, 6645, 0)
    assert dna_rates(tidbok_home, "region_code") == {"NHS": 4.60}
    assert dna_rates(tidbok_home, "appt_mode") == SOMERSET_DNA_BY_MODE
    assert dna_rates(tidbok_home, "lead_time_band") == SOMERSET_DNA_BY_LEAD_TIME
    rows = counts(tidbok_home)
    assert set(rows["unit_id"]) == {"11X"} and set(rows["source_format"]) == {"nhs_gpad"}
    assert set(rows["booking_channel"]) == {"unknown"}
    assert set(rows["hcp_type"]) == {"gp", "other_practice_staff", "unknown"}
    assert rows["month"].min() == dt.date(2019, 3, 1) and rows["month"].max() == dt.date(2021, 8, 1)
    assert rows["appointment_count"].sum() == 7141842 + 344549 + 354047


def test_our_counts_become_canonical_with_or_without_a_channel(tidbok_home):
    write_counts(tidbok_home, [row(), row(APPT_STATUS="DNA", APPT_MODE="Video/Online",
                                          BOOKING_CHANNEL="Unknown", COUNT_OF_APPOINTMENTS="0")])
    no_channel = [c for c in HEADER.split(",") if c != "BOOKING_CHANNEL"]
    write_counts(tidbok_home, [row(no_channel, HCP_TYPE="Other Practice staff",
                                   TIME_BETWEEN_BOOK_AND_APPT="Same Day")],
                 name="antal_01_2025-04.csv", header=",".join(no_channel))
    summary = ingest_landing()
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (3, 3, 0)
    rows = counts(tidbok_home).sort("source_file_hash", "source_row")
    by_channel = {r["booking_channel"]: r for r in rows.iter_rows(named=True)}
    first = by_channel["eservice"]
    assert (first["region_code"], first["unit_id"], first["month"]) == (
        "01", "SE2321000016-A1D4", dt.date(2025, 3, 1))
    assert (first["appt_status"], first["hcp_type"], first["appt_mode"]) == (
        "attended", "gp", "physical")
    assert first["lead_time_band"] == "8  to 14 Days"  # GPAD's double space kept
    assert first["appointment_count"] == 120 and first["source_format"] == "tidbok"
    assert sorted(rows["booking_channel"]) == ["eservice", "unknown", "unknown"]
    assert sorted(rows["hcp_type"]) == ["gp", "gp", "other_practice_staff"]


def test_bad_rows_are_quarantined_with_line_field_and_reason(tidbok_home):
    write_counts(tidbok_home, [
        row(),
        row(Appointment_Month="2025-03"),
        row(APPT_STATUS="Did not attend"),
        row(TIME_BETWEEN_BOOK_AND_APPT="8 to 14 Days"),  # one space: not the GPAD label
        row(COUNT_OF_APPOINTMENTS="-3"),
        row(COUNT_OF_APPOINTMENTS="2.5"),
        row(UNIT_HSA_ID="Vårdcentralen 191212121212"),
        row(REGION_CODE="03"),
        row(BOOKING_CHANNEL="fax"),
        row(),  # the same cell again
        "01,SE2321000016-A1D4,MAR2025",
    ])
    summary = ingest_landing()
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (11, 1, 10)
    q = quarantine(tidbok_home)
    assert q["row_number"].to_list() == list(range(3, 13))
    assert q["field"].to_list() == [
        "Appointment_Month", "APPT_STATUS", "TIME_BETWEEN_BOOK_AND_APPT", "COUNT_OF_APPOINTMENTS",
        "COUNT_OF_APPOINTMENTS", "UNIT_HSA_ID", "REGION_CODE", "BOOKING_CHANNEL", "(row)",
        "(row)"]
    reasons = q["reason"].to_list()
    assert reasons[0] == "Appointment_Month: not a month as MAR2019"
    assert "'8  to 14 Days'" in reasons[2]
    assert reasons[6] == "REGION_CODE: not the region of the landing folder (01)"
    assert reasons[8] == "(row): duplicate of line 2 (same unit, month and dimensions)"
    assert reasons[9] == "row has 3 fields, expected 9"
    assert "191212121212" not in q.write_csv()


def test_a_wrong_header_rejects_the_file(tidbok_home):
    write_counts(tidbok_home, [row()], header=HEADER.replace("APPT_MODE", "MODE"))
    summary = ingest_landing()
    assert summary.files_rejected == 1
    message = ledger(tidbok_home)["message"][0]
    assert "missing column(s) APPT_MODE" in message and "unexpected column(s) 'MODE'" in message


@pytest.mark.parametrize("folder", ["01", "national"])
def test_an_nhs_file_in_a_swedish_folder_is_rejected(tidbok_home, reference_dir, folder):
    target = tidbok_home / "landing" / "booking_aggregates" / folder
    target.mkdir(parents=True)
    shutil.copy(reference_dir / "nhs-gpad" / "Regional_CSV_Somerset.csv", target)
    summary = ingest_landing()
    assert summary.files_rejected == 1 and summary.rows_loaded == 0
    assert "benchmark" in ledger(tidbok_home)["message"][0]
