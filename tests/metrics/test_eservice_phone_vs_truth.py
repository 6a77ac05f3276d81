"""The phone (METRICS.md A) and e-service risk (E) marts against the truth, for two
simulated worlds (tiny, seeds 7 and 11, seven regions each): simulate only the feeds
these marts read → ingest them → dbt build, then

- exact agreement with the simulator's ground_truth.json where the pipeline sees what
  the world knows: booking_lookup_calls_per_1000 and jump_out_dead_end_rate per region
  and month, the Bokade tider views and calls offered in `counts`, and the digital
  actions behind phone_calls_avoided (the digital shares' numerators; digital bookings
  within creation_version_not_delivered, the bookings whose creation channel a delta
  extract cannot show);
- the estimates recomputed independently from the parameter seed and the landing
  telephony files (polars): calls avoided = actions × factor, minutes = calls avoided ×
  measured minutes per Ärende where telephony has them, else the parameter;
- the e-service shares against the world's own probabilities (simulator/parameters.py,
  `eservice` and `auth_methods` in the truth's `parameters`) within a binomial
  tolerance, since each session draws them independently (see `tolerance`).

One pipeline run per seed for the whole module, both seeds side by side (one per core).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import subprocess
from pathlib import Path

import polars as pl
import pytest

from tests.metrics import pipeline
from tidbok.config import DBT_PROJECT_DIR

pytestmark = pytest.mark.e2e
FEEDS = ["booking_csv", "hsa_units", "telephony", "eservice_events", "population"]
# Seven regions per seed (large and small ones); both worlds keep the module near a minute.
REGIONS = {7: ["01", "05", "08", "12", "17", "20", "23"],
           11: ["03", "06", "10", "13", "14", "21", "25"]}
MARTS = ["booking_lookup_calls_per_1000", "bokade_tider_views", "phone_calls_avoided",
         "phone_minutes_saved_resident", "phone_minutes_saved_staff", "phone_volume_by_reason",
         "jump_out_dead_end_rate", "digital_uptake_by_age", "auth_method_mix",
         "self_service_failure_rate", "triage_to_booking_conversion",
         "eservice_booking_completion_rate", "book_from_history_share", "calendar_sync_share"]
# The Ärende of the call each avoided action stands for (int_phone__calls_avoided).
CALL_REASON = {"booking": "Boka", "rebooking": "Omboka", "cancellation": "Avboka",
               "bokade_tider_view": "Fråga om bokad tid"}


def simulate(home: Path, seed: int) -> subprocess.Popen:
    return pipeline.simulate_feeds(home, seed, REGIONS[seed], FEEDS)


def ingest(home: Path) -> subprocess.Popen:
    return pipeline.ingest_clean(home, FEEDS)


truth, query = pipeline.truth, pipeline.query


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    homes = {seed: tmp_path_factory.mktemp(f"eservice_phone_seed{seed}") for seed in REGIONS}
    pipeline.wait(*(simulate(home, seed) for seed, home in homes.items()))
    for seed, home in homes.items():
        delivered = {p.name for p in (home / "landing" / "eservice_events").iterdir()}
        assert delivered == set(REGIONS[seed])
    pipeline.wait(*(ingest(home) for home in homes.values()))
    # the marts, everything upstream and their data tests; the unit tests do not depend
    # on the data and run in the project's own dbt build
    selection = [f"+{m}" for m in MARTS]
    pipeline.wait(*(pipeline.dbt(home, "build", "--select", *selection, "dim_regions",
                                 "--exclude", "test_type:unit", "--indirect-selection",
                                 "cautious")
                    for home in homes.values()))
    return homes


def by_region_month(home: Path, table: str) -> dict[tuple[str, str], tuple[int, int]]:
    rows = query(home, f"select region_code, strftime(month, '%Y-%m'), sum(numerator), "
                       f"sum(denominator) from marts.{table} group by 1, 2")
    return {(r[0], r[1]): (int(r[2]), int(r[3])) for r in rows}


def truth_rates(home: Path, metric_id: str) -> dict[tuple[str, str], tuple[int, int]]:
    block = truth(home)["metrics"][metric_id]
    assert block["grain"] == ["month", "region"]
    return {(r["region"], r["month"]): (r["numerator"], r["denominator"]) for r in block["rows"]
            if r["denominator"] or r["numerator"]}


def ratio(home: Path, table: str, where: str = "true") -> tuple[int, int]:
    n, d = query(home, f"select sum(numerator), sum(denominator) from marts.{table} "
                       f"where {where}")[0]
    return int(n or 0), int(d or 0)


def tolerance(p: float, n: int) -> float:
    """Four standard errors of a share estimated from n independent draws (a false alarm
    about once in 15 000 comparisons), plus half a percentage point for the edges of the
    period (a session cut by the first day or the cutoff)."""
    return 4 * math.sqrt(max(p * (1 - p), 1e-4) / max(n, 1)) + 0.005


def seed_parameters() -> dict[tuple[str, str], float]:
    """National defaults of the estimate parameters, read straight from the seed CSV."""
    path = DBT_PROJECT_DIR / "seeds" / "estimate_parameters.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if not r["region_code"]]
    latest: dict[tuple[str, str], tuple[str, int, float]] = {}
    for r in rows:
        key = (r["parameter"], r["qualifier"])
        candidate = (r["valid_from"], int(r["version"]), float(r["value"]))
        if key not in latest or candidate[:2] > latest[key][:2]:
            latest[key] = candidate
    return {key: value for key, (_, _, value) in latest.items()}


# ------------------------------------------------------------------------ exact vs the truth


@pytest.mark.parametrize("seed", sorted(REGIONS))
@pytest.mark.parametrize("metric_id", ["booking_lookup_calls_per_1000",
                                       "jump_out_dead_end_rate"])
def test_headline_rates_equal_the_ground_truth_per_region_and_month(
        worlds: dict[int, Path], seed: int, metric_id: str) -> None:
    home = worlds[seed]
    ours = {k: v for k, v in by_region_month(home, metric_id).items() if v != (0, 0)}
    assert ours == truth_rates(home, metric_id)
    numerator, denominator = (sum(x) for x in zip(*ours.values(), strict=True))
    assert numerator >= 5 and denominator >= 30, (numerator, denominator)


@pytest.mark.parametrize("seed", sorted(REGIONS))
def test_observed_counts_equal_the_ground_truth(worlds: dict[int, Path], seed: int) -> None:
    home, counts = worlds[seed], truth(worlds[seed])["counts"]
    views = dict(query(home, "select view_type, sum(value) from marts.bokade_tider_views "
                             "group by 1"))
    assert views["view_upcoming"] == counts["bokade_tider_views"]  # one per aggregator request
    offered = query(home, "select sum(value) from marts.phone_volume_by_reason")[0][0]
    assert offered == counts["phone_calls_offered"]


@pytest.mark.parametrize("seed", sorted(REGIONS))
def test_phone_calls_avoided_rest_on_the_true_digital_actions(worlds: dict[int, Path],
                                                              seed: int) -> None:
    home = worlds[seed]
    expected = truth(home)
    metrics = expected["metrics"]
    actions = dict(query(home, "select action, sum(actions) from marts.phone_calls_avoided "
                               "group by 1"))
    true_numerator = {m: sum(r["numerator"] for r in metrics[m]["rows"])
                      for m in ("digital_booking_share", "digital_rebooking_share",
                                "digital_cancellation_share")}
    assert actions["rebooking"] == true_numerator["digital_rebooking_share"]
    assert actions["cancellation"] == true_numerator["digital_cancellation_share"]
    unseen = sum(r["creation_version_not_delivered"]
                 for r in metrics["digital_booking_share"]["rows"])
    assert abs(actions["booking"] - true_numerator["digital_booking_share"]) <= unseen
    assert actions["bokade_tider_view"] == expected["counts"]["bokade_tider_views"]

    factors = seed_parameters()
    rows = query(home, "select region_code, month, action, actions, value "
                       "from marts.phone_calls_avoided")
    assert len(rows) > 20
    for region, month, action, n, value in rows:
        assert value == pytest.approx(n * factors[("call_equivalence_factor", action)]), (
            region, month, action)


def measured_minutes(landing: Path) -> pl.DataFrame:
    """Answered-call-weighted wait + talk and talk minutes per region, month and Ärende,
    straight from the landing telephony CSV files."""
    frames = []
    for path in sorted((landing / "telephony").glob("*/*.csv")):
        frame = pl.read_csv(path, separator=";", infer_schema=False)
        frames.append(frame.with_columns(pl.lit(path.parent.name).alias("region")))
    calls = pl.concat(frames).with_columns(
        pl.col("Besvarade samtal").cast(pl.Int64).alias("answered"),
        *(pl.col(c).str.replace(",", ".").cast(pl.Float64).alias(alias)
          for c, alias in (("Medelväntetid s", "wait"), ("Medelsamtalstid s", "talk"))),
        pl.col("Datum").str.slice(0, 7).alias("month"))
    return (calls.filter((pl.col("answered") > 0) & pl.col("wait").is_not_null()
                         & pl.col("talk").is_not_null())
            .group_by("region", "month", pl.col("Ärende").alias("reason"))
            .agg(((pl.col("answered") * (pl.col("wait") + pl.col("talk"))).sum()
                  / pl.col("answered").sum() / 60).alias("resident"),
                 ((pl.col("answered") * pl.col("talk")).sum()
                  / pl.col("answered").sum() / 60).alias("staff")))


@pytest.mark.parametrize("seed", sorted(REGIONS))
def test_minutes_saved_equal_an_independent_computation(worlds: dict[int, Path],
                                                        seed: int) -> None:
    home = worlds[seed]
    measured = {(r["region"], r["month"], r["reason"]): r
                for r in measured_minutes(home / "landing").to_dicts()}
    parameters = seed_parameters()
    avoided = {(r, m.strftime("%Y-%m"), a): v for r, m, a, _, v in query(
        home, "select region_code, month, action, actions, value from marts.phone_calls_avoided")}
    for who, parameter in (("resident", "resident_minutes_per_call"),
                           ("staff", "staff_handling_minutes_per_call")):
        rows = query(home, f"select region_code, strftime(month, '%Y-%m'), action, "
                           f"calls_avoided, measured_calls_avoided, value "
                           f"from marts.phone_minutes_saved_{who}")
        assert {(r, m, a) for r, m, a, *_ in rows} == set(avoided)
        measured_total = 0.0
        for region, month, action, calls, measured_calls, value in rows:
            assert calls == pytest.approx(avoided[(region, month, action)])
            cell = measured.get((region, month, CALL_REASON[action]))
            minutes = cell[who] if cell else parameters[(parameter, "")]
            assert value == pytest.approx(calls * minutes), (who, region, month, action)
            assert measured_calls == pytest.approx(calls if cell else 0.0)
            measured_total += measured_calls
        assert measured_total > 0.8 * sum(avoided.values())  # mostly measured, not assumed


@pytest.mark.parametrize("seed", sorted(REGIONS))
def test_uptake_counts_every_eservice_user_against_the_population(worlds: dict[int, Path],
                                                                  seed: int) -> None:
    home, landing = worlds[seed], worlds[seed] / "landing"
    events = pl.concat([
        pl.read_ndjson(path, schema={"subjectOfCare": pl.String, "timestamp": pl.String})
        .with_columns(pl.lit(path.parent.name).alias("region"))
        for path in sorted((landing / "eservice_events").glob("*/*.jsonl"))
        if path.stat().st_size])
    # a resident counts once a month, in the region of their first event that month
    users = (events.filter(pl.col("subjectOfCare").is_not_null())
             .with_columns(pl.col("timestamp").str.slice(0, 7).alias("month"))
             .sort("timestamp").unique(["month", "subjectOfCare"], keep="first")
             .group_by("region", "month").len())
    expected = {(r, m): n for r, m, n in users.iter_rows()}
    ours = by_region_month(home, "digital_uptake_by_age")
    assert {k: n for k, (n, _) in ours.items() if n} == expected
    population = pl.read_csv(next((landing / "population").glob("*/*.csv")),
                             schema_overrides={"regionkod": pl.String})
    residents = dict(population.filter(pl.col("ar") == pl.col("ar").max())
                     .group_by("regionkod").agg(pl.col("antal").sum()).iter_rows())
    for (region, _), (_, denominator) in ours.items():
        assert denominator == residents[region]


# ------------------------------------------------------------ shares vs the world's draws


@pytest.mark.parametrize("seed", sorted(REGIONS))
def test_eservice_shares_match_the_worlds_probabilities(worlds: dict[int, Path],
                                                        seed: int) -> None:
    home = worlds[seed]
    es = truth(home)["parameters"]["eservice"]["value"]
    checks = {
        # started bookings completed: completed ones plus Poisson((1 - p) / p) abandoned
        # attempts each, so completed / started estimates p
        "eservice_booking_completion_rate": (ratio(home, "eservice_booking_completion_rate"),
                                             es["booking_completion"]),
        "book_from_history_share": (ratio(home, "book_from_history_share"),
                                    es["book_again_share"]),
        "calendar_sync_share": (ratio(home, "calendar_sync_share"), es["calendar_share"]),
        "jump_out_dead_end_rate": (ratio(home, "jump_out_dead_end_rate"),
                                   es["jump_out_dead_end_share"]),
    }
    history, upcoming = (dict(query(home, "select view_type, sum(value) "
                                          "from marts.bokade_tider_views group by 1"))[v]
                         for v in ("view_history", "view_upcoming"))
    checks["view_history_share"] = ((history, upcoming), es["view_history_share"])
    for name, ((n, d), p) in checks.items():
        assert d >= 30, (name, d)
        assert abs(n / d - p) <= tolerance(p, d), (name, n, d, p)


@pytest.mark.parametrize("seed", sorted(REGIONS))
def test_auth_method_mix_matches_the_worlds_probabilities_by_age(worlds: dict[int, Path],
                                                                 seed: int) -> None:
    """Mobile BankID per age group: 30-49 and 50-64 draw from the world's 30-64 table,
    65-79 and 80+ from its 65+ table."""
    home = worlds[seed]
    methods = truth(home)["parameters"]["auth_methods"]["value"]
    for bands, group in ((("30-49", "50-64"), "30-64"), (("65-79", "80+"), "65+")):
        sessions = dict(query(home, f"select auth_method, sum(value) from marts.auth_method_mix "
                                    f"where age_band in {bands!r} group by 1"))
        total = sum(sessions.values())
        p = methods[group]["bankid_mobile"] / sum(methods[group].values())
        assert total >= 30, (group, total)
        assert abs(sessions.get("bankid_mobile", 0) / total - p) <= tolerance(p, total), (
            group, sessions)


@pytest.mark.parametrize("seed", sorted(REGIONS))
def test_self_service_and_triage_marts_are_populated_and_consistent(
        worlds: dict[int, Path], seed: int) -> None:
    """No world probability gives these two directly; their rules are dbt unit tests.
    Here: both are built from the delivered events, and each rejected attempt is a
    TOO_LATE or NOT_ALLOWED code, the only ones the world draws."""
    home = worlds[seed]
    rejected, attempts = ratio(home, "self_service_failure_rate")
    too_late, not_allowed = query(home, "select sum(rejected_too_late), "
                                        "sum(rejected_not_allowed) "
                                        "from marts.self_service_failure_rate")[0]
    assert 0 < rejected < attempts and rejected == too_late + not_allowed
    converted, triaged = ratio(home, "triage_to_booking_conversion")
    assert 0 < converted < triaged
    first = query(home, "select min(month) from marts.triage_to_booking_conversion")[0][0]
    assert first == dt.date(2025, 1, 1)
