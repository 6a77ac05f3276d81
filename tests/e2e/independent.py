"""An independent no-show computation straight from the landing CSV files.

Deliberately shares no code with ingestion or dbt: Python's csv module, its
own encoding guess, its own code maps. If both agree, the pipeline is right.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from pathlib import Path

CHANNELS = {"1177": "eservice", "Telefon": "phone", "Reception": "front_desk",
            "Vårdpersonal": "staff", "Kallelse": "invitation", "Extern app": "third_party_app"}


def _text(path: Path) -> str:
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def final_states(landing: Path) -> dict[tuple[str, str], dict]:
    latest: dict[tuple[str, str], dict] = {}
    for path in sorted((landing / "booking_csv").glob("*/*.csv")):
        region = path.parent.name
        for row in csv.DictReader(io.StringIO(_text(path)), delimiter=";"):
            key = (region, row["Bokningsid"])
            if key not in latest or row["Ändrad"] > latest[key]["Ändrad"]:
                latest[key] = row
    return latest


def no_show_counts(landing: Path) -> dict[tuple[str, str, str], tuple[int, int]]:
    """(region, 'YYYY-MM', channel) -> (no-shows, attended + no-shows)."""
    counts: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for (region, _), row in final_states(landing).items():
        if row["Status"] not in ("Genomförd", "Uteblev"):
            continue
        key = (region, row["Starttid"][:7], CHANNELS.get(row["Kanal"], "unknown"))
        counts[key][0] += row["Status"] == "Uteblev"
        counts[key][1] += 1
    return {k: (v[0], v[1]) for k, v in counts.items()}
