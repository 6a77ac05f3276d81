"""One query's result, printed or written: text table, CSV, JSON lines, Parquet or Excel.

Files are written here in Python from Arrow record batches, never by DuckDB's COPY (the
analyst session has no file access at all). CSV and Parquet stream batch by batch, so a
large result needs no more memory than a batch; Excel holds the result in memory and
refuses more rows than a worksheet takes.

`controlled=True` applies the publishing policy (tidbok.serving.disclosure, DESIGN.md
decision 6) before anything is written: the result must be key columns plus `numerator`
and `denominator`; the output carries the served counts and the rate as `value`.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

import duckdb

FORMATS = ("table", "csv", "jsonl", "parquet", "xlsx")
SUFFIX_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".json": "jsonl", ".parquet": "parquet",
                  ".xlsx": "xlsx", ".txt": "table"}
BINARY_FORMATS = ("parquet", "xlsx")
EXCEL_MAX_ROWS = 1_048_575  # a worksheet's rows, less the header
BATCH_ROWS = 100_000
NUMERIC_PREFIXES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT",
                    "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE",
                    "DECIMAL", "REAL")


class OutputError(ValueError):
    """The result cannot be written as asked (the message says why)."""


def choose_format(fmt: str | None, out: Path | None) -> str:
    if fmt:
        if fmt not in FORMATS:
            raise OutputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
        chosen = fmt
    elif out is not None:
        chosen = SUFFIX_FORMATS.get(out.suffix.lower(), "csv")
    else:
        chosen = "table"
    if chosen in BINARY_FORMATS and out is None:
        raise OutputError(f"--format {chosen} writes a file: give it with --out FILE")
    return chosen


# -- text ------------------------------------------------------------------------------

def render_value(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return str(value)


def format_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain aligned text table with a row count (numbers right-aligned)."""
    cells = [[render_value(v) for v in row] for row in rows]
    numeric = [bool(rows) and all(isinstance(row[i], int | float | decimal.Decimal)
                                  or row[i] is None for row in rows)
               for i in range(len(columns))]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]

    def line(values: Sequence[str]) -> str:
        return " | ".join(v.rjust(w) if numeric[i] else v.ljust(w)
                          for i, (v, w) in enumerate(zip(values, widths, strict=True))).rstrip()

    out = [line(list(columns)), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


# -- writing a result --------------------------------------------------------------------

def write_result(relation: duckdb.DuckDBPyRelation | None, fmt: str, out: Path | None = None,
                 *, controlled: bool = False, total_keys: Sequence[str] | None = None,
                 stdout=None) -> int:
    """Run `relation` (con.sql(...)) once and write its result; returns the row count."""
    stdout = stdout or sys.stdout
    if relation is None:
        raise OutputError("the statement returned no result to write")
    reader = relation.to_arrow_reader(BATCH_ROWS)
    if controlled:
        reader = _controlled(reader, total_keys)
    if fmt == "table":
        table = reader.read_all()
        text = format_table(table.column_names, _rows(table))
        _write_text(text + "\n", out, stdout)
        return table.num_rows
    if fmt == "xlsx":
        return _write_xlsx(reader, out)
    if out is None:
        return _write_stream(reader, fmt, stdout.buffer if hasattr(stdout, "buffer") else None,
                             stdout)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.partial")
    try:
        with tmp.open("wb") as sink:
            rows = _write_stream(reader, fmt, sink, None)
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return rows


def _rows(table) -> list[tuple]:
    columns = [col.to_pylist() for col in table.columns]
    return list(zip(*columns, strict=True)) if columns else []


def _write_text(text: str, out: Path | None, stdout) -> None:
    if out is None:
        stdout.write(text)
        stdout.flush()
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")


def _write_stream(reader, fmt: str, sink: BinaryIO | None, text_out) -> int:
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    rows = 0
    if fmt == "parquet":
        with pq.ParquetWriter(sink, reader.schema) as writer:
            for batch in reader:
                writer.write_batch(batch)
                rows += batch.num_rows
        return rows
    if fmt == "csv":
        if sink is None:  # a text stream without a binary buffer (tests)
            import io

            buffer = io.BytesIO()
            rows = _write_stream(reader, fmt, buffer, None)
            text_out.write(buffer.getvalue().decode("utf-8"))
            return rows
        with pacsv.CSVWriter(sink, reader.schema) as writer:
            for batch in reader:
                writer.write_batch(batch)
                rows += batch.num_rows
        sink.flush()
        return rows
    if fmt == "jsonl":
        for batch in reader:
            for record in batch.to_pylist():
                line = json.dumps(record, ensure_ascii=False, default=_json_default) + "\n"
                if sink is None:
                    text_out.write(line)
                else:
                    sink.write(line.encode("utf-8"))
                rows += 1
        (sink or text_out).flush()
        return rows
    raise OutputError(f"cannot stream format {fmt!r}")


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _write_xlsx(reader, out: Path | None) -> int:
    import pandas as pd

    table = reader.read_all()
    if table.num_rows > EXCEL_MAX_ROWS:
        raise OutputError(f"{table.num_rows} rows do not fit in an Excel worksheet "
                          f"({EXCEL_MAX_ROWS} at most); write csv or parquet instead")
    assert out is not None
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.partial.xlsx")
    try:
        frame = table.to_pandas()
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            frame.to_excel(writer, index=False, sheet_name="result")
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return table.num_rows


# -- disclosure control ------------------------------------------------------------------

def _controlled(reader, total_keys: Sequence[str] | None):
    """The result with the public policy applied (tidbok.serving.disclosure)."""
    import pyarrow as pa

    from tidbok.serving.disclosure import control_rows

    table = reader.read_all()
    names = table.column_names
    missing = [p for p in ("numerator", "denominator") if p not in names]
    if missing:
        raise OutputError(f"--controlled needs `numerator` and `denominator` columns "
                          f"(missing: {', '.join(missing)}); select true counts, not rates")
    measures = [f.name for f in table.schema
                if f.name not in ("numerator", "denominator")
                and (pa.types.is_integer(f.type) or pa.types.is_floating(f.type)
                     or pa.types.is_decimal(f.type))]
    if measures:
        raise OutputError(
            f"--controlled serves only key columns, numerator and denominator, and computes "
            f"the rate itself; remove or cast to text the numeric column(s): "
            f"{', '.join(measures)}")
    for key in total_keys or ():
        if key not in names:
            raise OutputError(f"--total-keys names {key!r}, which is not a result column")
    for part in ("numerator", "denominator"):
        if table.column(part).null_count:
            raise OutputError(f"{part} has NULLs; disclosure control needs true counts")
    rows = table.to_pylist()
    served = control_rows(rows, total_keys=list(total_keys) if total_keys else None)
    schema = pa.schema([*(table.schema.field(n) for n in names if n not in
                          ("numerator", "denominator")),
                        pa.field("numerator", pa.int64()), pa.field("denominator", pa.int64()),
                        pa.field("value", pa.float64()), pa.field("suppressed", pa.bool_()),
                        pa.field("rounded", pa.bool_())])
    result = pa.Table.from_pylist([{f.name: row.get(f.name) for f in schema} for row in served],
                                  schema=schema)
    return pa.RecordBatchReader.from_batches(schema, result.to_batches())
