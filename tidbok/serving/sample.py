"""A small serving file in the contract's shape, for tests and for trying the API or dashboards.

The real file is built by the dbt project and published by the pipeline; this writes the
same tables (marts.no_show_rate, marts.dim_regions, meta.publish_info) from given rows,
and publishes them the same way: build a finished copy, then os.replace it into place.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path

import duckdb

# (region_code, region_name, hsa_prefix, population): a few real regions, enough to filter by.
SAMPLE_REGIONS: tuple[tuple[str, str, str, int], ...] = (
    ("01", "Region Stockholm", "SE2321000016", 2473307),
    ("13", "Region Halland", "SE2321000115", 345000),
    ("25", "Region Norrbotten", "SE2321000230", 248000),
)

# (region_code, month, booking_channel, numerator, denominator)
NoShowRow = tuple[str, date, str, int, int]


def sample_no_show_rows() -> list[NoShowRow]:
    """Three months of plausible no-show counts; Norrbotten's phone cells are deliberately small."""
    rows: list[NoShowRow] = []
    for month_index, month in enumerate((date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1))):
        for region, scale in (("01", 40), ("13", 8), ("25", 3)):
            for channel, no_shows, visits in (
                ("eservice", 3, 100),
                ("phone", 5, 80),
                ("front_desk", 2, 30),
            ):
                numerator = no_shows * scale + month_index
                denominator = visits * scale + 7 * month_index
                rows.append((region, month, channel, numerator, denominator))
    return rows


def write_serving_file(
    path: Path,
    no_show_rows: Iterable[NoShowRow] | None = None,
    *,
    regions: Sequence[tuple[str, str, str, int]] = SAMPLE_REGIONS,
    version: str = "sample-1",
    published_at: datetime = datetime(2025, 4, 1, 6, 0),
) -> Path:
    """Write a serving file at `path` (atomically replacing any existing one); returns path."""
    rows = sample_no_show_rows() if no_show_rows is None else list(no_show_rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_name(path.name + ".building")
    building.unlink(missing_ok=True)
    con = duckdb.connect(str(building))
    try:
        con.execute("CREATE SCHEMA marts; CREATE SCHEMA meta")
        con.execute(
            "CREATE TABLE marts.dim_regions (region_code VARCHAR, region_name VARCHAR, "
            "hsa_prefix VARCHAR, population BIGINT)"
        )
        con.executemany("INSERT INTO marts.dim_regions VALUES (?, ?, ?, ?)", list(regions))
        con.execute(
            "CREATE TABLE marts.no_show_rate (region_code VARCHAR, month DATE, "
            "booking_channel VARCHAR, numerator BIGINT, denominator BIGINT, rate DOUBLE)"
        )
        if rows:
            con.executemany(
                "INSERT INTO marts.no_show_rate VALUES (?, ?, ?, ?, ?, "
                "CASE WHEN ? > 0 THEN ?::DOUBLE / ? END)",
                [(r, m, c, n, d, d, n, d) for r, m, c, n, d in rows],
            )
        con.execute("CREATE TABLE meta.publish_info (version VARCHAR, published_at TIMESTAMP)")
        con.execute("INSERT INTO meta.publish_info VALUES (?, ?)", [version, published_at])
        con.execute("CHECKPOINT")
    finally:
        con.close()
    os.replace(building, path)
    return path
