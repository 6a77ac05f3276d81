"""Analysts: read-only SQL on the serving file (issue #8, DESIGN.md "analysts").

- `schema`: the `analyst` schema built into every published serving file: views over the
  documented marts and dimensions, with the dbt descriptions as table and column comments,
  and two guide tables (what each table holds, its grain, how to re-aggregate it).
- `session`: the guarded read-only connection (`tidbok sql`), the Harlequin command line
  and the plain fallback shell.
- `output`: one query's result as a text table, CSV, Parquet or Excel.
- `export`: the analyst schema as Parquet files with a schema file, for other tools.
- `docs`: the dbt documentation site, built from a copy of the serving file.
- `commands`: the `sql`, `export` and `docs` subcommands of the `tidbok` command line.
"""
