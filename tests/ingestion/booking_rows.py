"""Build booking_csv files by hand for tests."""

from __future__ import annotations

from pathlib import Path

from ingestion.feeds.booking_csv import COLUMNS

GOOD = {
    "Bokningsid": "B1", "Vårdenhet": "SE2321000016-A1D4", "Tidbok": "SE2321000016-A1D5",
    "Personnummer": "19121212-1212", "Tidtyp": "T20", "Tidtypsnamn": "Läkarbesök 20 min",
    "Vårdtjänst": "LAKARBESOK", "Kontakttyp": "Fysiskt besök", "Starttid": "2025-03-04 08:15",
    "Sluttid": "2025-03-04 08:35", "Bokad": "2025-02-20 10:00", "Kanal": "1177",
    "Hänvisning": "", "Status": "Genomförd", "Avbokad": "", "Avbokad av": "",
    "Avbokningsorsak": "", "Ombokad från": "", "Påminnelse": "SMS", "Ändrad": "2025-03-04 09:00",
}


def row(**changes: str) -> str:
    values = {**GOOD, **changes}
    return ";".join(values[c] for c in COLUMNS)


def write_booking_file(home: Path, lines: list[str], region: str = "01",
                       day: str = "2025-03-04", encoding: str = "utf-8-sig",
                       header: list[str] | None = None, final_newline: bool = True) -> Path:
    folder = home / "landing" / "booking_csv" / region
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"bokningar_{region}_{day}.csv"
    text = ";".join(header or COLUMNS) + "\n" + "\n".join(lines) + ("\n" if final_newline else "")
    path.write_bytes(text.encode(encoding))
    return path
