"""Simulated data with injected defects, ingested, against the simulator's own log
of every defect and its ground truth.

A small `messy` world (one region per booking shape: CSV, events, FHIR; every
feed that carries defects) is ingested by the real runner. Then:

- the ledger reconciles for every landing file (read = loaded + quarantined) and
  has exactly one row in force per file;
- every injected defect is where the defect log says: a row defect quarantined
  at its file, line and field; a broken file rejected whole and its complete
  re-delivery loaded; harmless defects (duplicated or late events, another
  encoding, a corrected re-delivery) loaded; and nothing else is quarantined;
- the canonical bookings match the truth: a twin world with the same bookings
  and no delivery defects loads exactly the truth's bookings per region and
  latest status per region, and the messy world has the twin's latest status
  for every booking no quarantined row touched.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from simulator.defects import KINDS
from simulator.generate import simulate
from simulator.parameters import preset

pytestmark = pytest.mark.e2e

SEED = 31
BOOKING_REGIONS = {"booking_csv": "13", "booking_events": "01", "booking_fhir": "14"}
FEEDS = [*BOOKING_REGIONS, "engagement_index", "aggregator_requests", "aggregator_responses",
         "eservice_events"]
# The truth's status of a booking as known at the cutoff -> the canonical status.
ROW_EXPECTED = {"row_quarantined", "member_quarantined", "not_loaded"}
# What the reason (or a rejected file's message) must say, per defect kind.
REASONS = {
    "invalid_personnummer": re.compile(r"check digit \(Luhn\)"),
    "malformed_row": re.compile(r"not valid JSON|row has \d+ fields, expected \d+|"
                                r"not well-formed XML"),
    "truncated_file": re.compile(r"truncated"),
}


def _ingest(home: Path, params, feeds) -> dict:
    from ingestion.runner import ingest_landing

    simulate(home / "landing", scale="tiny", seed=SEED, params=params,
             regions=sorted(set(BOOKING_REGIONS.values())), feeds=feeds)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TIDBOK_HOME", str(home))
        mp.setenv("TIDBOK_PSEUDONYM_KEY", "defects-e2e-key")
        summary = ingest_landing()
    assert summary.files_ingested > 0 and not summary.unsupported_feeds
    return json.loads((home / "landing" / "ground_truth.json").read_text())


# No reservnummer: SOURCES.md names no FHIR identifier system for them, so the
# simulator logs each as a contract gap that is quarantined; without them the
# truth's booking counts can be compared exactly. (Gaps are still expected
# quarantines below, and reservnummer stay in the PII scan's world.)
NO_RESERVE = {"reservnummer_share": 0.0}


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    home = tmp_path_factory.mktemp("messy")
    return home, _ingest(home, preset("messy", **NO_RESERVE), FEEDS)


@pytest.fixture(scope="module")
def twin(tmp_path_factory):
    """The same world without delivery defects (late outcomes change the world
    itself, so they stay), booking feeds only."""
    home = tmp_path_factory.mktemp("twin")
    defects = {kind: 0.0 for kind in KINDS} | {"late_outcome": preset("messy").defect_rate}
    return home, _ingest(home, preset("messy", defects=defects, **NO_RESERVE),
                         list(BOOKING_REGIONS))


def sql(home: Path, query: str) -> list[tuple]:
    query = (query.replace("{ledger}", f"read_parquet('{home}/lake/_ledger/*.parquet', "
                                       "union_by_name=true)")
             .replace("{quarantine}", f"read_parquet('{home}/quarantine/**/*.parquet', "
                                      "union_by_name=true)")
             .replace("{bookings}", f"read_parquet('{home}/lake/bookings/**/*.parquet', "
                                    "union_by_name=true)"))
    return duckdb.connect().execute(query).fetchall()


def in_force(home: Path) -> dict[str, dict]:
    cols = ["file_path", "status", "rows_read", "rows_loaded", "rows_quarantined", "message",
            "encoding"]
    rows = sql(home, f"select {', '.join(cols)} from {{ledger}} "
                     "where status <> 'superseded'")
    paths = Counter(r[0] for r in rows)
    assert not [p for p, n in paths.items() if n > 1], "a file has two ledger rows in force"
    return {r[0]: dict(zip(cols, r, strict=True)) for r in rows}


def latest_status(home: Path) -> dict[str, tuple[str, str]]:
    """booking id -> (region, status of its latest version): versions ordered by
    when they changed; one version per source record (a duplicated event is one)."""
    rows = sql(home, """
        with versions as (
            select * from {bookings}
            qualify row_number() over (
                partition by source_feed,
                             coalesce(source_record_id, source_file_hash || ':' || source_row)
                order by changed_at desc) = 1
        )
        select booking_id, any_value(region_code),
               arg_max(status, (changed_at, extract_date, source_row))
        from versions group by booking_id""")
    return {b: (r, s) for b, r, s in rows}


# ------------------------------------------------------------------------ the ledger


def test_every_landing_file_is_in_the_ledger_and_reconciles(messy):
    from ingestion.runner import file_sha256

    home, _ = messy
    landing = home / "landing"
    delivered = {file_sha256(p) for p in landing.glob("*/*/*") if p.is_file()}
    # Same bytes twice (e.g. two days without any event) are one delivery: by hash.
    hashes = {h for (h,) in sql(home, "select file_hash from {ledger} "
                                      "where status <> 'superseded'")}
    assert hashes == delivered
    ledger = in_force(home)
    for path, row in ledger.items():
        assert row["rows_read"] == row["rows_loaded"] + row["rows_quarantined"], path
    quarantined = dict(sql(home, "select file_path, count(*) from {quarantine} "
                                 "where row_number is not null group by file_path"))
    for path, row in ledger.items():
        if row["status"] != "rejected_file":
            assert quarantined.get(path, 0) == row["rows_quarantined"], path


# ------------------------------------------------------------------------ each defect


def test_every_injected_defect_is_handled_as_the_log_expects(messy):
    home, truth = messy
    injected = truth["defects"]["injected"] + truth["defects"]["contract_gaps"]
    assert {d["feed"] for d in injected} >= set(FEEDS)  # the world did carry defects
    ledger = in_force(home)
    quarantine = {(f, n): (field, reason) for f, n, field, reason in sql(
        home, "select file_path, row_number, field, reason from {quarantine} "
              "where row_number is not null")}
    loaded_events = {r[0] for r in sql(home, "select source_record_id from {bookings} "
                                             "where source_feed = 'booking_events'")}
    problems = []
    for d in injected:
        where = f"{d['kind']} in {d['file']} line {d.get('line')}"
        expected = d["expected"]
        if expected in ROW_EXPECTED:
            got = quarantine.get((d["file"], d["line"]))
            if got is None:
                problems.append(f"{where}: not quarantined")
            elif "field" in d and got[0] != d["field"]:
                problems.append(f"{where}: quarantined at field {got[0]!r}, "
                                f"expected {d['field']!r} ({got[1]})")
            elif d["kind"] in REASONS and not REASONS[d["kind"]].search(got[1]):
                problems.append(f"{where}: reason {got[1]!r}")
            elif d["kind"] == "fhir_not_a_booking" and d["status"] not in got[1]:
                problems.append(f"{where}: reason {got[1]!r} does not name the status")
        elif expected == "file_rejected":
            row = ledger[d["file"]]
            again = ledger.get(d["redelivered_as"])
            if row["status"] != "rejected_file":
                problems.append(f"{where}: status {row['status']}, expected rejected_file")
            elif d["kind"] == "renamed_column" and d["renamed_to"] not in row["message"]:
                problems.append(f"{where}: the message does not name the renamed column")
            elif d["kind"] == "truncated_file" and not re.search(
                    r"truncated|not a readable ZIP", row["message"]):
                problems.append(f"{where}: message {row['message']!r}")
            if again is None or again["status"] == "rejected_file":
                problems.append(f"{where}: the re-delivery {d['redelivered_as']} not loaded")
        elif expected == "loaded":
            row = ledger.get(d["file"])
            if row is None or row["status"] == "rejected_file":
                problems.append(f"{where}: the file was not loaded")
            elif d["kind"] in ("duplicated_event", "out_of_order_event") \
                    and d["feed"] == "booking_events" and d["key"] not in loaded_events:
                problems.append(f"{where}: the event is not in the lake")
            elif "line" in d and (d["file"], d["line"]) in quarantine \
                    and d["kind"] != "late_outcome":
                problems.append(f"{where}: quarantined ({quarantine[(d['file'], d['line'])]})")
            elif d["kind"] == "wrong_encoding" and row["encoding"] != {
                    "utf-8": "utf-8", "cp1252": "cp1252"}.get(d["delivered_as"]):
                problems.append(f"{where}: read as {row['encoding']}")
        else:
            problems.append(f"{where}: unknown expectation {expected}")
    assert not problems, "\n".join(problems)


def test_nothing_is_quarantined_that_was_not_injected(messy):
    home, truth = messy
    injected = {(d["file"], d["line"])
                for d in truth["defects"]["injected"] + truth["defects"]["contract_gaps"]
                if d["expected"] in ROW_EXPECTED}
    rejected_files = {d["file"] for d in truth["defects"]["injected"]
                      if d["expected"] == "file_rejected"}
    extra = [(f, n, field, reason) for f, n, field, reason in sql(
        home, "select file_path, row_number, field, reason from {quarantine} order by all")
        if (f, n) not in injected and not (n is None and f in rejected_files)]
    assert not extra, f"{len(extra)} quarantined rows not injected, e.g. {extra[:5]}"


# ------------------------------------------------------------------------ the truth


def test_the_twin_world_is_the_same_world(messy, twin):
    _, messy_truth = messy
    _, twin_truth = twin
    for key in ("bookings", "latest_status", *[f"bookings_{f}" for f in BOOKING_REGIONS]):
        assert twin_truth["counts"][key] == messy_truth["counts"][key], key
    assert not [d for d in twin_truth["defects"]["injected"] if d["kind"] != "late_outcome"]


def test_the_twin_world_loads_exactly_the_truths_bookings(twin):
    home, truth = twin
    latest = latest_status(home)
    per_region = Counter(region for region, _ in latest.values())
    for feed, region in BOOKING_REGIONS.items():
        assert per_region[region] == truth["counts"][f"bookings_{feed}"], feed
    statuses = Counter(status for _, status in latest.values())
    assert dict(statuses) == truth["counts"]["latest_status"]
    # Per region and outcome: the no-show rate's numerator and denominator.
    want: Counter = Counter()
    for row in truth["metrics"]["no_show_rate"]["rows"]:
        want[(row["region"], "no_show")] += row["numerator"]
        want[(row["region"], "outcome")] += row["denominator"]
    got: Counter = Counter()
    for region, status in latest.values():
        got[(region, "no_show")] += status == "no_show"
        got[(region, "outcome")] += status in ("no_show", "attended")
    assert {k: v for k, v in got.items() if v} == {k: v for k, v in want.items() if v}


def test_the_messy_world_has_the_twins_state_for_every_untouched_booking(messy, twin):
    messy_home, truth = messy
    twin_home, _ = twin
    event_booking = dict(sql(twin_home, "select source_record_id, booking_id from {bookings} "
                                        "where source_feed = 'booking_events'"))
    touched = set()
    for d in truth["defects"]["injected"]:
        if d["feed"] not in BOOKING_REGIONS or d["expected"] not in ROW_EXPECTED:
            continue
        key = d["key"]
        touched.add(event_booking.get(key, key) if d["feed"] == "booking_events" else key)
    clean, dirty = latest_status(twin_home), latest_status(messy_home)
    untouched = set(clean) - touched
    assert len(untouched) > 0.9 * len(clean)
    differ = sorted(b for b in untouched if dirty.get(b) != clean[b])
    assert not differ, f"{len(differ)} untouched bookings differ, e.g. {differ[:5]}"
    assert set(dirty) <= set(clean)
