"""Feed 3d, `hsa_units`: the national unit catalogue (care units and their time books)."""

from __future__ import annotations

from simulator.feeds import WrittenFeed
from simulator.feeds.files import Delivery
from simulator.units import UnitCatalogue

FEED = "hsa_units"
HEADER = ("hsaId", "parentHsaId", "namn", "regionkod", "kommunkod", "enhetstyp", "ar_tidbok",
          "latitud", "longitud", "giltig_from", "giltig_tom")


def write_hsa_units(delivery: Delivery, units: UnitCatalogue) -> WrittenFeed:
    text = units.catalogue.select(HEADER).write_csv(
        separator=";", null_value="", float_precision=5, quote_style="necessary")
    delivery.write_file(FEED, "national", "hsa_units.csv", text.encode("utf-8"),
                        rows=units.catalogue.height, fmt="csv")
    return WrittenFeed(files=1, rows=units.catalogue.height)
