"""A hand-made serving file with a mart for (almost) every metric of the real catalogue.

tidbok.serving.sample writes the spine's marts; the dashboards' pages need one per catalogue
metric to light up, so this derives each mart's columns from the catalogue itself (region,
period, one column per dimension, the measures of its aggregation) and fills it with
seeded random records. Norrbotten ('25') is tiny, so its cells are small and withheld for
the public; one of its no-show cells is a sentinel rate the public must never see.
"""

from __future__ import annotations

import os
import random
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd

from tidbok import catalogue
from tidbok.config import DBT_PROJECT_DIR
from tidbok.serving.registry import catalogue as serving_catalogue

REGIONS = (
    ("01", "Region Stockholm", "SE2321000016", 2_473_307, 60),
    ("12", "Region Skåne", "SE2321000255", 1_414_000, 40),
    ("13", "Region Halland", "SE2321000115", 345_000, 18),
    ("25", "Region Norrbotten", "SE2321000230", 248_000, 1),
)
MONTHS = tuple(date(2024 + (m > 12), (m - 1) % 12 + 1, 1) for m in range(10, 16))  # Oct-Mar
# Catalogue metrics deliberately left out, so the pages show their "not yet published" state.
UNPUBLISHED = ("calendar_sync_share", "book_from_history_share")
# Norrbotten, phone bookings, the first month: 4 no-shows of 7 visits. The true rate,
# 57.1 %, must never reach a public viewer (the denominator is below 10).
SENTINEL = {"region": "25", "month": MONTHS[0], "channel": "phone", "numerator": 4,
            "denominator": 7}
SENTINEL_RATE_TEXTS = ("57,1", "57.1", "0.5714", "0,5714", "0.571", "0,571")

_SYNTHETIC_VALUES = {
    "reason": ("book", "rebook", "cancel", "booking_enquiry", "advice", "other"),
    "interaction": ("MakeBooking", "CancelBooking", "GetSubjectOfCareSchedule"),
    "time_type": ("T10", "T20"),
    "months_since_go_live": tuple(range(-3, 4)),
}


def unit_ids(prefix: str) -> list[str]:
    return [f"{prefix}-E{n:04d}" for n in (1, 2, 3)]


def dimension_values(name: str, prefix: str) -> tuple:
    if name == "unit":
        return tuple(unit_ids(prefix))
    if name == "source_system":
        return (f"{prefix}-S1", f"{prefix}-S2")
    if name in _SYNTHETIC_VALUES:
        return _SYNTHETIC_VALUES[name]
    for dimension in catalogue.dimensions():
        if dimension.name == name and dimension.values:
            return tuple(v for v in dimension.values if v != "unknown")
    return ("a", "b")


def write_dashboard_serving_file(path: Path, *, version: str = "fixture-1",
                                 published_at: datetime = datetime(2025, 4, 2, 6, 30),
                                 seed: int = 7) -> Path:
    """Write the serving file at `path` atomically; returns path."""
    rng = random.Random(seed)
    building = path.with_name(path.name + ".building")
    building.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(building))
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute("CREATE SCHEMA marts; CREATE SCHEMA meta")
        _reference_tables(con)
        metrics = catalogue.metrics()
        columns = {d.name: d.column for d in catalogue.dimensions()}
        built: set[str] = set()
        for metric in metrics:
            if metric.id in UNPUBLISHED or metric.family == "F" or metric.mart in built:
                continue  # F: the effect metrics share marts.effect_estimates, made below
            built.add(metric.mart)
            _metric_mart(con, rng, metric, metric.mart, metric.dimensions, columns)
            if metric.detail:
                _metric_mart(con, rng, metric, metric.detail.mart, metric.detail.dimensions,
                             columns)
        _data_quality_tables(con)
        _effects(con, rng)
        con.execute("CREATE TABLE meta.publish_info (version VARCHAR, published_at TIMESTAMP)")
        con.execute("INSERT INTO meta.publish_info VALUES (?, ?)", [version, published_at])
        con.execute("CHECKPOINT")
    finally:
        con.close()
    os.replace(building, path)
    return path


def _reference_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE TABLE marts.dim_regions (region_code VARCHAR, region_name VARCHAR, "
                "hsa_prefix VARCHAR, population BIGINT)")
    con.executemany("INSERT INTO marts.dim_regions VALUES (?, ?, ?, ?)",
                    [r[:4] for r in REGIONS])
    con.execute("CREATE TABLE marts.dim_units (hsa_id VARCHAR, unit_name VARCHAR, "
                "region_code VARCHAR, is_time_book BOOLEAN)")
    con.executemany("INSERT INTO marts.dim_units VALUES (?, ?, ?, ?)", [
        (unit, f"Vårdcentral {name.split()[-1]} {i + 1}", code, False)
        for code, name, prefix, *_ in REGIONS for i, unit in enumerate(unit_ids(prefix))])
    seed_csv = DBT_PROJECT_DIR / "seeds" / "estimate_parameters.csv"
    con.execute(
        "CREATE TABLE marts.estimate_parameters AS SELECT parameter, "
        "nullif(region_code, '') AS region_code, nullif(qualifier, '') AS qualifier, "
        "value::DOUBLE AS value, unit, valid_from::DATE AS valid_from, "
        "version::INTEGER AS version, source "
        f"FROM read_csv('{seed_csv}', all_varchar=true, header=true)")


def _periods(grain: str) -> list[date]:
    if grain == "month":
        return list(MONTHS)
    return [m + timedelta(days=d) for m in MONTHS for d in (0, 9, 19)]


def _metric_mart(con, rng, metric, mart: str, dims: tuple[str, ...], columns) -> None:
    period = metric.time_grain
    dim_columns = [columns[d] for d in dims]
    measures = catalogue.MEASURE_COLUMNS[metric.aggregation]
    types = {"numerator": "BIGINT", "denominator": "BIGINT", "rate": "DOUBLE",
             "value": "DOUBLE", "n": "BIGINT"}
    extra = ["denominator"] if metric.aggregation == "none" else []
    table_columns = ["region_code VARCHAR", f"{period} DATE",
                     *(f"{c} VARCHAR" if c != "months_since_go_live" else f"{c} INTEGER"
                       for c in dim_columns),
                     *(f"{m} {types[m]}" for m in measures),
                     *(f"{m} {types[m]}" for m in extra)]
    con.execute(f"CREATE TABLE {mart} ({', '.join(table_columns)})")
    regions = [("NHS", "NHS", "NHS", 0, 80)] if metric.family == "G" else REGIONS
    base_rate = rng.uniform(0.05, 0.6)
    rows = []
    for code, _, prefix, _, size in regions:
        for index, day in enumerate(_periods(period)):
            cells: dict[tuple, list[int]] = {}
            records = size * (4 if period == "month" else 2)
            for _ in range(records):
                key = tuple(rng.choice(dimension_values(d, prefix)) for d in dims)
                cell = cells.setdefault(key, [0, 0])
                weight = rng.randint(1, 5)
                trend = 1 - 0.04 * index if metric.direction == "lower_is_better" else \
                    1 + 0.04 * index
                cell[1] += weight
                cell[0] += sum(rng.random() < min(base_rate * trend, 0.95)
                               for _ in range(weight))
            for key, (hits, total) in cells.items():
                if metric.aggregation == "ratio":
                    measure = [hits, total, hits / total if total else None]
                elif metric.aggregation == "sum":
                    measure = [float(total * (3 if metric.unit == "minutes" else 1))]
                else:
                    measure = [round(rng.uniform(1, 30), 1), total]
                rows.append((code, day, *key, *measure, *([total] if extra else [])))
    if mart == "marts.no_show_rate":
        rows = [r for r in rows if not (r[0] == SENTINEL["region"] and r[1] == SENTINEL["month"]
                                        and r[2] == SENTINEL["channel"])]
        rows.append((SENTINEL["region"], SENTINEL["month"], SENTINEL["channel"],
                     SENTINEL["numerator"], SENTINEL["denominator"],
                     SENTINEL["numerator"] / SENTINEL["denominator"]))
    if rows:
        # A data frame inserts in one statement; executemany is row by row (seconds).
        frame = pd.DataFrame(rows, columns=[c.split()[0] for c in table_columns])
        con.register("fixture_rows", frame)
        con.execute(f"INSERT INTO {mart} SELECT * FROM fixture_rows")
        con.unregister("fixture_rows")


def _data_quality_tables(con) -> None:
    con.execute("CREATE TABLE marts.data_freshness (feed VARCHAR, region_code VARCHAR, "
                "latest_data_day DATE, latest_received_at TIMESTAMP)")
    con.execute("CREATE TABLE marts.ledger_status (feed VARCHAR, region_code VARCHAR, "
                "files BIGINT, files_rejected BIGINT, rows_read BIGINT, rows_loaded BIGINT, "
                "rows_quarantined BIGINT, last_received_at TIMESTAMP)")
    con.execute("CREATE TABLE marts.quarantine_summary (feed VARCHAR, region_code VARCHAR, "
                "reason VARCHAR, rows_quarantined BIGINT)")
    con.execute("CREATE TABLE marts.check_results (check_kind VARCHAR, check_name VARCHAR, "
                "target VARCHAR, status VARCHAR, failures BIGINT, checked_at TIMESTAMP, "
                "region_code VARCHAR, severity VARCHAR)")
    fresh, ledger, quarantine = [], [], []
    for index, (code, *_rest) in enumerate(REGIONS):
        for feed_index, feed in enumerate(("booking_csv", "telephony", "eservice_events")):
            day = date(2025, 3, 31) - timedelta(days=index + 2 * feed_index)
            fresh.append((feed, code, day, datetime.combine(day, datetime.min.time())
                          + timedelta(hours=26)))
            ledger.append((feed, code, 90, 1 if feed == "telephony" else 0, 5000, 4990, 10,
                           datetime(2025, 4, 1, 2, 0)))
        quarantine += [("booking_csv", code, "Personnummer: invalid check digit", 6),
                       ("booking_csv", code, "Starttid: not a timestamp", 4)]
    con.executemany("INSERT INTO marts.data_freshness VALUES (?, ?, ?, ?)", fresh)
    con.executemany("INSERT INTO marts.ledger_status VALUES (?, ?, ?, ?, ?, ?, ?, ?)", ledger)
    con.executemany("INSERT INTO marts.quarantine_summary VALUES (?, ?, ?, ?)", quarantine)
    checked = datetime(2025, 4, 2, 6, 0)
    con.executemany("INSERT INTO marts.check_results VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
        ("great_expectations", "status_in_code_list", "bookings", "pass", 0, checked, "01",
         "block"),
        ("great_expectations", "volume_near_previous_delivery", "bookings", "warn", 1, checked,
         "25", "warn"),
        ("dbt", "numerator_within_denominator", "no_show_rate", "pass", 0, checked, None, None),
        ("dbt", "unique_combination", "no_show_rate", "pass", 0, checked, None, None),
    ])


def _effects(con, rng) -> None:
    con.execute(
        "CREATE TABLE marts.effect_estimates (metric_id VARCHAR, region_code VARCHAR, "
        "relative_month INTEGER, estimate DOUBLE, ci_low DOUBLE, ci_high DOUBLE, "
        "confidence_level DOUBLE, units INTEGER, pre_trend_passed BOOLEAN, method VARCHAR)")
    rows = []
    for metric, effect in (("no_show_rate", -0.012), ("late_cancellation_rate", -0.006)):
        for code in ("00", *(r[0] for r in REGIONS)):
            rows.append((metric, code, None, effect, effect - 0.008, effect + 0.006, 0.95,
                         12 if code == "00" else 3, code != "25", "did_staggered"))
            for k in range(-4, 5):
                estimate = (effect if k >= 0 else 0.0) + rng.uniform(-0.002, 0.002)
                rows.append((metric, code, k, estimate, estimate - 0.01, estimate + 0.01, 0.95,
                             12 if code == "00" else 3, code != "25", "did_staggered"))
    con.executemany(
        "INSERT INTO marts.effect_estimates VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def serving_metric_ids() -> list[str]:
    """The catalogue the query layer serves (what the pages read)."""
    return list(serving_catalogue().metrics)
