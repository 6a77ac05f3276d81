"""Great Expectations runs here offline and in memory: no connections, no files, no analytics."""

import json
import os
import subprocess
import sys

from tidbok import config

# Run in a fresh interpreter so that importing Great Expectations is watched too.
PROBE = r"""
import json, os, socket, sys

attempts = []
def refuse(*args, **kwargs):
    attempts.append(repr(args[1:] or args)[:80])
    raise OSError("network is off in this test")
socket.socket.connect = lambda self, address: refuse(self, address)
socket.socket.connect_ex = lambda self, address: refuse(self, address)
socket.create_connection = refuse
socket.getaddrinfo = refuse

import polars as pl
from data_tests.gate import run_gate
from ingestion.canonical import BOOKINGS
from ingestion.feeds.base import LandingFile

frame = pl.from_arrow(BOOKINGS.empty_table()).clear(n=3)  # rows of nulls: every rule runs
outcome = run_gate(LandingFile("booking_csv", "01", None, "x", "a" * 64), "bookings", frame,
                   {"rows_loaded": 10}, schema=BOOKINGS)
print(json.dumps({"attempts": attempts, "analytics": os.environ.get("GX_ANALYTICS_ENABLED"),
                  "gx_used": "great_expectations" in sys.modules,
                  "blocked": outcome.blocked}))
"""


def test_great_expectations_makes_no_connection_and_writes_no_file(tmp_path):
    cwd, home = tmp_path / "cwd", tmp_path / "home"
    cwd.mkdir()
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "PYTHONPATH": str(config.REPO_ROOT),
           "TIDBOK_HOME": str(tmp_path / "tidbok")}
    env.pop("GX_ANALYTICS_ENABLED", None)
    run = subprocess.run([sys.executable, "-c", PROBE], cwd=cwd, env=env, capture_output=True,
                         text=True, timeout=300, check=True)
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report == {"attempts": [], "analytics": "false", "gx_used": True, "blocked": True}
    assert list(cwd.iterdir()) == [] and list(home.iterdir()) == []
