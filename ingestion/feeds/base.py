"""What every feed adapter provides, and the shared validation vocabulary."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import polars as pl
import pyarrow as pa


@dataclass(frozen=True)
class LandingFile:
    feed: str
    region_code: str  # two-digit county code, or "national"
    path: Path
    relative_path: str  # relative to landing/, safe to show and log
    file_hash: str


@dataclass
class Batch:
    """Canonical rows to load and rejected rows to quarantine, from one slice of a file.

    `loaded` maps canonical table name to rows in that table's schema: most
    feeds fill one table, some (a request log with its per-source calls) more.
    `rows_read` counts source rows (lines, resources, events) in this slice:
    every one of them is either in a loaded table's primary rows or rejected.
    """

    loaded: dict[str, pl.DataFrame]
    rejected: pl.DataFrame  # row_number, field, reason, record
    rows_read: int
    days: set = field(default_factory=set)  # dates the rows belong to (lake partition)


class FeedAdapter(Protocol):
    feed: str
    tables: dict[str, pa.Schema]  # canonical tables this feed writes; the first is primary

    def read(self, file: LandingFile) -> Iterator[Batch]:
        """Yield batches; raise FileRejected when the file cannot be read at all."""


REJECTED_COLUMNS = {"row_number": pl.Int64, "field": pl.String, "reason": pl.String,
                    "record": pl.String}


def empty_rejected() -> pl.DataFrame:
    return pl.DataFrame(schema=REJECTED_COLUMNS)


def check(condition: pl.Expr, field: str, message: pl.Expr | str) -> pl.Expr:
    """A rule: when `condition` holds the row is rejected at `field` with `message`."""
    msg = pl.lit(message) if isinstance(message, str) else message
    return pl.when(condition).then(pl.lit(field + ": ") + msg).otherwise(None)
