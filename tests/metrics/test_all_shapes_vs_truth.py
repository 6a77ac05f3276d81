"""no_show_rate for regions of every time-book shape against the truth.

The 'realistic' profile gives regions the four shapes of SOURCES.md 1a–1d: CSV
extracts, event streams, FHIR appointments, and monthly counts only
(booking_aggregates). For two seeds: simulate a few regions covering all four →
ingest the booking feeds and the unit catalogue → dbt build the no-show marts, then

- no_show_rate per region × month × booking channel equals ground_truth.json
  exactly, count regions included: the counts carry status (Attended, DNA,
  Unknown = no outcome yet, cancelled bookings not counted) and the channel per
  month, which is all the mart needs, so nothing is estimated and no tolerance
  applies;
- every region delivered is in the mart for every month of the period, and no
  month after the data's end is served (no_show_rate, late_cancellation_rate);
- the detail mart has the same totals and marks what counts cannot report.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.metrics import pipeline
from tidbok.config import REPO_ROOT

pytestmark = pytest.mark.e2e
SEEDS = (7, 11)
# Two regions per shape where the profile has them (parameters.REALISTIC_TIME_BOOK_SHAPES):
# CSV 03 and 12, events 01, FHIR 14, counts 09 and 23.
SHAPES = {"03": "booking_csv", "12": "booking_csv", "01": "booking_events",
          "14": "booking_fhir", "09": "booking_aggregates", "23": "booking_aggregates"}
FEEDS = ("booking_csv", "booking_events", "booking_fhir", "booking_aggregates", "hsa_units")


def simulate(home: Path, seed: int) -> subprocess.Popen:
    script = ("import sys; from pathlib import Path; from simulator.generate import simulate; "
              f"simulate(Path(sys.argv[1]), scale='tiny', seed={seed}, profile='realistic', "
              f"regions={sorted(SHAPES)!r}, feeds={list(FEEDS)!r})")
    return subprocess.Popen([sys.executable, "-c", script, str(home / "landing")],
                            env=pipeline.environment(home), cwd=REPO_ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def ingest(home: Path) -> subprocess.Popen:
    script = ("import json, ingestion.runner as runner; "
              f"print(json.dumps(runner.ingest_landing(feeds={FEEDS!r}).as_dict()))")
    return subprocess.Popen([sys.executable, "-c", script], env=pipeline.environment(home),
                            cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """Both seeds side by side (one per core): simulated, ingested, built."""
    homes = {seed: tmp_path_factory.mktemp(f"shapes_seed{seed}") for seed in SEEDS}
    pipeline.wait(*(simulate(home, seed) for seed, home in homes.items()))
    summaries = pipeline.wait(*(ingest(home) for home in homes.values()))
    for home, out in zip(homes.values(), summaries, strict=True):
        (home / "ingest_summary.json").write_text(out.strip().splitlines()[-1], encoding="utf-8")
    models = ("+no_show_rate", "+no_show_rate_by_dimension", "+late_cancellation_rate",
              "dim_regions")
    pipeline.wait(*(pipeline.dbt(home, "build", "--select", *models,
                                 "--exclude", "test_type:unit",
                                 "--indirect-selection", "cautious")
                    for home in homes.values()))
    return homes


def gap_bookings(expected: dict[str, Any]) -> dict[str, set[str]]:
    """region -> booking ids the simulator wrote outside the contract (e.g. a FHIR
    reservnummer without an identifier system): quarantined by design, so their
    visits are missing from the marts but counted in the truth."""
    gaps: dict[str, set[str]] = {}
    for gap in expected["defects"]["contract_gaps"]:
        if gap["expected"] == "row_quarantined":
            gaps.setdefault(gap["file"].split("/")[1], set()).add(gap["key"])
    return gaps


truth, query = pipeline.truth, pipeline.query


def month(value: dt.date) -> str:
    return value.strftime("%Y-%m")


def period_months(expected: dict[str, Any]) -> set[str]:
    period = expected["parameters"]["period"]["value"]
    first, last = (dt.date.fromisoformat(period[k]) for k in ("start", "end"))
    months, day = set(), first.replace(day=1)
    while day <= last:
        months.add(month(day))
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


@pytest.mark.parametrize("seed", SEEDS)
def test_every_shape_was_delivered_and_ingested(worlds: dict[int, Path], seed: int) -> None:
    landing = worlds[seed] / "landing"
    for region, shape in SHAPES.items():
        assert any((landing / shape / region).iterdir()), (region, shape)
    expected = truth(worlds[seed])
    summary = json.loads((worlds[seed] / "ingest_summary.json").read_text(encoding="utf-8"))
    assert summary["files_rejected"] == 0, summary
    # only the rows the simulator wrote outside the contract are quarantined
    assert summary["rows_quarantined"] == sum(
        1 for gap in expected["defects"]["contract_gaps"] if gap["expected"] == "row_quarantined")
    counts = expected["counts"]
    for shape in set(SHAPES.values()):
        assert counts[f"bookings_{shape}"] > 0, shape
    # the count regions reach the marts only through the counts
    rows = query(worlds[seed], "select distinct region_code from marts.fct_bookings")
    assert {r for (r,) in rows} == {r for r, s in SHAPES.items() if s != "booking_aggregates"}


@pytest.mark.parametrize("seed", SEEDS)
def test_no_show_rate_equals_the_truth_for_every_shape(worlds: dict[int, Path],
                                                      seed: int) -> None:
    home, expected = worlds[seed], truth(worlds[seed])
    rows = {(r["region"], r["month"], r["channel"]): (r["numerator"], r["denominator"])
            for r in expected["metrics"]["no_show_rate"]["rows"] if r["denominator"]}
    ours = {(region, month(m), channel): (n, d) for region, m, channel, n, d in query(
        home, "select region_code, month, booking_channel, numerator, denominator "
              "from marts.no_show_rate")}
    # exact, but for the visits of bookings quarantined as contract gaps (none of a
    # count region: counts have no identifiers): each can only lower a cell by one
    gaps = gap_bookings(expected)
    assert not set(gaps) & {r for r, s in SHAPES.items() if s == "booking_aggregates"}
    for key in set(rows) | set(ours):
        (true_n, true_d), (n, d) = rows.get(key, (0, 0)), ours.get(key, (0, 0))
        allowed = len(gaps.get(key[0], ()))
        assert 0 <= true_n - n <= allowed and 0 <= true_d - d <= allowed, (key, rows.get(key),
                                                                          ours.get(key))
    missing = sum(rows[k][1] for k in rows) - sum(ours[k][1] for k in ours)
    assert missing <= sum(len(keys) for keys in gaps.values())
    # every region of every shape, every month of the period, a real sample
    per_region_month = {(region, m) for region, m, _ in ours}
    assert per_region_month == {(region, m) for region, m, _ in rows}
    assert per_region_month == {(r, m) for r in SHAPES for m in period_months(expected)}
    for region, shape in SHAPES.items():
        visits = sum(d for (r, _, _), (_, d) in ours.items() if r == region)
        assert visits > 5, (region, shape, visits)


@pytest.mark.parametrize("seed", SEEDS)
def test_no_month_after_the_data_is_served(worlds: dict[int, Path], seed: int) -> None:
    home, expected = worlds[seed], truth(worlds[seed])
    last = max(period_months(expected))
    for table in ("no_show_rate", "no_show_rate_by_dimension", "late_cancellation_rate"):
        served = {month(m) for (m,) in query(home, f"select distinct month from marts.{table}")}
        assert served and max(served) == last, (table, sorted(served))
    # the late cancellations of the row regions equal the truth's months up to the end
    # (the truth also counts cancelled bookings for later visits; those months are not
    # measured yet)
    late = expected["metrics"]["late_cancellation_rate"]["rows"]
    rows = {(r["region"], r["month"]): (r["numerator"], r["denominator"]) for r in late
            if r["denominator"] and r["month"] <= last
            and SHAPES[r["region"]] != "booking_aggregates"}
    assert any(r["month"] > last for r in late)  # the bug this guards against
    ours = {(region, month(m)): (n, d) for region, m, n, d in query(
        home, "select region_code, month, sum(numerator), sum(denominator) "
              "from marts.late_cancellation_rate group by 1, 2")}
    assert set(ours) == set(rows)
    gaps = gap_bookings(expected)
    for key, (true_n, true_d) in rows.items():
        n, d = ours[key]
        allowed = len(gaps.get(key[0], ()))
        assert 0 <= true_n - n <= allowed and 0 <= true_d - d <= allowed, (key, (true_n, true_d),
                                                                          (n, d))


@pytest.mark.parametrize("seed", SEEDS)
def test_detail_mart_has_the_same_totals_and_marks_what_counts_lack(
        worlds: dict[int, Path], seed: int) -> None:
    home = worlds[seed]
    totals = "select region_code, month, sum(numerator), sum(denominator) from marts.{} " \
             "group by 1, 2 order by 1, 2"
    assert query(home, totals.format("no_show_rate_by_dimension")) == query(
        home, totals.format("no_show_rate"))
    counted = {r for r, s in SHAPES.items() if s == "booking_aggregates"}
    marks = query(home, "select region_code, reminder, care_service, age_band, "
                        "sum(denominator) from marts.no_show_rate_by_dimension group by all")
    for region, reminder, care_service, age_band, _ in marks:
        reported = (reminder, care_service, age_band) != ("not_reported",) * 3
        assert reported == (region not in counted), (region, reminder, care_service, age_band)
    # the dimensions the counts do carry are real values, not placeholders
    modes = query(home, "select distinct contact_type from marts.no_show_rate_by_dimension "
                        f"where region_code in ({', '.join(repr(r) for r in counted)})")
    assert {m for (m,) in modes} - {"unknown"}
