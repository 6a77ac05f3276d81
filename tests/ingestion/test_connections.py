"""connections through the gate: onboardings loaded with their delivery date,
impossible date orders quarantined, possible ones kept."""

import datetime as dt

from ingestion.feeds.connections import COLUMNS
from ingestion.runner import ingest_landing
from tests.ingestion.around_booking import (
    csv_row,
    lake,
    lake_parts,
    ledger,
    quarantine,
    write_landing,
)

GOOD = {"vardenhet": "SE2321000016-A1D4", "tidbok": "SE2321000016-A1D5",
        "tjanst": "se_bokade_tider", "kallsystem": "SE2321000016-SYS1",
        "vardgivare": "SE2321000016-VG01", "ansokan_datum": "2024-01-10",
        "test_datum": "2024-02-01", "produktion_datum": "2024-03-01", "avslutad_datum": ""}


def row(**changes: str) -> str:
    return csv_row({**GOOD, **changes}, COLUMNS)


def write(home, rows, name="anslutningar_2025-03-04.csv", header=COLUMNS):
    return write_landing(home, "connections", name, [";".join(header), *rows],
                         region="national")


def test_connections_become_canonical_with_the_delivery_date(tidbok_home):
    write(tidbok_home, [row(), row(tjanst="boka", tidbok="", test_datum="",
                                   produktion_datum="", avslutad_datum=""),
                        row(tjanst="Omboka"), row(tjanst="avboka")])
    summary = ingest_landing()
    assert (summary.rows_loaded, summary.rows_quarantined) == (4, 0)
    rows = lake(tidbok_home, "unit_connections")
    first = rows.row(0, named=True)
    assert first["service"] == "view_bookings"
    assert (first["applied_on"], first["tested_on"], first["production_on"], first["ended_on"]) == (
        dt.date(2024, 1, 10), dt.date(2024, 2, 1), dt.date(2024, 3, 1), None)
    assert first["source_system"] == "SE2321000016-SYS1"
    assert rows["service"].to_list() == ["view_bookings", "book", "rebook", "cancel"]
    assert rows["time_book_hsa_id"][1] is None  # the whole unit is connected
    assert set(rows["delivery_date"]) == {dt.date(2025, 3, 4)}
    assert lake_parts(tidbok_home, "unit_connections") == ["region=national/day=2025-03-04"]


def test_without_a_date_in_the_name_the_latest_past_date_is_the_delivery(tidbok_home):
    write(tidbok_home, [row(), row(avslutad_datum="2024-11-30"),
                        row(ansokan_datum="2025-01-01", test_datum="", avslutad_datum="",
                            produktion_datum="2999-01-01")],  # a planned go-live
          name="anslutningar.csv")
    ingest_landing()
    assert set(lake(tidbok_home, "unit_connections")["delivery_date"]) == {dt.date(2025, 1, 1)}
    assert ledger(tidbok_home)["partition_day"][0] == dt.date(2025, 1, 1)


def test_impossible_date_orders_are_quarantined_possible_ones_kept(tidbok_home):
    write(tidbok_home, [
        row(test_datum="2024-01-01"),                                     # tested before applied
        row(produktion_datum="2023-12-31", test_datum=""),                # live before applied
        row(avslutad_datum="2024-02-15"),                                 # ended before live
        row(produktion_datum="", avslutad_datum="2024-01-01"),            # ended before applied
        row(test_datum="2024-04-01"),                                     # retest after go-live: ok
        row(ansokan_datum="", test_datum=""),                             # no application: ok
        row(produktion_datum="", avslutad_datum="2024-06-01"),            # abandoned: ok
        row(produktion_datum="2024-13-01"),
        row(tjanst="visa"),
        row(vardenhet="Vårdcentralen Centrum"),
    ])
    summary = ingest_landing()
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (10, 3, 7)
    q = quarantine(tidbok_home)
    assert q["row_number"].to_list() == [2, 3, 4, 5, 9, 10, 11]
    assert q["reason"].to_list()[:4] == [
        "test_datum: before ansokan_datum", "produktion_datum: before ansokan_datum",
        "avslutad_datum: before produktion_datum", "avslutad_datum: before ansokan_datum"]
    assert q["field"].to_list()[4:] == ["produktion_datum", "tjanst", "vardenhet"]
    assert q["reason"][5] == "tjanst: not one of se_bokade_tider, boka, omboka, avboka"


def test_renamed_column_rejects_the_file_naming_it(tidbok_home):
    header = [("tjänst" if c == "tjanst" else c) for c in COLUMNS]
    write(tidbok_home, [row()], header=header)
    assert ingest_landing().files_rejected == 1
    message = ledger(tidbok_home)["message"][0]
    assert "missing column(s) tjanst" in message and "'tjänst'" in message
