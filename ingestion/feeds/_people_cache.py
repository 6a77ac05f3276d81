"""Each distinct identifier of a file resolved once, not once per batch.

`ingestion.people.resolve_people` parses and pseudonymises each distinct raw
identifier of the values it is given; a large file delivers the same people in
batch after batch, so an adapter keeps what it resolved for the file it reads.
Memory stays bounded: past `LIMIT` identifiers the cache starts again. The clear
values live only in this in-memory frame, for as long as the file is read.
"""

from __future__ import annotations

import polars as pl

from ingestion.people import resolve_people

LIMIT = 500_000


class PeopleCache:
    def __init__(self, limit: int | None = None):
        self.limit = limit or LIMIT
        self.people: pl.DataFrame | None = None

    def join(self, rows: pl.DataFrame, id_column: str) -> pl.DataFrame:
        """`rows` with pseudonym, id type, birth date, sex and person_error beside the
        raw identifier (as `booking_versions.join_people`; drop it before writing)."""
        ids = rows.select(pl.col(id_column).drop_nulls().unique()).to_series()
        if self.people is not None and self.people.height + ids.len() > self.limit:
            self.people = None
        if self.people is not None:
            ids = ids.filter(~ids.is_in(self.people["raw_id"]))
        if ids.len() or self.people is None:
            found = resolve_people(ids)
            self.people = found if self.people is None else pl.concat([self.people, found])
        return rows.join(self.people, left_on=id_column, right_on="raw_id", how="left",
                         maintain_order="left")

    def pseudonyms(self, raw_ids) -> dict[str, str]:
        """raw -> pseudonym for these identifiers (to mask quarantined records)."""
        wanted = [r for r in set(raw_ids) if isinstance(r, str)]
        if not wanted or self.people is None:
            return {}
        hits = self.people.filter(pl.col("raw_id").is_in(wanted))
        return dict(zip(hits["raw_id"], hits["patient_pseudonym"], strict=True))
