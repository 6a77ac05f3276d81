"""The regions (county codes and names) that served figures are cut by."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from tidbok.serving.connection import reuse_or_open
from tidbok.serving.errors import ServingContractBroken


@dataclass(frozen=True)
class Region:
    code: str  # two-digit county code, '01'..'25'
    name: str
    population: int | None


def regions(con: duckdb.DuckDBPyConnection | None = None) -> list[Region]:
    with reuse_or_open(con) as c:
        try:
            rows = c.execute(
                "SELECT region_code, region_name, population FROM marts.dim_regions "
                "ORDER BY region_code"
            ).fetchall()
        except duckdb.CatalogException as exc:
            raise ServingContractBroken(
                "The serving file has no marts.dim_regions table; republish it."
            ) from exc
    return [Region(code, name, population) for code, name, population in rows]
