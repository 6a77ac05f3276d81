"""No clear personal identity number anywhere the pipeline writes or says something.

A small `messy` world (defects on: Luhn-broken numbers, cut lines, renamed
fields, truncated files) is simulated for every feed that carries personal
identifiers, `tidbok run` runs the real pipeline on it in a subprocess, and then
every byte the run left behind is searched for the identifiers that were in the
landing files: the lake and its ledger, the quarantine, the warehouse and the
serving DuckDB files (their tables read back, since DuckDB and Parquet compress
text), Dagster's storage and logs under DAGSTER_HOME, dbt's artefacts, and the
run's captured stdout/stderr. Each identifier is searched in its 12- and
10-digit forms, with and without the separator.

The scanner is shown to find the identifiers where they are (landing/, and a
compressed Parquet file written on purpose), so a clean result means something.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import polars as pl
import pytest

pytestmark = pytest.mark.e2e

IDENTIFIER_FEEDS = ["booking_csv", "booking_events", "booking_fhir", "aggregator_requests",
                    "aggregator_responses", "engagement_index", "eservice_events"]
# One region per booking shape of the messy preset (CSV, events, FHIR): every
# identifier-carrying feed is delivered, the world stays small.
REGIONS = ["13", "01", "14"]
LAST_DAY = dt.date(2025, 1, 14)  # two weeks of the tiny world: defects of every kind start early

# A 12-digit (century) or 10-digit identifier, with or without its separator: birth
# date (day + 60 for a samordningsnummer) and a serial of four digits, or a letter
# and three characters (reservnummer).
_BODY = (r"((?:18|19|20)?)([0-9]{2})(0[1-9]|1[0-2])(0[1-9]|[1-2][0-9]|3[01]|6[1-9]|[7-8][0-9]"
         r"|9[01])([-+]?)([0-9]{4}|[A-Za-z][0-9A-Za-z]{3})")
# Searching what the run wrote: no digit may run on either side (an identifier glued
# to letters still counts).
_ID = re.compile(rf"(?<![0-9]){_BODY}(?![0-9])")
# Collecting from landing: a token of its own (a UUID's "…1a530225-e4f2…" is not one).
_LANDING_ID = re.compile(rf"(?<![0-9A-Za-z]){_BODY}(?![0-9A-Za-z])")
_DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")


def _core(match: re.Match) -> str:
    """The form-independent part of an identifier: yymmdd + serial (upper case)."""
    return (match.group(2) + match.group(3) + match.group(4) + match.group(6)).upper()


def identifiers_in_landing_text(text: str) -> set[str]:
    """Identifiers in landing text as it is delivered: the 12-digit form (with or
    without separator) or the 10-digit form with its separator. A bare 10-digit
    number is not taken (booking ids are 10 digits)."""
    return {_core(m) for m in _LANDING_ID.finditer(text) if m.group(1) or m.group(5)}


def found(text: str, cores: set[str]) -> set[str]:
    """Which of the identifiers occur in `text`, in any of their forms."""
    return {c for m in _ID.finditer(text) if (c := _core(m)) in cores}


def landing_texts(landing: Path):
    for path in sorted(landing.rglob("*")):
        if not path.is_file() or path.name == "ground_truth.json":
            continue
        if path.suffix == ".zip":
            try:
                with zipfile.ZipFile(path) as archive:
                    for name in archive.namelist():
                        yield f"{path}!{name}", archive.read(name).decode("latin-1")
            except zipfile.BadZipFile:  # a truncated delivery: its bytes as they are
                yield str(path), path.read_bytes().decode("latin-1")
        else:
            yield str(path), path.read_bytes().decode("latin-1")


def readable_texts(root: Path, skip: tuple[Path, ...] = ()):
    """(where, text) for every file under `root`: its raw bytes, and for Parquet and
    DuckDB files also every value read back as text (their storage compresses)."""
    for path in sorted(root.rglob("*")):
        if not path.is_file() or any(path.is_relative_to(s) for s in skip):
            continue
        yield str(path), path.read_bytes().decode("latin-1")
        if path.suffix == ".parquet":
            yield f"{path} (values)", _parquet_values(path)
        elif path.suffix == ".duckdb":
            yield f"{path} (values)", _duckdb_values(path)


def _parquet_values(path: Path) -> str:
    con = duckdb.connect()
    try:
        rows = con.execute(f"select cast(columns(*) as varchar) from read_parquet('{path}')"
                           ).fetchall()
    except duckdb.Error:  # a part with no columns, or not Parquet after all
        return ""
    finally:
        con.close()
    return "\n".join("\t".join(str(v) for v in row) for row in rows)


def _duckdb_values(path: Path) -> str:
    out = io.StringIO()
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = con.execute("select table_catalog, table_schema, table_name "
                             "from information_schema.tables where table_type = 'BASE TABLE'"
                             ).fetchall()
        for catalog, schema, table in tables:
            for row in con.execute(f'select cast(columns(*) as varchar) '
                                   f'from "{catalog}"."{schema}"."{table}"').fetchall():
                out.write("\t".join(str(v) for v in row) + "\n")
    finally:
        con.close()
    return out.getvalue()


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    from simulator.generate import simulate

    home = tmp_path_factory.mktemp("pii")
    landing = home / "landing"
    simulate(landing, scale="tiny", seed=23, profile="messy", regions=REGIONS,
             feeds=IDENTIFIER_FEEDS)
    for path in landing.rglob("*"):  # keep the first month: a small run, defects included
        m = _DATE_IN_NAME.search(path.name)
        if path.is_file() and m and dt.date.fromisoformat(m.group(1)) > LAST_DAY:
            path.unlink()
    env = {**os.environ, "TIDBOK_HOME": str(home), "TIDBOK_PSEUDONYM_KEY": "pii-e2e-key",
           "DBT_LOG_PATH": str(home / "dbt_logs")}  # dbt's log file, scanned with the rest
    env.pop("DAGSTER_HOME", None)
    result = subprocess.run([sys.executable, "-m", "tidbok.cli", "run"], env=env,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    ids: set[str] = set()
    for _, text in landing_texts(landing):
        ids |= identifiers_in_landing_text(text)
    return home, ids, result


def test_the_landing_files_hold_identifiers_of_every_feed(run):
    """The search can fail: it finds the clear identifiers where they are."""
    home, ids, _ = run
    assert len(ids) > 100
    for feed in IDENTIFIER_FEEDS:
        hits = set()
        for _, text in landing_texts(home / "landing" / feed):
            hits |= found(text, ids)
        assert hits, f"no identifier found in landing/{feed}"


def test_the_scanner_sees_through_compressed_parquet(run, tmp_path):
    _, ids, _ = run
    some = sorted(ids)[0]
    twelve = "19" + some[:6] + "-" + some[6:]
    path = tmp_path / "leak.parquet"
    pl.DataFrame({"x": [f"note {twelve}"] * 1000}).write_parquet(path, compression="zstd")
    assert any(found(text, ids) == {some} for where, text in readable_texts(tmp_path)
               if where.endswith("(values)"))


def test_the_run_loaded_and_quarantined_rows_of_every_feed(run):
    home, _, _ = run
    ledger = duckdb.sql(f"select feed, sum(rows_loaded), sum(rows_quarantined) "
                        f"from read_parquet('{home}/lake/_ledger/*.parquet') group by feed"
                        ).fetchall()
    by_feed = {feed: (loaded, quarantined) for feed, loaded, quarantined in ledger}
    assert set(IDENTIFIER_FEEDS) <= set(by_feed)
    assert all(loaded > 0 for loaded, _ in by_feed.values())
    assert sum(q for _, q in by_feed.values()) > 0  # invalid numbers were quarantined


def test_no_clear_identifier_in_anything_the_run_wrote_or_said(run):
    home, ids, result = run
    written = [p for p in (home / "lake", home / "quarantine", home / "dagster",
                           home / "warehouse.duckdb", home / "serving.duckdb") if p.exists()]
    assert {p.name for p in written} >= {"lake", "quarantine", "dagster", "warehouse.duckdb",
                                         "serving.duckdb"}
    leaks: dict[str, int] = {}
    scanned = 0
    for where, text in [*readable_texts(home, skip=(home / "landing",)),
                        ("stdout of tidbok run", result.stdout),
                        ("stderr of tidbok run", result.stderr)]:
        scanned += 1
        if hits := found(text, ids):
            leaks[where] = len(hits)  # where and how many, never the numbers
    assert scanned > 50
    assert not leaks, f"clear identifiers found: {leaks}"
