"""hsa_units through the gate: the unit catalogue with English unit types,
coordinates checked against Sweden, time books tied to their care unit."""

import datetime as dt

from ingestion.feeds.hsa_units import COLUMNS, UNIT_TYPE_LABELS
from ingestion.runner import ingest_landing
from tests.ingestion.around_booking import (
    csv_row,
    lake,
    lake_parts,
    ledger,
    quarantine,
    write_landing,
)

UNIT = {"hsaId": "SE2321000016-A1D4", "parentHsaId": "", "namn": "Vårdcentralen Centrum Solna",
        "regionkod": "01", "kommunkod": "0184", "enhetstyp": "Vårdcentral", "ar_tidbok": "0",
        "latitud": "59.36", "longitud": "18,0", "giltig_from": "2001-05-01", "giltig_tom": ""}
BOOK = {**UNIT, "hsaId": "SE2321000016-A1D5", "parentHsaId": "SE2321000016-A1D4",
        "namn": "Vårdcentralen Centrum Solna, Läkarmottagning", "enhetstyp": "Tidbok",
        "ar_tidbok": "1"}


def row(base=UNIT, **changes: str) -> str:
    return csv_row({**base, **changes}, COLUMNS)


def write(home, rows, name="hsa_enheter_2025-03-01.csv", header=COLUMNS):
    return write_landing(home, "hsa_units", name, [";".join(header), *rows], region="national")


def test_units_and_time_books_become_canonical(tidbok_home):
    write(tidbok_home, [row(), row(BOOK), row(BOOK, hsaId="SE2321000016-A1D6",
                                              giltig_tom="2003-01-01")])
    summary = ingest_landing()
    assert (summary.rows_loaded, summary.rows_quarantined) == (3, 0)
    rows = lake(tidbok_home, "hsa_units")
    unit, book, closed = rows.iter_rows(named=True)
    assert unit["unit_type"] == "primary_care_centre" and unit["is_time_book"] is False
    assert unit["parent_hsa_id"] is None and unit["municipality_code"] == "0184"
    assert (unit["latitude"], unit["longitude"]) == (59.36, 18.0)  # decimal comma accepted
    assert unit["valid_from"] == dt.date(2001, 5, 1) and unit["valid_to"] is None
    assert book["unit_type"] == "time_book" and book["is_time_book"] is True
    assert book["parent_hsa_id"] == "SE2321000016-A1D4"
    assert closed["valid_to"] == dt.date(2003, 1, 1)
    assert set(rows["delivery_date"]) == {dt.date(2025, 3, 1)}
    assert lake_parts(tidbok_home, "hsa_units") == ["region=national/day=2025-03-01"]


def test_every_unit_type_has_an_english_code(tidbok_home):
    write(tidbok_home, [row(hsaId=f"SE2321000016-U{i}", enhetstyp=label)
                        for i, label in enumerate(UNIT_TYPE_LABELS)])
    assert ingest_landing().rows_quarantined == 0
    types = set(lake(tidbok_home, "hsa_units")["unit_type"])
    assert all(code.islower() and " " not in code for code in types)


def test_bad_units_are_quarantined(tidbok_home):
    write(tidbok_home, [
        row(latitud="18.0", longitud="59.36"),   # swapped
        row(regionkod="00"),
        row(enhetstyp="Akutmottagning"),
        row(BOOK, parentHsaId=""),
        row(ar_tidbok="ja"),
        row(giltig_tom="2000-01-01"),
        row(kommunkod="184"),
        row(hsaId="A1D4"),
        row(),
    ])
    summary = ingest_landing()
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (9, 1, 8)
    q = quarantine(tidbok_home)
    assert q["field"].to_list() == ["latitud", "regionkod", "enhetstyp", "parentHsaId",
                                    "ar_tidbok", "giltig_tom", "kommunkod", "hsaId"]
    assert q["reason"][0] == ("latitud: not a number between 55 and 69.5; "
                              "longitud: not a number between 10.5 and 24.5")


def test_without_a_date_in_the_name_the_latest_validity_date_is_the_delivery(tidbok_home):
    write(tidbok_home, [row(), row(BOOK, giltig_from="2024-06-30")], name="hsa_enheter.csv")
    ingest_landing()
    assert ledger(tidbok_home)["partition_day"][0] == dt.date(2024, 6, 30)


def test_missing_column_rejects_the_file_naming_it(tidbok_home):
    header = [c for c in COLUMNS if c != "ar_tidbok"]
    write(tidbok_home, [";".join(UNIT[c] for c in header)], header=header)
    assert ingest_landing().files_rejected == 1
    assert "missing column(s) ar_tidbok" in ledger(tidbok_home)["message"][0]
