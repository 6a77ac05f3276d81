"""The simulation sizes, in one table: period, unit density and booking volume.

`national` (a year, about 100 M bookings) streams: regions one at a time, and a big
region in chunks of residents (`chunk_bookings`), so memory holds one chunk.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    period_start: dt.date
    period_end: dt.date  # inclusive; also the last extract day (the knowledge cutoff)
    bookings: int  # target number of booking ids (incl. rebookings) across all regions
    unit_fraction: float  # share of the real number of care units to create per region
    min_units_per_region: int
    max_units_per_region: int | None
    description: str
    # Simulate a region in chunks of residents of about this many bookings (None: one chunk).
    chunk_bookings: int | None = None

    @property
    def days(self) -> int:
        return (self.period_end - self.period_start).days + 1

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "bookings": self.bookings,
            "unit_fraction": self.unit_fraction,
            "min_units_per_region": self.min_units_per_region,
            "max_units_per_region": self.max_units_per_region,
            "description": self.description,
            "chunk_bookings": self.chunk_bookings,
        }


SCALES: dict[str, Scale] = {
    scale.name: scale
    for scale in (
        Scale(
            name="tiny",
            period_start=dt.date(2025, 1, 1),
            period_end=dt.date(2025, 3, 31),
            bookings=5_000,
            unit_fraction=0.005,
            min_units_per_region=2,
            max_units_per_region=4,
            description="3 months, 2-4 care units per region, a few thousand bookings: tests.",
        ),
        Scale(
            name="small",
            period_start=dt.date(2025, 1, 1),
            period_end=dt.date(2025, 12, 31),
            bookings=1_000_000,
            unit_fraction=1.0,
            min_units_per_region=2,
            max_units_per_region=None,
            description="12 months, the full unit catalogue, about 1 % of a national year "
            "of bookings: demos and the end-to-end pipeline.",
        ),
        Scale(
            name="national",
            period_start=dt.date(2025, 1, 1),
            period_end=dt.date(2025, 12, 31),
            bookings=100_000_000,
            unit_fraction=1.0,
            min_units_per_region=2,
            max_units_per_region=None,
            description="12 months, every resident of Sweden, about 100 M bookings: the "
            "scale benchmark. Streams region by region and in chunks of residents.",
            chunk_bookings=500_000,
        ),
    )
}


def get_scale(name: str) -> Scale:
    try:
        return SCALES[name]
    except KeyError:
        raise ValueError(f"unknown scale {name!r}; known: {', '.join(SCALES)}") from None
