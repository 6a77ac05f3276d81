"""The coverage marts (METRICS.md D) against the truth, for two simulated worlds (tiny,
seeds 7 and 11, a few regions each): simulate → ingest the feeds the family rests on →
dbt build of the coverage marts and everything upstream, then compare with the
simulator's ground_truth.json.

Every comparison here is exact. The truth and the pipeline see the same world: the
truth from memory, the pipeline from the delivered files (clean default parameters:
no defects). Each figure below is a count the files determine completely, so any
difference is a modelling error, not sampling noise, and no tolerance is justified:

- units_connected_share per region, month and service (national catalogues, so every
  region even when only some regions' bookings are simulated);
- booking_visibility_rate per region and month, and the invisible pairs by reason (the
  truth's source_error is our source_error + source_timeout);
- ei_index_completeness per region and month (month-end snapshots);
- source_error_rate per region and month, with its errors and timeouts;
- source_latency_p95_ms where a region's calls in a month all went to one booking
  system (the truth's p95 is per region, ours per system): the same nearest rank.

The truth has no slot figures, so web_bookable_slot_share and digitally_bookable_services
are checked against an independent polars computation straight from the landing CSV
files (timeslots, connections), sharing no code with ingestion or dbt; and the booking
systems' load in the aggregator's log against the service platform's statistics.

Both seeds run side by side (one per core). The booking_csv ingestion dominates the
time, so each seed simulates three regions (SEED_REGIONS): large and small, different
booking-system mixes, each with units live on Bokade tider during the period.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from collections import defaultdict
from pathlib import Path

import polars as pl
import pytest

from tests.metrics import pipeline

pytestmark = pytest.mark.e2e
SEED_REGIONS = {7: ["01", "12", "13"], 11: ["03", "05", "14"]}
FEEDS = ["booking_csv", "hsa_units", "connections", "aggregator_requests",
         "aggregator_responses", "engagement_index", "timeslots", "platform_stats"]
# the simulator's connection services (SOURCES.md 3c tjanst) -> the marts' codes
SERVICES = {"se_bokade_tider": "view_bookings", "avboka": "cancel", "omboka": "rebook",
            "boka": "book"}


def simulate(home: Path, seed: int) -> subprocess.Popen:
    return pipeline.simulate_feeds(home, seed, SEED_REGIONS[seed], FEEDS)


def ingest(home: Path) -> subprocess.Popen:
    return pipeline.ingest_clean(home, FEEDS)


truth, query = pipeline.truth, pipeline.query


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """Both seeds: simulated, ingested, the coverage marts built with their data tests."""
    homes = {seed: tmp_path_factory.mktemp(f"coverage_seed{seed}") for seed in SEED_REGIONS}
    pipeline.wait(*(simulate(home, seed) for seed, home in homes.items()))
    for seed, home in homes.items():
        delivered = {p.name for p in (home / "landing" / "booking_csv").iterdir()}
        assert delivered == set(SEED_REGIONS[seed])
    pipeline.wait(*(ingest(home) for home in homes.values()))
    pipeline.wait(*(pipeline.dbt(home, "build", "--select", "+path:models/marts/coverage",
                                 "--exclude", "test_type:unit", "--indirect-selection",
                                 "cautious")
                    for home in homes.values()))
    return homes


def ym(value: dt.date | str) -> str:
    return value.strftime("%Y-%m") if isinstance(value, dt.date) else value


def by_region_month(home: Path, table: str, period: str = "month") -> dict[tuple, tuple]:
    rows = query(home, f"select region_code, {period}, numerator, denominator "
                       f"from marts.{table}")
    summed: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for region, when, numerator, denominator in rows:
        summed[(region, ym(when))][0] += numerator
        summed[(region, ym(when))][1] += denominator
    return {key: tuple(v) for key, v in summed.items()}


def truth_rows(home: Path, metric_id: str, simulated_only: bool = True) -> list[dict]:
    regions = set(SEED_REGIONS[seed_of(home)])
    return [r for r in truth(home)["metrics"][metric_id]["rows"]
            if not simulated_only or r["region"] in regions]


def seed_of(home: Path) -> int:
    return truth(home)["parameters"]["seed"]["value"]


@pytest.mark.parametrize("seed", SEED_REGIONS)
def test_units_connected_share_equals_the_truth(worlds: dict[int, Path], seed: int) -> None:
    home = worlds[seed]
    expected = {(r["region"], r["month"], SERVICES[r["service"]]):
                (r["numerator"], r["denominator"])
                for r in truth_rows(home, "units_connected_share", simulated_only=False)}
    ours = {(region, ym(month), service): (n, d) for region, month, service, n, d in query(
        home, "select region_code, month, service, numerator, denominator "
              "from marts.units_connected_share")}
    assert ours == expected
    assert len({key[0] for key in ours}) == 21
    assert 0 < sum(n for n, _ in ours.values()) < sum(d for _, d in ours.values())
    # regions_live is the same state: 1 where a region has a unit live
    live = {(region, ym(month), service): value for region, month, service, value in query(
        home, "select region_code, month, service, value from marts.regions_live")}
    assert live == {key: int(n > 0) for key, (n, _) in expected.items()}


@pytest.mark.parametrize("seed", SEED_REGIONS)
def test_booking_visibility_and_its_reasons_equal_the_truth(worlds: dict[int, Path],
                                                            seed: int) -> None:
    home = worlds[seed]
    rows = truth_rows(home, "booking_visibility_rate")
    expected = {(r["region"], r["month"]): (r["numerator"], r["denominator"])
                for r in rows if r["denominator"]}
    assert by_region_month(home, "booking_visibility_rate", "day") == expected
    total = sum(d for _, d in expected.values())
    assert 0 < sum(n for n, _ in expected.values()) < total and total > 200

    reasons = defaultdict(int)
    for region, day, reason, pairs in query(
            home, "select region_code, day, visibility_reason, sum(denominator) "
                  "from marts.booking_visibility_by_reason where visibility_reason <> 'visible' "
                  "group by all"):
        reason = "source_error" if reason == "source_timeout" else reason
        reasons[(region, ym(day), reason)] += pairs
    expected_reasons = {(r["region"], r["month"], reason): n for r in rows
                        for reason, n in r["invisible_by_reason"].items() if n}
    assert dict(reasons) == expected_reasons
    # more than one reason occurs, so the order of the reasons is exercised
    assert len({key[2] for key in expected_reasons}) >= 3


@pytest.mark.parametrize("seed", SEED_REGIONS)
def test_ei_index_completeness_equals_the_truth(worlds: dict[int, Path], seed: int) -> None:
    home = worlds[seed]
    expected = {(r["region"], r["month"]): (r["numerator"], r["denominator"])
                for r in truth_rows(home, "ei_index_completeness") if r["denominator"]}
    assert by_region_month(home, "ei_index_completeness") == expected
    assert sum(d for _, d in expected.values()) > 100


@pytest.mark.parametrize("seed", SEED_REGIONS)
def test_source_errors_and_latency_equal_the_truth(worlds: dict[int, Path], seed: int) -> None:
    home = worlds[seed]
    rows = truth_rows(home, "source_error_rate")
    expected = {(r["region"], r["month"]): (r["numerator"], r["denominator"])
                for r in rows if r["denominator"]}
    assert by_region_month(home, "source_error_rate", "day") == expected
    assert sum(d for _, d in expected.values()) > 100

    kinds = defaultdict(lambda: [0, 0])
    for region, day, errors, timeouts in query(
            home, "select region_code, day, errors, timeouts from marts.source_error_rate"):
        kinds[(region, ym(day))][0] += errors
        kinds[(region, ym(day))][1] += timeouts
    assert {k: tuple(v) for k, v in kinds.items()} == {
        (r["region"], r["month"]): (r["errors"], r["timeouts"]) for r in rows if r["denominator"]}

    systems = defaultdict(list)
    for region, month, value in query(
            home, "select region_code, month, value from marts.source_latency_p95_ms"):
        systems[(region, ym(month))].append(value)
    single = {key: values[0] for key, values in systems.items() if len(values) == 1}
    p95 = {(r["region"], r["month"]): r["response_time_p95_ms"] for r in rows
           if r["denominator"]}
    assert single and {key: p95[key] for key in single} == single


@pytest.mark.parametrize("seed", SEED_REGIONS)
def test_calls_per_view_count_every_view_and_every_call(worlds: dict[int, Path],
                                                        seed: int) -> None:
    """Every view of the simulated regions is placed in a region (its resident's) and
    every call to a booking system is counted once."""
    home = worlds[seed]
    (calls, views), = query(home, "select sum(numerator), sum(denominator) "
                                  "from marts.source_calls_per_view")
    assert views == truth(home)["counts"]["bokade_tider_views"]
    assert calls == sum(r["denominator"] for r in truth_rows(home, "source_error_rate"))
    assert 0 < calls <= 4 * views
    # the national service platform counted the same GetSubjectOfCareSchedule calls
    # (platform_booking_calls, from platform_stats), per region and day
    platform = dict(((r, d), c) for r, d, c in query(
        home, "select region_code, day, sum(calls) from marts.platform_booking_calls "
              "where interaction = 'GetSubjectOfCareSchedule' group by all"))
    logged = dict(((r, d), c) for r, d, c in query(
        home, "select region_code, day, numerator from marts.source_calls_per_view "
              "where numerator > 0"))
    assert platform == logged


def landing_timeslots(home: Path) -> pl.DataFrame:
    """Every timeslots row as delivered (SOURCES.md 1e), straight from the CSV files."""
    frames = [pl.read_csv(path, separator=";", infer_schema=False).with_columns(
        pl.lit(path.parent.name).alias("region"))
        for path in sorted((home / "landing" / "timeslots").rglob("*.csv"))]
    return pl.concat(frames).with_columns(
        pl.col("Datum").str.to_date(),
        pl.col("Antal tider", "Webbokningsbara").cast(pl.Int64))


@pytest.mark.parametrize("seed", SEED_REGIONS)
def test_slot_marts_equal_an_independent_computation(worlds: dict[int, Path],
                                                     seed: int) -> None:
    home = worlds[seed]
    slots = landing_timeslots(home)
    expected = {
        (r["region"], r["month"], r["Vårdenhet"], r["Tidtyp"], r["Vårdtjänst"]):
        (r["web"], r["all"])
        for r in slots.with_columns(pl.col("Datum").dt.strftime("%Y-%m").alias("month"))
        .group_by("region", "month", "Vårdenhet", "Tidtyp", "Vårdtjänst")
        .agg(pl.col("Webbokningsbara").sum().alias("web"),
             pl.col("Antal tider").sum().alias("all")).iter_rows(named=True)}
    ours = {(r[0], ym(r[1]), *r[2:5]): (r[5], r[6]) for r in query(
        home, "select region_code, month, care_unit_hsa_id, time_type_code, care_service, "
              "numerator, denominator from marts.web_bookable_slot_share")}
    assert ours == expected
    assert 0 < sum(n for n, _ in ours.values()) < sum(d for _, d in ours.values())

    # digitally bookable: (service, time type) with web slots on a day the unit was live
    # (produktion_datum <= day < avslutad_datum) on boka, omboka or avboka
    links = pl.read_csv(next((home / "landing" / "connections").rglob("*.csv")),
                        separator=";", infer_schema=False)
    live = (links.filter(pl.col("tjanst").is_in(["boka", "omboka", "avboka"])
                         & pl.col("produktion_datum").is_not_null())
            .select(pl.col("vardenhet").alias("Vårdenhet"),
                    pl.col("produktion_datum").str.to_date().alias("live_from"),
                    pl.col("avslutad_datum").str.to_date().alias("live_to")))
    bookable = (slots.filter(pl.col("Webbokningsbara") > 0)
                .join(live, on="Vårdenhet", how="inner")
                .filter((pl.col("live_from") <= pl.col("Datum"))
                        & (pl.col("live_to").is_null() | (pl.col("Datum") < pl.col("live_to"))))
                .with_columns(pl.col("Datum").dt.strftime("%Y-%m").alias("month"))
                .group_by("region", "month", "Vårdenhet")
                .agg(pl.struct("Vårdtjänst", "Tidtyp").n_unique().alias("n")))
    expected_counts = {(r["region"], r["month"], r["Vårdenhet"]): r["n"]
                       for r in bookable.iter_rows(named=True)}
    ours_counts = {(r[0], ym(r[1]), r[2]): r[3] for r in query(
        home, "select region_code, month, care_unit_hsa_id, value "
              "from marts.digitally_bookable_services where value > 0")}
    assert ours_counts == expected_counts and ours_counts
