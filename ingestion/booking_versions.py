"""Pieces shared by the JSON booking feeds (events, FHIR) that write version rows
of the canonical `bookings` table: the person columns derived at the gate and
the frame of rejected records."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

import polars as pl

from ingestion.feeds.base import REJECTED_COLUMNS
from ingestion.feeds.booking_csv import age_band_expr
from ingestion.people import resolve_people


def join_people(rows: pl.DataFrame, id_column: str) -> tuple[pl.DataFrame, dict[str, str]]:
    """Rows with pseudonym, id type, birth date, sex and person_error beside the raw
    identifier (drop it before writing), and raw -> pseudonym for masking records."""
    people = resolve_people(rows[id_column])
    joined = rows.join(people, left_on=id_column, right_on="raw_id", how="left",
                       maintain_order="left")
    return joined, dict(zip(people["raw_id"], people["patient_pseudonym"], strict=True))


def person_columns(visit_start: pl.Expr) -> list[pl.Expr]:
    """The canonical person columns of a row joined by `join_people`."""
    birth = pl.col("birth_date")
    before_birthday = (visit_start.dt.month() * 100 + visit_start.dt.day()) < (
        birth.dt.month() * 100 + birth.dt.day())
    age = visit_start.dt.year() - birth.dt.year() - before_birthday.cast(pl.Int32)
    return [
        pl.col("patient_pseudonym"),
        pl.col("patient_id_type"),
        birth.dt.year().cast(pl.Int16).alias("birth_year"),
        age_band_expr(age.cast(pl.Int32)).alias("age_band"),
        pl.col("sex"),
    ]


def rejected_frame(rows: list[tuple[int, str | None, str, str | None]]) -> pl.DataFrame:
    """(row_number, field, reason, record) tuples as the Batch's rejected frame."""
    return pl.DataFrame(rows, orient="row", schema=REJECTED_COLUMNS).sort("row_number")


def first_field(reason: str) -> str:
    """The field a "field: problem; …" reason names first (a field may hold a URN)."""
    return reason.split(": ", 1)[0]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Flattening a batch builds millions of small objects, none in a cycle; the
    cyclic collector would run over and over for nothing (about 3x slower), so
    it is paused for the loop and restored after it, whatever happens."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
