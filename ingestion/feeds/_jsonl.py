"""JSON Lines at columnar speed, with the exact per-line reasons of `ingestion.json_records`.

A flat JSON Lines feed (one object per line, string/number/boolean fields) is
read in bounded batches of lines. Each line is first checked by one strict
regular expression, run vectorised over the batch: a line it accepts is a flat
JSON object whose every key is in the contract with a value of its declared
JSON type (or null), and such a line is decoded by polars (`str.json_decode`
with an explicit schema). Every other line (invalid UTF-8 or JSON, not an
object, a wrong type, an unknown field, a required field absent, null or
empty, or anything the expression does not know) goes the exact slow way:
`orjson` per line and `json_records.shape_errors`, so its quarantine reason is
exactly that of the per-line reader. The expression may send a good line the
slow way; it never lets a bad line through, because it only accepts a grammar
narrower than JSON.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ingestion.delimited import FileRejected
from ingestion.json_records import (
    Field,
    _position_only,  # the same wording as the per-line reader
    check_drift,
    json_type,
    shape_errors,
)

try:  # C-speed parsing when available (a dependency of dagster-dbt); same strictness
    from orjson import loads as _loads
except ImportError:  # pragma: no cover
    from json import loads as _loads

BATCH_BYTES = 64 << 20  # about 100k booking events a batch
# One helper thread: polars decodes a batch (GIL released) while the line
# pattern is checked, as almost every batch is all fast-path lines.
_SPECULATE = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jsonl-decode")
_BOM = b"\xef\xbb\xbf"

_WS = r"[ \t\r\n]*"
_STRING = r'"(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"'
_INTEGER = r"-?(?:0|[1-9][0-9]*)"
_VALUES = {
    "string": _STRING,
    "boolean": r"(?:true|false)",
    "integer": _INTEGER,
    "number": _INTEGER + r"(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?",
}
_POLARS = {"string": pl.String, "boolean": pl.Boolean, "integer": pl.Int64,
           "number": pl.Float64}


def flat_line_pattern(spec: dict[str, Field]) -> str:
    """A regex accepting exactly the lines that are flat objects of known keys with
    values of their declared type (or null). Array and object fields never match."""
    by_kind: dict[str, list[str]] = {}
    for name, field in spec.items():
        if field.kind in _VALUES:
            by_kind.setdefault(field.kind, []).append(re.escape(name))
    members = "|".join(
        rf'"(?:{"|".join(names)})"{_WS}:{_WS}(?:{_VALUES[kind]}|null)'
        for kind, names in by_kind.items())
    member = f"(?:{members})"
    return rf"^{_WS}\{{{_WS}(?:{member}{_WS}(?:,{_WS}{member}{_WS})*)?\}}{_WS}$"


@dataclass
class LineFrame:
    """One batch of a JSON Lines file.

    `rows`: one row per JSON object line, in line order: `line_number`,
    `shape_errors` (null when the shape is right) and each field of the spec (a
    value of the wrong JSON type is null). `objects`: the parsed objects of
    slow-path lines by line number. `broken`: (line number, reason) of lines that
    are not objects. `lines`: the batch's raw lines, the first being `first_number`.
    """

    rows: pl.DataFrame
    objects: dict[int, dict]
    broken: list[tuple[int, str]]
    lines: list[bytes]
    first_number: int

    @property
    def rows_read(self) -> int:
        return self.rows.height + len(self.broken)

    def record(self, line_number: int) -> dict:
        """The parsed object of a row (to quarantine it, masked)."""
        if line_number in self.objects:
            return self.objects[line_number]
        return _loads(self.lines[line_number - self.first_number])


class FlatJsonLines:
    """Reads one flat JSON Lines contract; `where` names the records in messages."""

    def __init__(self, spec: dict[str, Field], where: str, batch_bytes: int | None = None):
        unknown = {f.kind for f in spec.values()} - set(_VALUES)
        if unknown:
            raise ValueError(f"not flat: field kinds {sorted(unknown)}")
        self.spec = spec
        self.where = where
        self.batch_bytes = batch_bytes or BATCH_BYTES
        self.pattern = flat_line_pattern(spec)
        self.schema = {"line_number": pl.Int64, "shape_errors": pl.String,
                       **{n: _POLARS[f.kind] for n, f in spec.items()}}
        self.struct = pl.Struct({n: _POLARS[f.kind] for n, f in spec.items()})
        self.required = [n for n, f in spec.items() if f.required]
        self.required_text = [n for n, f in spec.items() if f.required and f.kind == "string"]

    def batches(self, path: Path) -> Iterator[LineFrame]:
        """Yield the file's line batches; a last line without a line break that does
        not parse is a file cut off mid-write (FileRejected). The first batch is
        checked for schema drift (a renamed or dropped field in every record)."""
        first = True
        number = 0
        with path.open("rb") as fh:
            while chunk := fh.read(self.batch_bytes):
                if not chunk.endswith(b"\n"):
                    chunk += fh.readline()  # the batch ends at a line's end (or the file's)
                if number == 0 and chunk.startswith(_BOM):
                    chunk = chunk[len(_BOM):]
                lines = chunk.split(b"\n")  # lines as the per-line reader counts them
                ends_with_newline = lines[-1] == b""
                if ends_with_newline:
                    lines.pop()
                frame = self._batch(lines, number + 1, chunk, ends_with_newline)
                number += len(lines)
                if first:
                    self._check_drift(frame)
                    first = False
                if frame.rows_read:
                    yield frame

    def _check_drift(self, frame: LineFrame) -> None:
        # A fast-path line has every required field and no unknown one, so drift
        # ("in every record") is only possible when every object went the slow way.
        fast = frame.rows.height - len(frame.objects)
        if fast == 0:
            check_drift(list(frame.objects.values()), self.spec, self.where)

    def _read(self, data: bytes) -> pl.DataFrame | None:
        try:
            return pl.read_ndjson(data, schema=dict(self.struct.to_schema()))
        except pl.exceptions.PolarsError:
            return None

    def _decode(self, frame: pl.DataFrame, lines: list[bytes], first_number: int,
                chunk: bytes, whole: Future | None = None) -> pl.DataFrame | None:
        """The fast-path lines decoded by polars' JSON Lines reader, by line number."""
        fast = frame.filter(pl.col("_fast")).select("line_number")
        if not fast.height:
            return fast.with_columns(pl.lit(None, dtype=t).alias(n)
                                     for n, t in self.struct.to_schema().items())
        if fast.height == len(lines):  # the common case: every line, the chunk as it is
            values = whole.result() if whole is not None else self._read(chunk)
        else:
            values = self._read(b"\n".join([lines[n - first_number]
                                             for n in fast["line_number"]]))
        if values is None or values.height != fast.height:
            return None
        return pl.concat([fast, values], how="horizontal")

    def _batch(self, lines: list[bytes], first_number: int, chunk: bytes,
               ends_with_newline: bool) -> LineFrame:
        numbers = pl.int_range(first_number, first_number + len(lines), eager=True,
                               dtype=pl.Int64)
        raw = pl.Series("_raw", lines, dtype=pl.Binary)
        try:
            text = raw.cast(pl.String)
            bad_utf8: set[int] = set()
        except pl.exceptions.PolarsError:  # invalid UTF-8 somewhere: line by line
            decoded, bad_utf8 = [], set()
            for i, line in enumerate(lines):
                try:
                    decoded.append(line.decode("utf-8"))
                except UnicodeDecodeError:
                    decoded.append(None)
                    bad_utf8.add(i)
            text = pl.Series("_raw", decoded, dtype=pl.String)
        # The whole chunk decoded meanwhile (used only if every line is fast-path).
        whole = _SPECULATE.submit(self._read, chunk) if not bad_utf8 else None
        frame = pl.DataFrame({"line_number": numbers, "_raw": text}).with_columns(
            _blank=pl.col("_raw").str.contains(r"^[ \t\r\n]*$").fill_null(False),
            _fast=pl.col("_raw").str.contains(self.pattern).fill_null(False))
        decoded = self._decode(frame, lines, first_number, chunk, whole)
        if decoded is None:  # polars could not decode them (e.g. an integer beyond 64 bits)
            frame = frame.with_columns(_fast=pl.lit(False))
            decoded = pl.DataFrame(schema={k: v for k, v in self.schema.items()
                                           if k != "shape_errors"})
        # Required fields null (absent or null) or empty: the slow way, for the exact reason.
        incomplete = pl.any_horizontal(
            *[pl.col(n).is_null() for n in self.required],
            *[pl.col(n).str.contains(r"^[\s\x1c-\x1f]*$") for n in self.required_text],
            pl.lit(False))
        demoted = decoded.filter(incomplete)["line_number"]
        good = decoded.filter(~incomplete).with_columns(
            pl.lit(None, dtype=pl.String).alias("shape_errors"))
        slow_numbers = set(frame.filter(~pl.col("_fast") & ~pl.col("_blank"))["line_number"])
        slow_numbers.update(demoted)
        objects: dict[int, dict] = {}
        broken: list[tuple[int, str]] = []
        slow: dict[str, list] = {"line_number": [], "shape_errors": [],
                                 **{n: [] for n in self.spec}}
        for number in sorted(slow_numbers):
            i = number - first_number
            line = lines[i]
            if i in bad_utf8:
                broken.append((number, "not valid UTF-8"))
                continue
            cut = i == len(lines) - 1 and not ends_with_newline
            try:  # with its line break, as the per-line reader parses it (same positions)
                value = _loads(line if cut else line + b"\n")
            except ValueError as exc:  # position only, never content
                if cut:
                    raise FileRejected(f"truncated: the last line ({number}) is incomplete "
                                       "JSON and the file does not end with a line break"
                                       ) from None
                broken.append((number, f"not valid JSON: {_position_only(exc)}"))
                continue
            if not isinstance(value, dict):
                broken.append((number, f"not a JSON object but {json_type(value)}"))
                continue
            objects[number] = value
            errors = shape_errors(value, self.spec)
            slow["line_number"].append(number)
            slow["shape_errors"].append("; ".join(errors) if errors else None)
            for name, field in self.spec.items():
                v = value.get(name)
                slow[name].append(v if _is_kind(v, field.kind) else None)
        rows = good.select(list(self.schema))
        if slow["line_number"]:
            slow_frame = pl.DataFrame(slow, schema=self.schema)
            rows = pl.concat([rows, slow_frame]).sort("line_number")
        return LineFrame(rows, objects, broken, lines, first_number)


def _is_kind(value, kind: str) -> bool:
    t = type(value)
    if kind == "string":
        return t is str
    if kind == "boolean":
        return t is bool
    if kind == "integer":
        return t is int
    return t is int or t is float

