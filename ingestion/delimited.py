"""Read a delimited text file as batches of fields with exact line numbers.

Lines are split in Polars (fast), so a row with the wrong number of fields is
seen and quarantined instead of being silently padded or truncated. Lines that
contain a quote character are parsed by Python's csv module, one by one.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

BATCH_ROWS = 200_000
_UNUSED_SEPARATOR = "\x1f"  # a byte that never occurs in text: one column per line


class FileRejected(Exception):
    """A whole file cannot be read; the message names the problem (no identifiers)."""


@dataclass
class FieldBatch:
    rows: pl.DataFrame  # columns: line_number, field_count, then one column per header field
    header: list[str]


def read_header(path: Path, encoding: str, separator: str) -> list[str]:
    with path.open("r", encoding=encoding, newline="") as fh:
        first = fh.readline()
    if not first.strip():
        raise FileRejected("the file is empty (no header row)")
    return next(csv.reader([first.rstrip("\r\n")], delimiter=separator))


def _split_quoted(lines: list[str], separator: str) -> list[list[str]]:
    return [next(csv.reader([line], delimiter=separator), []) for line in lines]


def iter_field_batches(path: Path, header: list[str], separator: str,
                       batch_rows: int = BATCH_ROWS) -> Iterator[pl.DataFrame]:
    """Yield frames of (line_number, field_count, <header fields…>) for a UTF-8 file."""
    width = len(header)
    lines = pl.scan_csv(
        path, has_header=False, separator=_UNUSED_SEPARATOR, quote_char=None,
        new_columns=["line"], schema_overrides={"line": pl.String}, skip_rows=1,
        infer_schema=False, encoding="utf8", raise_if_empty=False,
    ).with_row_index("index", offset=2)
    for batch in lines.collect_batches(chunk_size=batch_rows):
        batch = batch.filter(pl.col("line").is_not_null() & (pl.col("line").str.strip_chars() != ""))
        if batch.height == 0:
            continue
        line = pl.col("line").str.strip_chars_end("\r")
        quoted = batch.select(pl.col("line").str.contains('"', literal=True).any()).item()
        if quoted:
            parts = pl.Series("fields", _split_quoted(batch["line"].str.strip_chars_end("\r").to_list(),
                                                      separator), dtype=pl.List(pl.String))
            frame = batch.select(pl.col("index").cast(pl.Int64).alias("line_number")).with_columns(parts)
        else:
            frame = batch.select(
                pl.col("index").cast(pl.Int64).alias("line_number"),
                line.str.split(separator).alias("fields"),
            )
        frame = frame.with_columns(pl.col("fields").list.len().cast(pl.Int64).alias("field_count"))
        cells = [
            pl.when(pl.col("field_count") == width)
            .then(pl.col("fields").list.get(i, null_on_oob=True))
            .otherwise(None)
            .str.strip_chars()
            .replace("", None)
            .alias(name)
            for i, name in enumerate(header)
        ]
        yield frame.select("line_number", "field_count", *cells)
