"""The data-quality marts (issues #4/#7) from a real pipeline run on a small messy world.

A tiny `messy` world (two regions, booking CSV and events, the HSA catalogue: rejected
rows, truncated files, schema drift) goes through `tidbok run`'s pipeline once per
module, in a subprocess. Then, on the real serving file:

- marts.ledger_status adds up to the ledger's files in force (read = loaded + quarantined);
- marts.quarantine_summary adds up to the quarantine (entries) and to the ledger (records),
  with reason categories free of values and line numbers;
- marts.check_results holds the gate's Great Expectations rows and the build's dbt tests;
- the query layer (tidbok.serving.freshness) and the Datakvalitet page's reads
  (tidbok.serving.dashboard_views) answer with rows from it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import duckdb
import pytest

from tidbok.config import REPO_ROOT

pytestmark = pytest.mark.e2e

RUN = """
import json, sys
from pathlib import Path
from simulator.generate import simulate
from tidbok.pipeline_run import run_pipeline
simulate(Path(sys.argv[1]) / "landing", scale="tiny", seed=7, profile="messy",
         regions=["01", "13"], feeds=["booking_csv", "booking_events", "hsa_units"])
print("RESULT " + json.dumps(run_pipeline()))
"""


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("data_quality")
    env = {**os.environ, "TIDBOK_HOME": str(home), "TIDBOK_PSEUDONYM_KEY": "dq-e2e-key",
           "DO_NOT_TRACK": "1"}
    env.pop("DAGSTER_HOME", None)
    done = subprocess.run([sys.executable, "-c", RUN, str(home)], env=env, cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, (done.stdout[-3000:] + done.stderr[-5000:])
    result = json.loads(done.stdout[done.stdout.index("RESULT ") + 7:].splitlines()[0])
    assert result["serving_version"]
    return home


def query(home, sql: str, db: str = "serving.duckdb"):
    con = duckdb.connect(str(home / db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def lake(home, sql: str):
    return duckdb.connect().execute(
        sql.format(ledger=f"read_parquet('{home}/lake/_ledger/**/*.parquet')",
                   quarantine=f"read_parquet('{home}/quarantine/**/*.parquet', "
                              "union_by_name = true)")).fetchall()


def test_ledger_status_adds_up_to_the_ledgers_files_in_force(home):
    served = query(home, "select feed, region_code, files, files_rejected, rows_read, "
                         "rows_loaded, rows_quarantined from marts.ledger_status")
    ledger = lake(home, "select feed, region_code, count(*), "
                        "count(*) filter (where status = 'rejected_file'), sum(rows_read), "
                        "sum(rows_loaded), sum(rows_quarantined) from {ledger} "
                        "where status <> 'superseded' group by all")
    assert sorted(served) == sorted(ledger)
    assert {(f, r) for f, r, *_ in served} == {
        ("booking_csv", "13"), ("booking_events", "01"), ("hsa_units", "national")}
    for _, _, _, _, read, loaded, quarantined in served:
        assert read == loaded + quarantined
    # The messy world has rejected rows and whole files: the marts see them.
    assert sum(row[3] for row in served) > 0 and sum(row[6] for row in served) > 0


def test_quarantine_summary_adds_up_to_the_quarantine_and_the_ledger(home):
    entries, records = query(home, "select sum(quarantine_entries), sum(rows_quarantined) "
                                   "from marts.quarantine_summary")[0]
    assert entries == lake(home, "select count(*) from {quarantine}")[0][0] > 0
    assert records == lake(home, "select sum(rows_quarantined) from {ledger} "
                                 "where status <> 'superseded'")[0][0]
    per_feed = dict(query(home, "select feed, sum(rows_quarantined) from "
                                "marts.quarantine_summary group by feed"))
    assert per_feed == dict(query(home, "select feed, sum(rows_quarantined) from "
                                        "marts.ledger_status where rows_quarantined > 0 "
                                        "group by feed"))
    reasons = [r for (r,) in query(home, "select reason from marts.quarantine_summary")]
    # Categories name field and rule; values, line and column numbers are gone.
    assert "(file): truncated" in reasons
    assert any(r.startswith("Personnummer: ") for r in reasons)
    assert not [r for r in reasons if re.search(r"\d", r)]
    raw = lake(home, "select count(distinct reason) from {quarantine}")[0][0]
    assert len(set(reasons)) < raw


def test_check_results_hold_the_gate_and_the_dbt_tests(home):
    kinds = dict(query(home, "select check_kind, count(*) from marts.check_results group by 1"))
    assert set(kinds) == {"great_expectations", "dbt"}
    gate = lake(home, f"select count(distinct (region_code, table_name, expectation)) from "
                      f"read_parquet('{home}/lake/_gate_results/**/*.parquet')")[0][0]
    assert kinds["great_expectations"] == gate
    # Every data test and unit test of the build, this mart's own among them.
    assert kinds["dbt"] > 100
    own = {name for (name,) in query(home, "select check_name from marts.check_results "
                                           "where check_kind = 'dbt' and target = 'ledger_status'")}
    assert {"ledger_reconciles_ledger_status_",
            "superseded_files_are_not_counted_as_loaded"} <= own
    statuses = {s for (s,) in query(home, "select distinct status from marts.check_results")}
    assert statuses <= {"pass", "warn", "fail", "error", "skipped"}
    # The messy world's uneven deliveries trip the gate's volume check (a warning).
    assert query(home, "select count(*) from marts.check_results where check_kind = "
                       "'great_expectations' and status = 'warn'")[0][0] > 0


def test_the_query_layer_and_the_dashboard_reads_answer_from_the_real_file(home):
    from tidbok.serving import dashboard_views as views
    from tidbok.serving.connection import serving_snapshot
    from tidbok.serving.freshness import freshness, ledger_status

    with serving_snapshot(home / "serving.duckdb") as snap:
        feeds = freshness(snap)["feeds"]
        ledger = ledger_status(snapshot=snap)
        ledger_13 = ledger_status("13", snapshot=snap)
        fresh = views.feed_freshness(snap)
        quarantine = views.quarantine_summary(snapshot=snap)
        checks = views.check_results(snap)
    assert {(f["feed"], f["region"]) for f in feeds} == {
        ("booking_csv", "13"), ("booking_events", "01"), ("hsa_units", "national")}
    assert all(f["latest_data_day"] and f["latest_received_at"] for f in feeds)
    assert fresh == feeds
    assert ledger and all(row["reconciled"] for row in ledger)
    assert [row["feed"] for row in ledger_13] == ["booking_csv"]
    assert {row["feed"] for row in quarantine} == {"booking_csv", "booking_events"}
    assert {row["check_kind"] for row in checks} == {"great_expectations", "dbt"}
    assert {"region_code", "severity"} <= set(checks[0])
    assert checks[0]["status"] != "pass"  # failed (here: warned) checks first
