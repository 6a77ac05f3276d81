"""timeslots through the gate: capacity rows loaded, impossible counts quarantined."""

import datetime as dt

from ingestion.feeds.timeslots import COLUMNS
from ingestion.runner import ingest_landing
from tests.ingestion.around_booking import (
    csv_row,
    lake,
    lake_parts,
    ledger,
    quarantine,
    write_landing,
)

GOOD = {"Datum": "2025-03-04", "Vårdenhet": "SE2321000016-A1D4", "Tidbok": "SE2321000016-A1D5",
        "Tidtyp": "VACINF", "Vårdtjänst": "VACCINATION", "Antal tider": "40",
        "Webbokningsbara": "30", "Bokade": "35", "Lediga vid start": "8"}


def row(**changes: str) -> str:
    return csv_row({**GOOD, **changes}, COLUMNS)


def write(home, rows, header=COLUMNS, **kwargs):
    return write_landing(home, "timeslots", "tider_01_2025-03-04.csv",
                         [";".join(header), *rows], **kwargs)


def test_valid_rows_become_canonical_timeslots(tidbok_home):
    write(tidbok_home, [row(), row(Datum="2025-03-05", Vårdtjänst="provtagning",
                                   **{"Lediga vid start": "0", "Antal tider": "0",
                                      "Webbokningsbara": "0", "Bokade": "0"})])
    summary = ingest_landing()
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (2, 2, 0)
    first, second = lake(tidbok_home, "timeslots").iter_rows(named=True)
    assert first == {
        "region_code": "01", "date": dt.date(2025, 3, 4), "care_unit_hsa_id": "SE2321000016-A1D4",
        "time_book_hsa_id": "SE2321000016-A1D5", "time_type_code": "VACINF",
        "care_service": "VACCINATION", "slots_total": 40, "slots_web_bookable": 30,
        "slots_booked": 35, "slots_free_at_start": 8,
        "source_file_hash": ledger(tidbok_home)["file_hash"][0], "source_row": 2,
    }
    assert second["care_service"] == "PROVTAGNING"  # codes compare case-insensitively
    # The file's partition is its latest day.
    assert lake_parts(tidbok_home, "timeslots") == ["region=01/day=2025-03-05"]


def test_impossible_counts_and_bad_values_are_quarantined(tidbok_home):
    write(tidbok_home, [
        row(),
        row(Webbokningsbara="41"),
        row(Bokade="-1"),
        row(**{"Antal tider": "4.5"}),
        row(Vårdtjänst="AKUT"),
        row(Datum="4/3/2025"),
        row(Tidbok="A1D5"),
        "2025-03-04;SE2321000016-A1D4;too;few",
        row(**{"Lediga vid start": "41"}),
        row(Tidtyp=""),
    ])
    summary = ingest_landing()
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (10, 1, 9)
    q = quarantine(tidbok_home)
    assert q["row_number"].to_list() == list(range(3, 12))
    assert q["field"].to_list() == ["Webbokningsbara", "Bokade", "Antal tider", "Vårdtjänst",
                                    "Datum", "Tidbok", "(row)", "Lediga vid start", "Tidtyp"]
    reasons = q["reason"].to_list()
    assert reasons[0] == "Webbokningsbara: greater than Antal tider"
    assert reasons[1] == "Bokade: not a non-negative whole number"
    assert reasons[3].startswith("Vårdtjänst: not one of LAKARBESOK")
    assert reasons[6] == "row has 4 fields, expected 9"
    assert q["record"][0].startswith('{"Datum":"2025-03-04"')


def test_renamed_column_rejects_the_file_naming_it(tidbok_home):
    header = [("Bokningsbara webb" if c == "Webbokningsbara" else c) for c in COLUMNS]
    write(tidbok_home, [row(), row()], header=header)
    summary = ingest_landing()
    assert summary.files_rejected == 1
    bad = ledger(tidbok_home).row(0, named=True)
    assert bad["status"] == "rejected_file"
    assert "missing column(s) Webbokningsbara" in bad["message"]
    assert "unexpected column(s) 'Bokningsbara webb'" in bad["message"]
    assert (bad["rows_read"], bad["rows_quarantined"]) == (2, 2)


def test_columns_in_another_order_are_read_by_name(tidbok_home):
    header = list(reversed(COLUMNS))
    values = {**GOOD, "Bokade": "7"}
    write(tidbok_home, [";".join(values[c] for c in header)], header=header)
    assert ingest_landing().rows_loaded == 1
    assert lake(tidbok_home, "timeslots")["slots_booked"].to_list() == [7]


def test_truncated_file_is_rejected_whole(tidbok_home):
    write(tidbok_home, [row(), row()[:-12]], final_newline=False)
    summary = ingest_landing()
    assert summary.files_rejected == 1
    assert "truncated" in ledger(tidbok_home)["message"][0]
