"""The gate for a delimited-text feed: encoding, header, rows checked by named rules.

A feed module subclasses `DelimitedFeed` and says only what is its own: the
columns, the rules, and how a valid row becomes canonical. Reading (any size,
streamed, exact line numbers, wrong field counts) is `ingestion.delimited`;
encoding detection is `ingestion.encoding`; both are used here as booking_csv
uses them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pyarrow as pa

from ingestion.delimited import FileRejected, iter_field_batches, read_header
from ingestion.encoding import UndetectableEncoding, detect_encoding, transcode_to_utf8
from ingestion.feeds import _field_rules as rules
from ingestion.feeds.base import Batch, LandingFile
from ingestion.privacy import quote_value, scrub_expr


class DelimitedFeed:
    """Base of the CSV adapters around the booking.

    Subclasses set `feed`, `tables` (one table), `columns` and `separator`, and
    implement `row_rules()` and `to_canonical()`. National catalogues set
    `delivery_date_columns`: their rows are stamped with the delivery date
    (the date in the file name, else the latest date in those columns that is
    not in the future, else null); a feed with another rule overrides
    `delivery_date()`.
    """

    feed: str
    tables: dict[str, pa.Schema]
    columns: tuple[str, ...]
    separator: str = ";"
    delivery_date_columns: tuple[str, ...] = ()

    def __init__(self, work_dir: Path):
        self.work_dir = work_dir  # for a UTF-8 copy of a Windows-1252 file
        self.encoding: str | None = None

    # --- what each feed says -----------------------------------------------------------
    def row_rules(self) -> list[pl.Expr]:
        raise NotImplementedError

    def to_canonical(self, rows: pl.DataFrame, file: LandingFile,
                     delivery_date: dt.date | None) -> pl.DataFrame:
        raise NotImplementedError

    def partition_days(self, loaded: pl.DataFrame, delivery_date: dt.date | None) -> set:
        """Dates the loaded rows belong to; the runner partitions the file by the latest."""
        return {delivery_date}

    # --- the shared gate ---------------------------------------------------------------
    @property
    def table(self) -> str:
        return next(iter(self.tables))

    def read(self, file: LandingFile) -> Iterator[Batch]:
        try:
            self.encoding = detect_encoding(file.path)
        except UndetectableEncoding as exc:
            raise FileRejected(f"cannot detect the text encoding: {exc}") from None
        source = file.path
        if self.encoding == "cp1252":
            self.work_dir.mkdir(parents=True, exist_ok=True)
            source = self.work_dir / f"{file.file_hash}.utf8.csv"
            transcode_to_utf8(file.path, source, "cp1252")
        try:
            yield from self._read_utf8(source, file)
        finally:
            if source != file.path:
                source.unlink(missing_ok=True)

    def _read_utf8(self, path: Path, file: LandingFile) -> Iterator[Batch]:
        header = [h.strip() for h in read_header(path, "utf-8-sig", self.separator)]
        self.check_header(header)
        delivery_date = self.delivery_date(path, file, header)
        row_rules = self.row_rules()
        complete = ends_with_newline(path)
        batches = iter_field_batches(path, header, self.separator)
        current = next(batches, None)
        while current is not None:
            following = next(batches, None)
            yield self._batch(current, file, delivery_date, row_rules,
                              complete or following is not None)
            current = following

    def _batch(self, fields: pl.DataFrame, file: LandingFile, delivery_date: dt.date | None,
               row_rules: list[pl.Expr], ends_cleanly: bool) -> Batch:
        width = len(self.columns)
        malformed = fields.filter(pl.col("field_count") != width).select(
            "line_number", pl.lit("(row)").alias("field"),
            pl.format("row has {} fields, expected {}", pl.col("field_count"), pl.lit(width)
                      ).alias("reason"),
            pl.lit(None, dtype=pl.String).alias("record"),
        )
        rows = self.prepare(fields.filter(pl.col("field_count") == width)).with_columns(
            pl.concat_str(row_rules, separator="; ", ignore_nulls=True).alias("errors"))
        is_bad = pl.col("errors").is_not_null() & (pl.col("errors") != "")
        bad = rows.filter(is_bad)
        rejected = pl.concat([
            malformed,
            bad.select("line_number", pl.col("errors").str.extract(r"^([^:]+):").alias("field"),
                       pl.col("errors").alias("reason"), self._record(bad)),
        ]).rename({"line_number": "row_number"})
        last_line = fields["line_number"].max()
        if not ends_cleanly and last_line in rejected["row_number"]:
            # A file cut off mid-write: its last row is incomplete, so is the delivery.
            raise FileRejected(f"truncated: the last line ({last_line}) is incomplete and the "
                               "file does not end with a line break")
        loaded = self.to_canonical(rows.filter(~is_bad), file, delivery_date)
        return Batch(loaded={self.table: loaded}, rejected=rejected, rows_read=fields.height,
                     days=self.partition_days(loaded, delivery_date))

    def check_header(self, header: list[str]) -> None:
        """Schema drift rejects the file (FileRejected naming the columns)."""
        check_header(header, self.columns, self.feed)

    def prepare(self, rows: pl.DataFrame) -> pl.DataFrame:
        """Rows of the right width before the rules run (e.g. joined to their people)."""
        return rows

    def _record(self, bad: pl.DataFrame) -> pl.Expr:
        """The rejected row as JSON; these feeds hold no personal identifiers, but free
        text is scrubbed all the same."""
        return pl.struct([scrub_expr(pl.col(c)).alias(c) for c in self.columns]
                         ).struct.json_encode().alias("record")

    def delivery_date(self, path: Path, file: LandingFile, header: list[str]) -> dt.date | None:
        if not self.delivery_date_columns:
            return None
        named = rules.date_in_name(file.path.name)
        if named is not None:
            return named
        # A date after today (a planned go-live, an open-ended validity) cannot be
        # the delivery's date.
        today = dt.date.today()
        latest = None
        for fields in iter_field_batches(path, header, self.separator):
            found = fields.select(pl.max_horizontal(
                [rules.date(c).filter(rules.date(c) <= today).max()
                 for c in self.delivery_date_columns])).item()
            if found is not None and (latest is None or found > latest):
                latest = found
        return latest


def check_header(header: list[str], columns: tuple[str, ...], feed: str) -> None:
    """Schema drift rejects the file, naming the columns; the order may differ
    (fields are taken by name)."""
    if sorted(header) == sorted(columns):
        return
    missing = [c for c in columns if c not in header]
    unexpected = [c for c in header if c not in columns]
    doubled = sorted({c for c in header if header.count(c) > 1})
    detail = []
    if missing:
        detail.append("missing column(s) " + ", ".join(missing))
    if unexpected:
        detail.append("unexpected column(s) " + ", ".join(quote_value(c) for c in unexpected))
    if doubled:
        detail.append("repeated column(s) " + ", ".join(doubled))
    raise FileRejected(f"header does not match the {feed} contract: " + "; ".join(detail))


def ends_with_newline(path: Path) -> bool:
    with path.open("rb") as fh:
        fh.seek(0, 2)
        if fh.tell() == 0:
            return False
        fh.seek(-1, 2)
        return fh.read(1) == b"\n"
