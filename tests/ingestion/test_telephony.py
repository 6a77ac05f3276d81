"""telephony through the gate: phone queues by reason, canonical codes, sane counts."""

import datetime as dt

import pytest

from ingestion.feeds.telephony import COLUMNS, REASON_LABELS
from ingestion.runner import ingest_landing
from tests.ingestion.around_booking import csv_row, lake, ledger, quarantine, write_landing

GOOD = {"Datum": "2025-03-04", "Vårdenhet": "SE2321000016-A1D4", "Kö": "Tidbok vårdcentral",
        "Ärende": "Boka", "Erbjudna samtal": "120", "Besvarade samtal": "100",
        "Återuppringningar": "15", "Medelväntetid s": "312", "Medelsamtalstid s": "185,5"}


def row(**changes: str) -> str:
    return csv_row({**GOOD, **changes}, COLUMNS)


def write(home, rows, header=COLUMNS, encoding="utf-8"):
    return write_landing(home, "telephony", "samtal_01_2025-03-04.csv",
                         [";".join(header), *rows], encoding=encoding)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_every_reason_maps_to_its_canonical_code(tidbok_home, encoding):
    write(tidbok_home, [row(Ärende=label) for label in REASON_LABELS] + [row(Ärende="BOKA")],
          encoding=encoding)
    summary = ingest_landing()
    assert (summary.rows_loaded, summary.rows_quarantined) == (7, 0)
    rows = lake(tidbok_home, "telephony_queues")
    assert rows["reason"].to_list() == ["book", "rebook", "cancel", "booking_lookup", "advice",
                                        "other", "book"]
    first = rows.row(0, named=True)
    assert first["date"] == dt.date(2025, 3, 4) and first["region_code"] == "01"
    assert first["queue"] == "Tidbok vårdcentral"
    assert (first["calls_offered"], first["calls_answered"], first["callbacks"]) == (120, 100, 15)
    assert first["avg_wait_seconds"] == 312.0 and first["avg_talk_seconds"] == 185.5
    assert ledger(tidbok_home)["encoding"].to_list() == [encoding]


def test_optional_measures_may_be_empty(tidbok_home):
    write(tidbok_home, [row(**{"Besvarade samtal": "0", "Återuppringningar": "",
                               "Medelsamtalstid s": "", "Medelväntetid s": ""})])
    assert ingest_landing().rows_loaded == 1
    got = lake(tidbok_home, "telephony_queues").row(0, named=True)
    assert got["callbacks"] is None and got["avg_talk_seconds"] is None


def test_bad_rows_are_quarantined_with_line_and_field(tidbok_home):
    write(tidbok_home, [
        row(**{"Besvarade samtal": "121"}),
        row(Ärende="Boka om"),
        row(**{"Medelväntetid s": "-3"}),
        row(**{"Erbjudna samtal": "many"}),
        row(Vårdenhet=""),
        row(**{"Kö": "ring 191212121212"}, Ärende="?"),
        row(),
    ])
    summary = ingest_landing()
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (7, 1, 6)
    q = quarantine(tidbok_home)
    assert q["row_number"].to_list() == [2, 3, 4, 5, 6, 7]
    assert q["field"].to_list() == ["Besvarade samtal", "Ärende", "Medelväntetid s",
                                    "Erbjudna samtal", "Vårdenhet", "Ärende"]
    assert q["reason"][0] == "Besvarade samtal: greater than Erbjudna samtal"
    assert q["reason"][1].startswith("Ärende: not one of Boka, Omboka, Avboka, Fråga om bokad tid")
    assert q["reason"][2] == "Medelväntetid s: not a number of at least 0"
    assert "191212121212" not in q.write_csv()  # free text is scrubbed in the record


def test_missing_column_rejects_the_file_naming_it(tidbok_home):
    header = [c for c in COLUMNS if c != "Återuppringningar"]
    write(tidbok_home, [";".join(GOOD[c] for c in header)], header=header)
    summary = ingest_landing()
    assert summary.files_rejected == 1
    assert "missing column(s) Återuppringningar" in ledger(tidbok_home)["message"][0]
