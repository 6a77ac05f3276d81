"""The booking marts against the truth, for two simulated worlds (tiny, seeds 7 and 11):
simulate → ingest the booking feeds → dbt build, then

- exact agreement with an independent polars computation from the landing CSV files
  (tests/metrics/independent.py) for no_show_rate, digital_booking_share and
  late_cancellation_rate, at the marts' full grain;
- agreement with the simulator's ground_truth.json for what it holds: the no-show rows
  exactly, the booking counts exactly, and any further metric it learns within a
  binomial tolerance (below).

Seed 7 simulates every region; seed 11 a third of them (SECOND_SEED_REGIONS, the
simulator's `regions`), which keeps the module near two minutes on two shared cores
(ingesting one tiny world's ~1 900 booking files takes most of a minute).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.metrics import independent, pipeline
from tidbok import catalogue

pytestmark = pytest.mark.e2e
SEEDS = (7, 11)
# Every third region (small and large ones, cp1252 and UTF-8 deliveries alike).
SECOND_SEED_REGIONS = {"01", "05", "08", "12", "17", "20", "23"}


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """Both seeds side by side (one per core): simulated, ingested, built."""
    homes = {seed: tmp_path_factory.mktemp(f"marts_seed{seed}") for seed in SEEDS}
    pipeline.wait(*(pipeline.simulate(home, seed, regions_of(seed))
                    for seed, home in homes.items()))
    delivered = {p.name for p in (homes[SEEDS[1]] / "landing" / "booking_csv").iterdir()}
    assert delivered <= SECOND_SEED_REGIONS
    pipeline.wait(*(pipeline.ingest(home) for home in homes.values()))
    # every booking model and mart with its data tests; the unit tests do not depend
    # on the data and run in the project's own dbt build
    pipeline.wait(*(pipeline.dbt(home, "build", "--select", "@fct_bookings dim_regions",
                                 "--exclude", "test_type:unit", "--indirect-selection",
                                 "cautious")
                    for home in homes.values()))
    return homes


def regions_of(seed: int) -> set[str] | None:
    return SECOND_SEED_REGIONS if seed == SEEDS[1] else None


def mart(home: Path, table: str, columns: str) -> dict[tuple, tuple[int, int]]:
    """(grain...) -> (numerator, denominator) with months as 'YYYY-MM'."""
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute(f"select {columns}, numerator, denominator from marts.{table}"
                           ).fetchall()
    finally:
        con.close()
    return {tuple(v.strftime("%Y-%m") if isinstance(v, dt.date) else v for v in r[:-2]):
            (r[-2], r[-1]) for r in rows}


def scalar(home: Path, sql: str) -> Any:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()[0][0]
    finally:
        con.close()


def totals(rows: dict[tuple, tuple[int, int]]) -> tuple[int, int]:
    return sum(n for n, _ in rows.values()), sum(d for _, d in rows.values())


def truth(home: Path) -> dict[str, Any]:
    return json.loads((home / "landing" / "ground_truth.json").read_text(encoding="utf-8"))


def last_month(home: Path) -> str:
    """'YYYY-MM' of the data's end: later visit months are not served (bookings made for
    later visits are not a measured month; macro visit_month_is_served)."""
    return truth(home)["parameters"]["period"]["value"]["end"][:7]


def measured(rows: dict[tuple, Any], last: str) -> dict[tuple, Any]:
    """Rows keyed (region, 'YYYY-MM', ...) of months up to `last`."""
    return {key: value for key, value in rows.items() if key[1] <= last}


@pytest.mark.parametrize("seed", SEEDS)
def test_marts_equal_the_independent_computation(worlds: dict[int, Path], seed: int) -> None:
    home = worlds[seed]
    bookings = independent.bookings(home / "landing")
    no_show = mart(home, "no_show_rate", "region_code, month, booking_channel")
    assert no_show == independent.no_show_rate(bookings)
    assert totals(no_show)[1] > 1000

    digital = mart(home, "digital_booking_share",
                   "region_code, month, care_service, care_unit_hsa_id")
    assert digital == independent.digital_booking_share(bookings)
    assert totals(digital)[0] > 300

    late = mart(home, "late_cancellation_rate",
                "region_code, month, care_level, care_service, booking_channel")
    every_month = independent.late_cancellation_rate(bookings)
    assert late == measured(every_month, last_month(home))
    assert len(every_month) > len(late)  # cancelled bookings for visits after the data
    assert totals(late)[0] > 30
    levels = {key[2] for key, (n, _) in late.items() if n}
    assert levels == {"primary_care", "specialist_care"}


def truth_rows(home: Path, metric_id: str) -> dict[tuple, dict[str, Any]]:
    """(region, month) -> row of a ground-truth metric kept per region and month."""
    block = truth(home)["metrics"].get(metric_id)
    if block is None:
        pytest.fail(f"ground_truth.json has no {metric_id}")
    assert block["grain"] == ["month", "region"], block["grain"]
    return {(r["region"], r["month"]): r for r in block["rows"]}


def by_region_month(home: Path, metric_id: str) -> dict[tuple, tuple[int, int]]:
    """A mart summed to (region, 'YYYY-MM'): its numerator and denominator."""
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute(f"select region_code, strftime(month, '%Y-%m'), sum(numerator), "
                           f"sum(denominator) from marts.{metric_id} group by 1, 2").fetchall()
    finally:
        con.close()
    return {(r[0], r[1]): (r[2], r[3]) for r in rows}


@pytest.mark.parametrize("seed", SEEDS)
def test_no_show_rows_and_booking_counts_equal_the_ground_truth(worlds: dict[int, Path],
                                                                seed: int) -> None:
    home, expected = worlds[seed], truth(worlds[seed])
    rows = {(r["region"], r["month"], r["channel"]): (r["numerator"], r["denominator"])
            for r in expected["metrics"]["no_show_rate"]["rows"] if r["denominator"]}
    assert mart(home, "no_show_rate", "region_code, month, booking_channel") == rows

    counts = expected["counts"]
    first, _ = totals(by_region_month(home, "digital_booking_share"))
    bookings = (totals(by_region_month(home, "digital_booking_share"))[1]
                + totals(by_region_month(home, "digital_rebooking_share"))[1])
    assert bookings == counts["bookings"]
    assert totals(by_region_month(home, "digital_rebooking_share"))[1] == counts["rebookings"]
    assert totals(by_region_month(home, "referral_self_booking_share"))[1] == (
        counts["referral_bookings"])
    status = counts["latest_status"]
    no_shows, visits = totals(mart(home, "no_show_rate", "region_code, month, booking_channel"))
    assert (no_shows, visits - no_shows) == (status["no_show"], status["attended"])
    cancelled = truth_rows(home, "slot_refill_rate")
    assert sum(r["denominator"] for r in cancelled.values()) == status["cancelled"]
    assert totals(by_region_month(home, "slot_refill_rate"))[1] == sum(
        r["denominator"] for r in measured(cancelled, last_month(home)).values())
    assert totals(by_region_month(home, "co_planned_visit_share"))[1] == status["attended"]
    period = expected["parameters"]["period"]["value"]
    days = (dt.date.fromisoformat(period["end"]) - dt.date.fromisoformat(period["start"])).days
    if days < 365:  # every resident's first booking in the data is a first contact
        assert totals(by_region_month(home, "first_contact_digital_share"))[1] == (
            counts["residents_with_booking"])


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("metric_id", ["late_cancellation_rate", "digital_cancellation_share",
                                       "digital_rebooking_share"])
def test_rates_equal_the_ground_truth_per_region_and_month(worlds: dict[int, Path], seed: int,
                                                           metric_id: str) -> None:
    home = worlds[seed]
    expected = {key: (r["numerator"], r["denominator"])
                for key, r in measured(truth_rows(home, metric_id), last_month(home)).items()
                if r["denominator"]}
    assert by_region_month(home, metric_id) == expected


@pytest.mark.parametrize("seed", SEEDS)
def test_digital_bookings_differ_from_the_truth_only_where_the_channel_is_unseen(
        worlds: dict[int, Path], seed: int) -> None:
    """A booking changed again on the day it was made is first delivered in its
    changed state; when that is a cancellation, booking_csv shows the cancellation's
    channel (SOURCES.md 1a) and the creation channel cannot be seen. The truth counts
    those bookings per region and month (creation_version_not_delivered): only they
    may differ. The denominators are exact."""
    home = worlds[seed]
    ours = by_region_month(home, "digital_booking_share")
    expected = truth_rows(home, "digital_booking_share")
    assert {k: d for k, (_, d) in ours.items()} == {
        k: r["denominator"] for k, r in expected.items() if r["denominator"]}
    for key, (numerator, _) in ours.items():
        row = expected[key]
        assert abs(numerator - row["numerator"]) <= row["creation_version_not_delivered"], key
    unseen = scalar(home, "select count(*) from marts.fct_bookings "
                          "where not is_booking_channel_observed")
    assert unseen < 0.05 * truth(home)["counts"]["bookings"]


def binomial_tolerance(p: float, n: int) -> float:
    """Four standard errors of a share estimated from n trials, plus half a percentage
    point for definitional edge cases (e.g. a slot matched by coincidence)."""
    return 4 * math.sqrt(max(p * (1 - p), 1e-4) / max(n, 1)) + 0.005


EXACT = {"no_show_rate", "late_cancellation_rate", "digital_cancellation_share",
         "digital_rebooking_share", "digital_booking_share"}


@pytest.mark.parametrize("seed", SEEDS)
def test_other_ground_truth_metrics_agree_within_sampling_tolerance(worlds: dict[int, Path],
                                                                    seed: int) -> None:
    """simulator/ground_truth.py keeps growing: every further ratio metric it holds
    whose mart is built is compared on its national rate. slot_refill_rate is one:
    a booking that happens to take a cancelled slot counts as a refill here, while
    the simulator knows which bookings it drew as refills."""
    home, metrics = worlds[seed], truth(worlds[seed])["metrics"]
    available = {m.id: m for m in catalogue.metrics() if m.status == "available"}
    compared = []
    for metric_id, block in metrics.items():
        metric = available.get(metric_id)
        if metric_id in EXACT or metric is None or metric.aggregation != "ratio":
            continue
        if not set(metric.sources) <= {"bookings", "hsa_units"}:
            continue  # a feed this module does not ingest: compared in its family's test
        rows = [r for r in block.get("rows") or [] if r.get("month", "") <= last_month(home)]
        if not rows or "numerator" not in rows[0]:
            continue
        true_n = sum(r["numerator"] for r in rows)
        true_d = sum(r["denominator"] for r in rows)
        ours_n, ours_d = totals(by_region_month(home, metric_id))
        assert true_d and ours_d, metric_id
        p = true_n / true_d
        assert abs(ours_n / ours_d - p) <= binomial_tolerance(p, true_d), (
            metric_id, (ours_n, ours_d), (true_n, true_d))
        compared.append(metric_id)
    assert "slot_refill_rate" in compared
