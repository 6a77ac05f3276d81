"""The regions (county codes and names) that served figures are cut by."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from tidbok.serving.connection import Snapshot, serving_snapshot
from tidbok.serving.errors import ServingContractBroken

REGIONS_TABLE = "marts.dim_regions"


@dataclass(frozen=True)
class Region:
    code: str  # two-digit county code, '01'..'25'
    name: str
    population: int | None


def regions(snapshot: Snapshot | None = None) -> list[Region]:
    if snapshot is None:
        with serving_snapshot() as snap:
            return regions(snap)
    return snapshot.memo("regions", lambda: _read(snapshot))


def region_codes(snapshot: Snapshot) -> list[str]:
    return [region.code for region in regions(snapshot)]


def _read(snap: Snapshot) -> list[Region]:
    con = snap.cursor()
    try:
        rows = con.execute(
            f"SELECT region_code, region_name, population FROM {REGIONS_TABLE} ORDER BY region_code"
        ).fetchall()
    except duckdb.CatalogException as exc:
        raise ServingContractBroken(
            f"The serving file has no {REGIONS_TABLE} table; republish it."
        ) from exc
    finally:
        con.close()
    return [Region(code, name, population) for code, name, population in rows]
