"""`tidbok export`: the analyst schema as files other tools read (R, Python, Excel, Power BI).

One file per analyst table (Parquet by default, or CSV), all from ONE published version
(one connection), plus `schema.json` (tables, grain, columns, types, descriptions, the
version) and a README. Written through the guarded analyst connection; each file is
written beside its final name and renamed into place, so a reader never sees half a file.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from tidbok.analyst.output import BATCH_ROWS
from tidbok.analyst.schema import ANALYST_SCHEMA
from tidbok.analyst.session import analyst_connection

EXPORT_FORMATS = ("parquet", "csv")
SCHEMA_FILE = "schema.json"
README_FILE = "README.md"
DUCKDB_NOTE = (
    "serving.duckdb itself is written by DuckDB 2.0 and can only be opened by DuckDB 2.0 or "
    "newer (Python `duckdb>=2.0`, the DuckDB CLI 2.x, R `duckdb` 2.x); these files need no "
    "DuckDB at all."
)
DISCLOSURE_NOTE = (
    "These are uncontrolled figures, including small counts (DESIGN.md decisions 6 and 7): "
    "for analysis, not for publication. Before publishing any figure about people (tables "
    "whose disclosure is `people`), apply the disclosure policy: suppress counts 1-9, round "
    "other counts to the nearest 5, compute rates from true counts and suppress them with "
    "either part (see docs/analysts.md; `tidbok sql -c ... --controlled` does it)."
)


@dataclass(frozen=True)
class Exported:
    out: Path
    version: str
    tables: dict[str, int]  # table -> rows


def export_analyst_schema(out: Path, fmt: str = "parquet", serving: Path | None = None,
                          now: dt.datetime | None = None) -> Exported:
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose {' or '.join(EXPORT_FORMATS)}")
    out.mkdir(parents=True, exist_ok=True)
    now = now or dt.datetime.now(dt.UTC).replace(microsecond=0)
    with analyst_connection(serving) as con:
        version, published_at = con.execute(
            "SELECT version, published_at FROM publish_info LIMIT 1").fetchone()
        guide = con.execute(
            "SELECT table_name, kind, grain, aggregation, disclosure, description "
            "FROM table_guide ORDER BY kind <> 'metric', kind, table_name").fetchall()
        columns = con.execute(
            "SELECT table_name, column_name, data_type, description FROM column_guide "
            "ORDER BY table_name, position").fetchall()
        tables, counts = [], {}
        for name, kind, grain, aggregation, disclosure, description in guide:
            file = f"{name}.{fmt}"
            counts[name] = _write_table(con, name, out / file, fmt)
            tables.append({
                "name": name,
                "file": file,
                "kind": kind,
                "description": description,
                "grain": [g.strip() for g in (grain or "").split(",") if g.strip()],
                "aggregation": aggregation,
                "disclosure": disclosure,
                "rows": counts[name],
                "columns": [{"name": c, "type": t, "description": d}
                            for table, c, t, d in columns if table == name],
            })
    schema = {
        "dataset": "tidbok-analytics analyst schema",
        "serving_version": version,
        "published_at": published_at.isoformat() if published_at else None,
        "exported_at": now.isoformat(),
        "format": fmt,
        "disclosure": DISCLOSURE_NOTE,
        "duckdb": DUCKDB_NOTE,
        "tables": tables,
    }
    _replace_text(out / SCHEMA_FILE, json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
    _replace_text(out / README_FILE, export_readme(schema))
    return Exported(out, version, counts)


def _write_table(con, name: str, path: Path, fmt: str) -> int:
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    reader = con.sql(f'SELECT * FROM {ANALYST_SCHEMA}."{name}"').to_arrow_reader(BATCH_ROWS)
    tmp = path.with_name(f".{path.name}.partial")
    rows = 0
    try:
        writer_cls = pq.ParquetWriter if fmt == "parquet" else pacsv.CSVWriter
        with writer_cls(str(tmp), reader.schema) as writer:
            for batch in reader:
                writer.write_batch(batch)
                rows += batch.num_rows
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return rows


def _replace_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def export_readme(schema: dict) -> str:
    fmt = schema["format"]
    first = next((t for t in schema["tables"] if t["kind"] == "metric"), schema["tables"][0]
                 if schema["tables"] else {"file": f"no_show_rate.{fmt}", "name": "no_show_rate"})
    lines = [
        "# tidbok-analytics: the analyst tables as files",
        "",
        f"Serving version `{schema['serving_version']}` (published {schema['published_at']}), "
        f"exported {schema['exported_at']} by `tidbok export`. One {fmt} file per table; "
        f"`{SCHEMA_FILE}` describes every table (grain, how to re-aggregate, disclosure rule) "
        "and every column (type, description).",
        "",
        "**Disclosure.** " + schema["disclosure"],
        "",
        "**Re-aggregating rates.** Tables with aggregation `ratio` carry `numerator` and "
        "`denominator`: sum both over the rows you combine, then divide. Never average `rate`.",
        "",
        "## Tables",
        "",
        "| file | grain | description |",
        "|---|---|---|",
    ]
    for table in schema["tables"]:
        description = (table["description"] or "").replace("\n", " ").replace("|", "/")
        lines.append(f"| `{table['file']}` | {', '.join(table['grain'])} | {description} |")
    path = first["file"]
    lines += ["", "## Reading them", ""]
    if fmt == "parquet":
        lines += [
            "- **R** (package `arrow`): `df <- arrow::read_parquet(\"" + path + "\")`",
            "- **Python** (pandas or polars): `pandas.read_parquet(\"" + path + "\")`, "
            "`polars.read_parquet(\"" + path + "\")`",
            "- **Power BI Desktop**: Get data → Parquet, pick the file (or Folder for all).",
            "- **Excel**: Data → Get Data → From File → From Parquet, where your Excel has "
            "that connector (Microsoft 365); otherwise ask for a CSV export "
            "(`tidbok export --format csv`) or one query as .xlsx "
            "(`tidbok sql -c \"…\" --out result.xlsx`).",
        ]
    else:
        lines += [
            "- **R**: `df <- read.csv(\"" + path + "\", colClasses = c(region_code = "
            "\"character\"))` (keep codes such as `01` as text)",
            "- **Python**: `pandas.read_csv(\"" + path + "\", dtype={\"region_code\": str})`",
            "- **Excel / Power BI**: Data → From Text/CSV; set code columns (region_code) "
            "to Text so leading zeros stay.",
        ]
    lines += ["", "**DuckDB.** " + schema["duckdb"], ""]
    return "\n".join(lines)
