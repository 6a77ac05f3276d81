"""The spine end to end: simulate tiny → tidbok run → the served no-show rate
equals an independent computation straight from the generated CSV files."""

import json
import re
import signal
import subprocess
import sys
import time
from collections import defaultdict

import duckdb
import pytest
from fastapi.testclient import TestClient

from tests.e2e.independent import no_show_counts
from tidbok.serving import disclosure

pytestmark = pytest.mark.e2e


def tidbok(*args, env, check=True, timeout=600):
    return subprocess.run([sys.executable, "-m", "tidbok.cli", *args], env=env, check=check,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    import os

    home = tmp_path_factory.mktemp("spine")
    env = {**os.environ, "TIDBOK_HOME": str(home), "TIDBOK_PSEUDONYM_KEY": "e2e-key"}
    env.pop("TIDBOK_PSEUDONYM_KEY")  # exercise the key file created on first use
    tidbok("simulate", "--out", str(home / "landing"), "--scale", "tiny", "--seed", "7", env=env)
    run = tidbok("run", env=env)
    return home, env, json.loads(run.stdout[run.stdout.index("{"):])


def served(home):
    con = duckdb.connect(str(home / "serving.duckdb"), read_only=True)
    try:
        rows = con.execute("select region_code, strftime(month, '%Y-%m'), booking_channel, "
                           "numerator, denominator from marts.no_show_rate").fetchall()
    finally:
        con.close()
    return {(r[0], r[1], r[2]): (r[3], r[4]) for r in rows}


def test_served_no_show_rate_equals_the_independent_computation(pipeline):
    home, _, result = pipeline
    assert result["serving_version"]
    expected = no_show_counts(home / "landing")
    assert sum(d for _, d in expected.values()) > 500
    assert served(home) == expected


def test_ledger_reconciles_and_ground_truth_agrees(pipeline):
    home, _, _ = pipeline
    ledger = duckdb.connect().execute(
        f"select sum(rows_read), sum(rows_loaded), sum(rows_quarantined) "
        f"from read_parquet('{home}/lake/_ledger/*.parquet')").fetchone()
    assert ledger[0] == ledger[1] + ledger[2] and ledger[0] > 0
    truth = json.loads((home / "landing" / "ground_truth.json").read_text())
    rows = truth["metrics"]["no_show_rate"]["rows"]
    by_key = {(r["region"], r["month"], r["channel"]): (r["numerator"], r["denominator"])
              for r in rows if r["denominator"]}
    assert by_key == {k: v for k, v in served(home).items() if v[1]}


def test_api_serves_the_disclosure_controlled_independent_figures(pipeline, monkeypatch):
    home, _, _ = pipeline
    monkeypatch.setenv("TIDBOK_HOME", str(home))
    from aggregator_api.app import app

    expected = no_show_counts(home / "landing")
    by_region_month = defaultdict(lambda: [0, 0])
    for (region, month, _), (num, den) in expected.items():
        if region == "13":
            by_region_month[month][0] += num
            by_region_month[month][1] += den
    truth_rows = [{"period": m, "region": "13", "numerator": n, "denominator": d}
                  for m, (n, d) in sorted(by_region_month.items())]
    response = TestClient(app).get("/v1/metrics/no_show_rate/values", params={"region": "13"})
    assert response.status_code == 200
    got = [{k: r[k] for k in ("period", "numerator", "denominator", "value", "suppressed")}
           for r in response.json()["rows"]]
    want = [{k: r[k] for k in ("period", "numerator", "denominator", "value", "suppressed")}
            for r in disclosure.control_rows(truth_rows)]
    assert got == want


PERSONNUMMER = re.compile(rb"(?<![0-9])(?:19|20)[0-9]{6}-?[0-9]{4}(?![0-9])")


def test_no_personnummer_outside_landing(pipeline):
    home, _, _ = pipeline
    landing_numbers = set()
    for path in (home / "landing").rglob("*.csv"):
        landing_numbers.update(m.replace(b"-", b"") for m in PERSONNUMMER.findall(path.read_bytes()))
    assert len(landing_numbers) > 100
    for path in home.rglob("*"):
        if path.is_file() and "landing" not in path.relative_to(home).parts:
            found = {m.replace(b"-", b"") for m in PERSONNUMMER.findall(path.read_bytes())}
            assert not (found & landing_numbers), f"clear personnummer in {path}"


def test_killing_a_run_halfway_leaves_the_previous_serving_file(pipeline, tmp_path):
    home, env, _ = pipeline
    before = duckdb.connect(str(home / "serving.duckdb"), read_only=True)
    version = before.execute("select version from meta.publish_info").fetchone()[0]
    before.close()
    # New data so the run has work to do, then kill it while dbt is building.
    tidbok("simulate", "--out", str(tmp_path / "more"), "--scale", "tiny", "--seed", "8", env=env)
    for path in (tmp_path / "more" / "booking_csv").glob("*/*.csv"):
        target = home / "landing" / "booking_csv" / path.parent.name / ("more_" + path.name)
        target.write_bytes(path.read_bytes())
    proc = subprocess.Popen([sys.executable, "-m", "tidbok.cli", "run"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.time() + 300
    seen = b""
    while time.time() < deadline and b"dbt" not in seen.lower():
        line = proc.stdout.readline()
        if not line:
            break
        seen += line
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    after = duckdb.connect(str(home / "serving.duckdb"), read_only=True)
    try:
        assert after.execute("select version from meta.publish_info").fetchone()[0] == version
        assert after.execute("select count(*) from marts.no_show_rate").fetchone()[0] > 0
    finally:
        after.close()
    # And the next run recovers: it publishes a new version.
    tidbok("run", env=env)
    fresh = duckdb.connect(str(home / "serving.duckdb"), read_only=True)
    assert fresh.execute("select version from meta.publish_info").fetchone()[0] != version
    fresh.close()
