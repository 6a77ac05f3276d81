"""Canonical booking rows made by the real adapter, to break on purpose."""

from __future__ import annotations

import polars as pl
import pytest

from ingestion.feeds.base import LandingFile
from ingestion.feeds.booking_csv import BookingCsv
from tests.ingestion.booking_rows import row, write_booking_file


def booking_file(home, count: int = 20, region: str = "01", day: str = "2025-03-04",
                 **changes) -> LandingFile:
    path = write_booking_file(home, [row(Bokningsid=f"B{i}", **changes) for i in range(count)],
                              region=region, day=day)
    return LandingFile("booking_csv", region, path, str(path.relative_to(home / "landing")),
                       f"{count:02d}{region}".ljust(64, "a"))


def canonical_bookings(home, file: LandingFile) -> pl.DataFrame:
    batches = list(BookingCsv(home / "work").read(file))
    return pl.concat([b.loaded["bookings"] for b in batches])


@pytest.fixture
def clean_bookings(tidbok_home):
    file = booking_file(tidbok_home)
    return file, canonical_bookings(tidbok_home, file)
