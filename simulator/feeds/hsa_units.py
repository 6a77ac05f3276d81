"""Feed 3d, `hsa_units`: the national unit catalogue (care units and their time books)."""

from __future__ import annotations

from pathlib import Path

from simulator.feeds import WrittenFeed
from simulator.units import UnitCatalogue

FEED = "hsa_units"
HEADER = ("hsaId", "parentHsaId", "namn", "regionkod", "kommunkod", "enhetstyp", "ar_tidbok",
          "latitud", "longitud", "giltig_from", "giltig_tom")


def write_hsa_units(out: Path, units: UnitCatalogue) -> WrittenFeed:
    path = out / FEED / "national" / "hsa_units.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = units.catalogue.select(HEADER).write_csv(
        separator=";", null_value="", float_precision=5, quote_style="necessary")
    path.write_bytes(text.encode("utf-8"))
    return WrittenFeed(files=1, rows=units.catalogue.height)
