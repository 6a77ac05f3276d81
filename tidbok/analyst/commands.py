"""The analysts' subcommands of `tidbok`: sql, docs, export (registered by tidbok.cli)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tidbok import config
from tidbok.serving.errors import ServingError


def register(sub: argparse._SubParsersAction) -> None:
    sql = sub.add_parser(
        "sql", help="read-only SQL on the serving file (Harlequin, or a plain shell)",
        description="Open a read-only SQL session on serving.duckdb, in the analyst schema. "
                    "With -c or -f, run one query and print or write its result.")
    sql.add_argument("-c", "--command", dest="query", help="run this SQL and exit")
    sql.add_argument("-f", "--file", help="run the SQL in this file and exit")
    sql.add_argument("--format", help="table (default on screen), csv, jsonl, parquet, xlsx; "
                                      "by default taken from the --out file's suffix")
    sql.add_argument("-o", "--out", help="write the result to this file")
    sql.add_argument("--controlled", action="store_true",
                     help="apply the disclosure policy (suppress 1-9, round to 5) to a result "
                          "of key columns plus numerator and denominator")
    sql.add_argument("--total-keys", help="with --controlled: comma-separated columns that "
                                          "identify the served totals the rows add up to")
    sql.add_argument("--tables", action="store_true",
                     help="list the analyst tables with their grain and description, and exit")
    sql.add_argument("--plain", action="store_true",
                     help="use the plain shell instead of Harlequin")
    sql.set_defaults(func=cmd_sql)

    docs = sub.add_parser("docs", help="build and serve the dbt documentation site")
    docs.add_argument("--port", type=int, default=8080)
    docs.add_argument("--host", default="127.0.0.1")
    docs.add_argument("--no-serve", action="store_true",
                      help="only build the site (under $TIDBOK_HOME/dbt_docs/target)")
    docs.set_defaults(func=cmd_docs)

    export = sub.add_parser(
        "export", help="write the analyst tables as Parquet (or CSV) with a schema file")
    export.add_argument("--format", default="parquet", choices=["parquet", "csv"])
    export.add_argument("--out", required=True, help="folder to write into")
    export.set_defaults(func=cmd_export)


def _fail(message: str) -> int:
    print(f"tidbok: {message}", file=sys.stderr)
    return 1


def cmd_sql(args: argparse.Namespace) -> int:
    from tidbok.analyst import session

    serving = config.serving_path()
    try:
        if args.query or args.file or args.tables:
            try:
                return run_one(args, serving)
            except BrokenPipeError:  # `tidbok sql -c ... | head`: the reader has enough
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                return 0
        # Fail here, with a clear message, rather than inside the client's start-up.
        session.open_analyst_connection(serving).close()
        terminal = sys.stdin.isatty() and sys.stdout.isatty()
        if args.plain or not session.harlequin_available() or not terminal:
            return session.run_shell(serving, prompt=sys.stdin.isatty())
        with tempfile.TemporaryDirectory(prefix="tidbok-sql-") as tmp:
            init = Path(tmp) / "guard.sql"
            init.write_text(session.guard_script(), encoding="utf-8")
            return subprocess.call(session.harlequin_command(serving, init))
    except ServingError as exc:
        return _fail(str(exc))


def run_one(args: argparse.Namespace, serving: Path) -> int:
    import duckdb

    from tidbok.analyst.output import OutputError, choose_format, write_result
    from tidbok.analyst.session import TABLE_GUIDE_SQL, analyst_connection, describe_tables

    if args.tables and not (args.format or args.out):
        try:
            with analyst_connection(serving) as con:
                print(describe_tables(con))
        except duckdb.Error as exc:
            return _fail(f"query failed: {exc}")
        return 0
    if args.tables:
        sql = TABLE_GUIDE_SQL
    elif args.file:
        try:
            sql = Path(args.file).read_text(encoding="utf-8")
        except OSError as exc:
            return _fail(f"cannot read {args.file}: {exc.strerror}")
    else:
        sql = args.query
    if args.query and args.file:
        return _fail("give either -c or -f, not both")
    out = Path(args.out) if args.out else None
    total_keys = [k.strip() for k in args.total_keys.split(",")] if args.total_keys else None
    if total_keys and not args.controlled:
        return _fail("--total-keys only applies with --controlled")
    try:
        fmt = choose_format(args.format, out)
        with analyst_connection(serving) as con:
            rows = write_result(con.sql(sql), fmt, out, controlled=args.controlled,
                                total_keys=total_keys)
    except OutputError as exc:
        return _fail(str(exc))
    except duckdb.Error as exc:
        return _fail(f"query failed: {exc}")
    if out is not None:
        print(f"wrote {rows} row(s) to {out}", file=sys.stderr)
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    from tidbok.analyst.docs import DocsFailed, docs_server, generate_docs
    from tidbok.runtime import prepare_environment

    prepare_environment()
    try:
        site = generate_docs()
    except (DocsFailed, ServingError) as exc:
        return _fail(str(exc))
    print(f"dbt docs written to {site} (static_index.html works without a server)", flush=True)
    if args.no_serve:
        return 0
    server = docs_server(site, args.host, args.port)
    host, port = server.server_address[:2]
    print(f"serving the dbt docs at http://{host}:{port}/  (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from tidbok.analyst.export import export_analyst_schema

    try:
        exported = export_analyst_schema(Path(args.out), args.format)
    except ServingError as exc:
        return _fail(str(exc))
    total = sum(exported.tables.values())
    print(f"exported {len(exported.tables)} table(s), {total} row(s), serving version "
          f"{exported.version}, to {exported.out} (see schema.json and README.md there)")
    return 0
