"""The `analyst` schema: what analysts see when they open the serving file with SQL.

Built by the publish step into the copy that becomes serving.duckdb (DESIGN.md decision 3),
so every published version carries it. It holds:

- one view per documented table of the marts (metric marts and dimensions such as
  dim_regions): `analyst.<table>` selects the mart's columns, and carries the dbt
  descriptions as table and column comments (dbt persists them on the marts with
  `persist_docs`; they are copied here), so `duckdb_tables()`, `duckdb_columns()`,
  `tidbok sql --tables` and SQL clients show them;
- `analyst.publish_info`: which published version this is (cite it with your results);
- `analyst.table_guide` and `analyst.column_guide`: one row per table (kind, grain, how
  to re-aggregate, disclosure rule, description) and per column (type, description).

Only documented, aggregate tables are exposed. A table of the marts is withheld, with a
warning in the publish log, when it has no description, when it is a row-level fact table
(`fct_*`), or when a column is named like a personal identifier or pseudonym (decision 5:
analysts get figures, never rows about a person).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

log = logging.getLogger(__name__)

ANALYST_SCHEMA = "analyst"
# Schemas whose documented tables are exposed: the metric marts and the dimensions
# (dbt puts dim_* models in `marts` as well, see dbt_project.yml).
SOURCE_SCHEMAS = ("marts",)
GUIDE_TABLES = ("table_guide", "column_guide")
PUBLISH_INFO = "publish_info"
PUBLISH_INFO_COLUMNS = {
    "version": "The published version (a UTC timestamp); cite it with your results.",
    "published_at": "When this version was published (UTC).",
}

# Column names that would hold a person's identifier or its pseudonym (row-level keys).
IDENTIFIER_COLUMN = re.compile(
    r"pseudonym|personnummer|samordningsnummer|reservnummer|person_?id|patient_?id"
    r"|resident_?id|subject_?of_?care|birth_?date|national_?id|ssn",
    re.IGNORECASE,
)
# The measure columns of the mart contract (catalogue_contract: ratio and sum/none marts).
MEASURE_COLUMNS = ("numerator", "denominator", "rate", "value")
KEY_TYPES = ("VARCHAR", "DATE", "TIMESTAMP", "BOOLEAN")
PERIOD_COLUMNS = ("month", "day")
# dbt's naming for row-level fact tables (one row per booking, per action, ...).
ROW_LEVEL_PREFIXES = ("fct_",)


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str
    description: str | None


@dataclass(frozen=True)
class Relation:
    schema: str
    name: str
    description: str | None
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class GuideEntry:
    table_name: str
    kind: str  # metric | dimension | reference | meta
    source: str  # schema.table in the serving file
    grain: tuple[str, ...]
    aggregation: str | None  # ratio | sum | none, for metric marts
    disclosure: str | None  # people | not_personal, for metric marts
    description: str


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def relations(con: duckdb.DuckDBPyConnection, schemas: Sequence[str]) -> list[Relation]:
    """Tables and views of `schemas` in the current database, with their comments."""
    placeholders = ", ".join("?" for _ in schemas)
    rows = con.execute(
        f"""
        SELECT schema_name, table_name, comment FROM duckdb_tables()
        WHERE database_name = current_database() AND schema_name IN ({placeholders})
        UNION ALL
        SELECT schema_name, view_name, comment FROM duckdb_views()
        WHERE database_name = current_database() AND schema_name IN ({placeholders})
          AND NOT internal
        ORDER BY 1, 2
        """,
        [*schemas, *schemas],
    ).fetchall()
    columns = con.execute(
        f"""
        SELECT schema_name, table_name, column_name, data_type, comment
        FROM duckdb_columns()
        WHERE database_name = current_database() AND schema_name IN ({placeholders})
        ORDER BY schema_name, table_name, column_index
        """,
        list(schemas),
    ).fetchall()
    by_table: dict[tuple[str, str], list[Column]] = {}
    for schema, table, name, data_type, comment in columns:
        by_table.setdefault((schema, table), []).append(Column(name, data_type, _text(comment)))
    return [Relation(schema, name, _text(comment), tuple(by_table.get((schema, name), ())))
            for schema, name, comment in rows]


def _text(comment: object) -> str | None:
    text = str(comment).strip() if comment is not None else ""
    return text or None


def identifier_columns(relation: Relation) -> list[str]:
    return [c.name for c in relation.columns if IDENTIFIER_COLUMN.search(c.name)]


def withheld_because(relation: Relation) -> str | None:
    """Why a table of the marts is kept out of the analyst schema (None: it is exposed)."""
    if relation.description is None:
        return "it has no description (document it in its dbt yml)"
    if relation.name.startswith(ROW_LEVEL_PREFIXES):
        return "it is a row-level fact table"
    if bad := identifier_columns(relation):
        return f"column(s) {', '.join(bad)} are named like a personal identifier or pseudonym"
    return None


def metric_specs() -> dict[str, object]:
    """The metric catalogue's entries by mart (schema.table); empty when it cannot be read.

    The catalogue only enriches the guide (grain, aggregation, disclosure rule); a broken
    catalogue is reported by the API and the catalogue tests, not by the publish.
    """
    try:
        from tidbok.serving.registry import catalogue

        return {spec.table: spec for spec in catalogue().metrics.values()}
    except Exception as exc:  # an optional enrichment must never stop a publish
        log.warning("analyst guide without the metric catalogue: %s", exc)
        return {}


def guide_entry(relation: Relation, specs: dict[str, object]) -> GuideEntry:
    names = [c.name for c in relation.columns]
    source = f"{relation.schema}.{relation.name}"
    spec = specs.get(source)
    description = relation.description or ""
    if spec is not None:
        grain = [getattr(spec, "region_column", "region_code"),
                 getattr(spec, "period_column", "month"),
                 *dict(getattr(spec, "dimensions", {})).values()]
        return GuideEntry(relation.name, "metric", source, tuple(c for c in grain if c in names),
                          getattr(spec, "aggregation", None), getattr(spec, "disclosure", "people"),
                          description)
    if relation.name.startswith("dim_"):
        # A dimension table: one row per value of its first column (its key).
        return GuideEntry(relation.name, "dimension", source, tuple(names[:1]), None, None,
                          description)
    if any(m in names for m in MEASURE_COLUMNS) and any(p in names for p in PERIOD_COLUMNS):
        # A mart in the contract's shape but not (yet) in the catalogue: one row per
        # combination of its key columns; treated as figures about people (the safe side).
        keys = tuple(c.name for c in relation.columns
                     if c.name not in MEASURE_COLUMNS and c.data_type.split("(")[0] in KEY_TYPES)
        aggregation = "ratio" if {"numerator", "denominator"} <= set(names) else None
        return GuideEntry(relation.name, "metric", source, keys, aggregation, "people",
                          description)
    # Anything else (parameter tables, lists): its description says what a row is.
    return GuideEntry(relation.name, "reference", source, (), None, None, description)


def build_analyst_schema(con: duckdb.DuckDBPyConnection) -> list[GuideEntry]:
    """(Re)create the analyst schema in the database `con` writes (the serving copy)."""
    con.execute(f"DROP SCHEMA IF EXISTS {ANALYST_SCHEMA} CASCADE")
    found = relations(con, SOURCE_SCHEMAS)
    exposed: list[Relation] = []
    for relation in found:
        if reason := withheld_because(relation):
            log.warning("%s.%s is not exposed in the analyst schema: %s",
                        relation.schema, relation.name, reason)
            continue
        exposed.append(relation)
    specs = metric_specs() if exposed else {}
    con.execute(f"CREATE SCHEMA {ANALYST_SCHEMA}")
    entries = []
    for relation in exposed:
        _create_view(con, relation, relation.name)
        entries.append(guide_entry(relation, specs))
    meta = relations(con, ("meta",))
    for relation in meta:
        if relation.name == PUBLISH_INFO:
            columns = tuple(Column(c.name, c.data_type,
                                   c.description or PUBLISH_INFO_COLUMNS.get(c.name))
                            for c in relation.columns)
            _create_view(con, Relation(relation.schema, relation.name, relation.description,
                                       columns), PUBLISH_INFO)
            entries.append(GuideEntry(PUBLISH_INFO, "meta", f"meta.{PUBLISH_INFO}", (),
                                      None, None, relation.description or ""))
    _write_guides(con, entries)
    return entries


def _create_view(con: duckdb.DuckDBPyConnection, relation: Relation, name: str) -> None:
    target = f"{ANALYST_SCHEMA}.{quote_ident(name)}"
    columns = ", ".join(quote_ident(c.name) for c in relation.columns)
    con.execute(f"CREATE VIEW {target} AS SELECT {columns} "
                f"FROM {quote_ident(relation.schema)}.{quote_ident(relation.name)}")
    if relation.description:
        con.execute(f"COMMENT ON VIEW {target} IS {quote_literal(relation.description)}")
    for column in relation.columns:
        if column.description:
            con.execute(f"COMMENT ON COLUMN {target}.{quote_ident(column.name)} "
                        f"IS {quote_literal(column.description)}")


def _write_guides(con: duckdb.DuckDBPyConnection, entries: Sequence[GuideEntry]) -> None:
    con.execute(f"""
        CREATE TABLE {ANALYST_SCHEMA}.table_guide (
            table_name VARCHAR, kind VARCHAR, grain VARCHAR, aggregation VARCHAR,
            disclosure VARCHAR, source VARCHAR, description VARCHAR)""")
    if entries:
        con.executemany(
            f"INSERT INTO {ANALYST_SCHEMA}.table_guide VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(e.table_name, e.kind, ", ".join(e.grain), e.aggregation, e.disclosure, e.source,
              e.description) for e in entries],
        )
    con.execute(f"""
        CREATE TABLE {ANALYST_SCHEMA}.column_guide AS
        SELECT table_name, column_name, column_index AS position, data_type,
               comment AS description
        FROM duckdb_columns()
        WHERE database_name = current_database() AND schema_name = '{ANALYST_SCHEMA}'
          AND table_name NOT IN ('table_guide', 'column_guide')
        ORDER BY table_name, column_index""")
    comments = {
        "table_guide": (
            "The tables of the analyst schema: what each holds (description), its kind "
            "(metric mart, dimension, reference, meta), its grain (the columns that identify "
            "one row), how to re-aggregate it (ratio: sum numerator and denominator, then "
            "divide; sum: add value; none: use only at its grain) and the disclosure rule "
            "that applies when publishing its figures (people: suppress 1-9, round to 5; see "
            "docs/analysts.md).",
            {"table_name": "The table (a view) in the analyst schema.",
             "kind": "metric (a metric mart), dimension, reference (e.g. parameters) or "
                     "meta (publish_info).",
             "grain": "The columns that identify one row, comma-separated.",
             "aggregation": "ratio | sum | none: how the table's figures re-aggregate.",
             "disclosure": "people: counts about residents, disclosure control applies when "
                           "published; not_personal: system counts, no suppression.",
             "source": "The table it selects from in the serving file (schema.table).",
             "description": "The dbt description of the table."},
        ),
        "column_guide": (
            "Every column of the analyst schema's tables, with its type and dbt description.",
            {"table_name": "The table (a view) in the analyst schema.",
             "column_name": "The column.",
             "position": "The column's position in the table (1 = first).",
             "data_type": "DuckDB type of the column.",
             "description": "The dbt description of the column."},
        ),
    }
    for table, (about, columns) in comments.items():
        con.execute(f"COMMENT ON TABLE {ANALYST_SCHEMA}.{table} IS {quote_literal(about)}")
        for column, text in columns.items():
            con.execute(f"COMMENT ON COLUMN {ANALYST_SCHEMA}.{table}.{column} "
                        f"IS {quote_literal(text)}")
