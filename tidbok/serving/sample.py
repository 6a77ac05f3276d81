"""A small serving file and metric catalogue in the contracts' shape, for tests and for trying
the API or dashboards.

The real file is built by the dbt project and published by the pipeline; this writes the
same kind of tables from given or generated rows, and publishes them the same way: build a
finished copy, then os.replace it into place. `write_sample_catalogue` writes a catalogue
covering each kind of metric (ratio, sum, none; month and day; people and not personal;
one listed but not published) for TIDBOK_CATALOGUE_DIR.
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

# (region_code, region_name, hsa_prefix, population): a few real regions, enough to filter by.
SAMPLE_REGIONS: tuple[tuple[str, str, str, int], ...] = (
    ("01", "Region Stockholm", "SE2321000016", 2473307),
    ("13", "Region Halland", "SE2321000115", 345000),
    ("25", "Region Norrbotten", "SE2321000230", 248000),
)
SAMPLE_MONTHS = (date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1))

# (region_code, month, booking_channel, numerator, denominator)
NoShowRow = tuple[str, date, str, int, int]


def sample_no_show_rows() -> list[NoShowRow]:
    """Three months of plausible no-show counts; Norrbotten's phone cells are deliberately small."""
    rows: list[NoShowRow] = []
    for month_index, month in enumerate(SAMPLE_MONTHS):
        for region, scale in (("01", 40), ("13", 8), ("25", 3)):
            for channel, no_shows, visits in (
                ("eservice", 3, 100),
                ("phone", 5, 80),
                ("front_desk", 2, 30),
            ):
                numerator = no_shows * scale + month_index
                denominator = visits * scale + 7 * month_index
                rows.append((region, month, channel, numerator, denominator))
    return rows


def write_serving_file(
    path: Path,
    no_show_rows: Iterable[NoShowRow] | None = None,
    *,
    regions: Sequence[tuple[str, str, str, int]] = SAMPLE_REGIONS,
    version: str = "sample-1",
    published_at: datetime = datetime(2025, 4, 1, 6, 0),
    extra_marts: bool = True,
) -> Path:
    """Write a serving file at `path` (atomically replacing any existing one); returns path.

    extra_marts: also write the sample catalogue's other marts, coverage, effect estimates,
    freshness and ledger status (from the regions given).
    """
    rows = sample_no_show_rows() if no_show_rows is None else list(no_show_rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_name(path.name + ".building")
    building.unlink(missing_ok=True)
    con = duckdb.connect(str(building))
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute("CREATE SCHEMA marts; CREATE SCHEMA meta")
        con.execute(
            "CREATE TABLE marts.dim_regions (region_code VARCHAR, region_name VARCHAR, "
            "hsa_prefix VARCHAR, population BIGINT)"
        )
        con.executemany("INSERT INTO marts.dim_regions VALUES (?, ?, ?, ?)", list(regions))
        con.execute(
            "CREATE TABLE marts.no_show_rate (region_code VARCHAR, month DATE, "
            "booking_channel VARCHAR, numerator BIGINT, denominator BIGINT, rate DOUBLE)"
        )
        if rows:
            con.executemany(
                "INSERT INTO marts.no_show_rate VALUES (?, ?, ?, ?, ?, "
                "CASE WHEN ? > 0 THEN ?::DOUBLE / ? END)",
                [(r, m, c, n, d, d, n, d) for r, m, c, n, d in rows],
            )
        if extra_marts:
            _write_no_show_detail(con, rows)
            _write_extra_marts(con, regions)
        con.execute("CREATE TABLE meta.publish_info (version VARCHAR, published_at TIMESTAMP)")
        con.execute("INSERT INTO meta.publish_info VALUES (?, ?)", [version, published_at])
        con.execute("CHECKPOINT")
    finally:
        con.close()
    os.replace(building, path)
    return path


def sample_units(regions: Sequence[tuple[str, str, str, int]]) -> list[tuple[str, str]]:
    """(region_code, care_unit_hsa_id): two units per region."""
    return [(code, f"{prefix}-E{n:011d}") for code, _, prefix, _ in regions for n in (1, 2)]


def _write_no_show_detail(con: duckdb.DuckDBPyConnection, rows: list[NoShowRow]) -> None:
    """marts.no_show_rate_by_dimension: the same counts, split by reminder (same totals)."""
    con.execute(
        "CREATE TABLE marts.no_show_rate_by_dimension (region_code VARCHAR, month DATE, "
        "booking_channel VARCHAR, reminder VARCHAR, numerator BIGINT, denominator BIGINT, "
        "rate DOUBLE)"
    )
    detail = []
    for region, month, channel, numerator, denominator in rows:
        sms_denominator = denominator * 2 // 3
        sms_numerator = min(numerator // 2, sms_denominator)
        for reminder, n, d in (
            ("sms", sms_numerator, sms_denominator),
            ("none", numerator - sms_numerator, denominator - sms_denominator),
        ):
            detail.append((region, month, channel, reminder, n, d, n / d if d else None))
    if detail:
        con.executemany(
            "INSERT INTO marts.no_show_rate_by_dimension VALUES (?, ?, ?, ?, ?, ?, ?)", detail
        )


def _write_extra_marts(con: duckdb.DuckDBPyConnection, regions: Sequence[tuple]) -> None:
    rng = random.Random(13)
    units = sample_units(regions)
    con.execute(
        "CREATE TABLE marts.digital_booking_share (region_code VARCHAR, month DATE, "
        "care_service VARCHAR, contact_type VARCHAR, care_unit_hsa_id VARCHAR, "
        "numerator BIGINT, denominator BIGINT, rate DOUBLE)"
    )
    rows = []
    for region, unit in units:
        size = 60 if region == "01" else 12
        for month in SAMPLE_MONTHS:
            for service in ("LAKARBESOK", "VACCINATION"):
                for contact_type in ("physical", "video"):
                    denominator = rng.randint(size // 3, size)
                    numerator = rng.randint(0, denominator)
                    rows.append(
                        (
                            region,
                            month,
                            service,
                            contact_type,
                            unit,
                            numerator,
                            denominator,
                            numerator / denominator if denominator else None,
                        )
                    )
    con.executemany("INSERT INTO marts.digital_booking_share VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)

    con.execute(
        "CREATE TABLE marts.bokade_tider_views (region_code VARCHAR, month DATE, "
        "view_type VARCHAR, value DOUBLE)"
    )
    rows = [
        (region, month, view_type, float(rng.randint(0, 40 if region == "01" else 15)))
        for region, *_ in regions
        for month in SAMPLE_MONTHS
        for view_type in ("view_upcoming", "view_history")
    ]
    con.executemany("INSERT INTO marts.bokade_tider_views VALUES (?, ?, ?, ?)", rows)

    con.execute(
        "CREATE TABLE marts.lead_time_days (region_code VARCHAR, month DATE, "
        "statistic VARCHAR, care_service VARCHAR, value DOUBLE, n BIGINT)"
    )
    rows = [
        (region, month, statistic, service, round(rng.uniform(1, 30), 1), rng.choice((4, 12, 40)))
        for region, *_ in regions
        for month in SAMPLE_MONTHS
        for statistic in ("median", "p90")
        for service in ("LAKARBESOK", "VACCINATION")
    ]
    con.executemany("INSERT INTO marts.lead_time_days VALUES (?, ?, ?, ?, ?, ?)", rows)

    con.execute(
        "CREATE TABLE marts.source_latency_p95_ms (region_code VARCHAR, day DATE, "
        "source_system_hsa_id VARCHAR, value DOUBLE, n BIGINT)"
    )
    rows = [
        (
            region,
            SAMPLE_MONTHS[0] + timedelta(days=d),
            f"{prefix}-S1",
            rng.uniform(80, 900),
            rng.randint(1, 400),
        )
        for region, _, prefix, _ in regions
        for d in range(5)
    ]
    con.executemany("INSERT INTO marts.source_latency_p95_ms VALUES (?, ?, ?, ?, ?)", rows)

    con.execute(
        "CREATE TABLE marts.units_connected_share (region_code VARCHAR, month DATE, "
        "service VARCHAR, care_unit_hsa_id VARCHAR, numerator BIGINT, denominator BIGINT, "
        "rate DOUBLE)"
    )
    rows = []
    for month_index, month in enumerate(SAMPLE_MONTHS):
        for unit_index, (region, unit) in enumerate(units):
            for service in ("view_bookings", "cancel"):
                live = int((unit_index + month_index) % 3 != 0)
                rows.append((region, month, service, unit, live, 1, float(live)))
    con.executemany("INSERT INTO marts.units_connected_share VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    con.execute(
        "CREATE TABLE marts.effect_estimates (metric_id VARCHAR, region_code VARCHAR, "
        "relative_month INTEGER, estimate DOUBLE, ci_low DOUBLE, ci_high DOUBLE, "
        "confidence_level DOUBLE, units INTEGER, pre_trend_passed BOOLEAN, method VARCHAR)"
    )
    rows = [("no_show_rate", "00", None, -0.012, -0.02, -0.004, 0.95, 6, True, "did_staggered")]
    rows += [
        (
            "no_show_rate",
            "00",
            k,
            -0.01 if k > 0 else 0.0,
            -0.03,
            0.01,
            0.95,
            6,
            True,
            "did_staggered",
        )
        for k in (-2, -1, 0, 1, 2)
    ]
    rows += [
        ("no_show_rate", region, None, -0.01, -0.03, 0.01, 0.95, 2, region != "25", "did_staggered")
        for region, *_ in regions
    ]
    con.executemany(
        "INSERT INTO marts.effect_estimates VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
    )

    con.execute(
        "CREATE TABLE marts.data_freshness (feed VARCHAR, region_code VARCHAR, "
        "latest_data_day DATE, latest_received_at TIMESTAMP)"
    )
    con.executemany(
        "INSERT INTO marts.data_freshness VALUES (?, ?, ?, ?)",
        [
            ("booking_csv", region, date(2025, 3, 31), datetime(2025, 4, 1, 2, 0))
            for region, *_ in regions
        ],
    )
    con.execute(
        "CREATE TABLE marts.ledger_status (feed VARCHAR, region_code VARCHAR, files BIGINT, "
        "files_rejected BIGINT, rows_read BIGINT, rows_loaded BIGINT, rows_quarantined BIGINT, "
        "last_received_at TIMESTAMP)"
    )
    con.executemany(
        "INSERT INTO marts.ledger_status VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            ("booking_csv", region, 90, 0, 5000, 4990, 10, datetime(2025, 4, 1, 2, 0))
            for region, *_ in regions
        ],
    )


SAMPLE_CATALOGUE_METRICS = """\
version: 1
metrics:
  - id: no_show_rate
    family: B
    headline: true
    status: available
    name: {sv: "Uteblivna besök", en: "No-show rate"}
    definition:
      sv: "Uteblivna besök: provdefinition."
      en: "No-show rate: sample definition."
    unit: share
    direction: lower_is_better
    aggregation: ratio
    time_grain: month
    dimensions: [channel]
    evidences:
      sv: "Nyttan som uteblivna besök visar."
      en: "The benefit no-show rate shows."
    disclosure: people
    mart: marts.no_show_rate
    detail:
      mart: marts.no_show_rate_by_dimension
      dimensions: [channel, reminder]
  - id: digital_booking_share
    family: A
    headline: true
    status: available
    name: {sv: "Andel digitala bokningar", en: "Digital booking share"}
    definition:
      sv: "Andel digitala bokningar: provdefinition."
      en: "Digital booking share: sample definition."
    unit: share
    direction: higher_is_better
    aggregation: ratio
    time_grain: month
    dimensions: [care_service, contact_type, unit]
    evidences:
      sv: "Nyttan som andel digitala bokningar visar."
      en: "The benefit digital booking share shows."
    disclosure: people
    mart: marts.digital_booking_share
  - id: bokade_tider_views
    family: A
    headline: false
    status: available
    name: {sv: "Visningar i Bokade tider", en: "Bokade tider views"}
    definition:
      sv: "Visningar i Bokade tider: provdefinition."
      en: "Bokade tider views: sample definition."
    unit: count
    direction: higher_is_better
    aggregation: sum
    time_grain: month
    dimensions: [view_type]
    evidences:
      sv: "Nyttan som visningar i bokade tider visar."
      en: "The benefit bokade tider views shows."
    disclosure: people
    mart: marts.bokade_tider_views
  - id: lead_time_days
    family: B
    headline: false
    status: available
    name: {sv: "Ledtid i dagar", en: "Lead time in days"}
    definition:
      sv: "Ledtid i dagar: provdefinition."
      en: "Lead time in days: sample definition."
    unit: days
    direction: neutral
    aggregation: none
    time_grain: month
    dimensions: [statistic, care_service]
    evidences:
      sv: "Nyttan som ledtid i dagar visar."
      en: "The benefit lead time in days shows."
    disclosure: people
    mart: marts.lead_time_days
  - id: source_latency_p95_ms
    family: D
    headline: false
    status: available
    name: {sv: "Svarstid p95", en: "Source latency p95"}
    definition:
      sv: "Svarstid p95: provdefinition."
      en: "Source latency p95: sample definition."
    unit: ms
    direction: lower_is_better
    aggregation: none
    time_grain: day
    dimensions: [source_system]
    evidences:
      sv: "Nyttan som svarstid p95 visar."
      en: "The benefit source latency p95 shows."
    disclosure: not_personal
    mart: marts.source_latency_p95_ms
  - id: units_connected_share
    family: D
    headline: true
    status: available
    name: {sv: "Andel anslutna enheter", en: "Units connected"}
    definition:
      sv: "Andel anslutna enheter: provdefinition."
      en: "Units connected: sample definition."
    unit: share
    direction: higher_is_better
    aggregation: ratio
    time_grain: month
    dimensions: [service, unit]
    evidences:
      sv: "Nyttan som andel anslutna enheter visar."
      en: "The benefit units connected shows."
    disclosure: not_personal
    mart: marts.units_connected_share
  - id: wasted_slot_rate
    family: B
    headline: false
    status: planned
    name: {sv: "Outnyttjade tider", en: "Wasted slot rate"}
    definition:
      sv: "Outnyttjade tider: provdefinition."
      en: "Wasted slot rate: sample definition."
    unit: share
    direction: lower_is_better
    aggregation: ratio
    time_grain: month
    dimensions: [channel]
    evidences:
      sv: "Nyttan som outnyttjade tider visar."
      en: "The benefit wasted slot rate shows."
    disclosure: people
    mart: marts.wasted_slot_rate
  - id: no_show_rate_go_live_effect
    family: F
    headline: false
    status: available
    name: {sv: "Effekt på uteblivna besök", en: "Go-live effect on no-shows"}
    definition:
      sv: "Effekt på uteblivna besök: provdefinition."
      en: "Go-live effect on no-shows: sample definition."
    unit: share
    direction: lower_is_better
    aggregation: none
    time_grain: month
    dimensions: [months_since_go_live]
    evidences:
      sv: "Nyttan som effekt på uteblivna besök visar."
      en: "The benefit go-live effect on no-shows shows."
    disclosure: not_personal
    mart: marts.effect_estimates
    effect_of: no_show_rate
"""

SAMPLE_CATALOGUE_DIMENSIONS = """\
version: 1
dimensions:
  - name: region
    kind: region
    column: region_code
    label: {sv: "Region", en: "Region"}
    description: {sv: "Region.", en: "Region."}
  - name: month
    kind: period
    column: month
    label: {sv: "Månad", en: "Month"}
    description: {sv: "Månad.", en: "Month."}
  - name: day
    kind: period
    column: day
    label: {sv: "Dag", en: "Day"}
    description: {sv: "Dag.", en: "Day."}
  - name: channel
    kind: dimension
    column: booking_channel
    label: {sv: "Bokningskanal", en: "Booking channel"}
    description: {sv: "Bokningskanal.", en: "Booking channel."}
  - name: reminder
    kind: dimension
    column: reminder
    label: {sv: "Påminnelse", en: "Reminder"}
    description: {sv: "Påminnelse.", en: "Reminder."}
  - name: contact_type
    kind: dimension
    column: contact_type
    label: {sv: "Kontakttyp", en: "Contact type"}
    description: {sv: "Kontakttyp.", en: "Contact type."}
  - name: unit
    kind: dimension
    column: care_unit_hsa_id
    label: {sv: "Vårdenhet", en: "Care unit"}
    description: {sv: "Vårdenhet.", en: "Care unit."}
  - name: view_type
    kind: dimension
    column: view_type
    label: {sv: "Visning", en: "View"}
    description: {sv: "Visning.", en: "View."}
  - name: statistic
    kind: dimension
    column: statistic
    label: {sv: "Mått", en: "Statistic"}
    description: {sv: "Mått.", en: "Statistic."}
  - name: care_service
    kind: dimension
    column: care_service
    label: {sv: "Vårdtjänst", en: "Care service"}
    description: {sv: "Vårdtjänst.", en: "Care service."}
  - name: source_system
    kind: dimension
    column: source_system_hsa_id
    label: {sv: "Källsystem", en: "Source system"}
    description: {sv: "Källsystem.", en: "Source system."}
  - name: service
    kind: dimension
    column: service
    label: {sv: "Tjänst", en: "Service"}
    description: {sv: "Tjänst.", en: "Service."}
  - name: months_since_go_live
    kind: dimension
    column: relative_month
    label: {sv: "Månader sedan anslutning", en: "Months since go-live"}
    description: {sv: "Månader sedan anslutning.", en: "Months since go-live."}
"""


def write_sample_catalogue(directory: Path) -> Path:
    """Write metrics.yml and dimensions.yml for the sample serving file; returns directory."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "metrics.yml").write_text(SAMPLE_CATALOGUE_METRICS, encoding="utf-8")
    (directory / "dimensions.yml").write_text(SAMPLE_CATALOGUE_DIMENSIONS, encoding="utf-8")
    return directory


class SampleFiles:
    """Sample serving files, each written once and then published into place by copy and
    os.replace (the way the pipeline publishes): fast enough to publish per test."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._written: dict[str, Path] = {}

    def publish(
        self, target: Path, no_show_rows: Iterable[NoShowRow] | None = None, **kwargs: object
    ) -> Path:
        rows = None if no_show_rows is None else list(no_show_rows)
        key = repr((rows, sorted(kwargs.items())))
        if key not in self._written:
            path = self.folder / f"sample-{len(self._written)}.duckdb"
            self._written[key] = write_serving_file(path, rows, **kwargs)  # type: ignore[arg-type]
        target.parent.mkdir(parents=True, exist_ok=True)
        copy = target.with_name(f".{target.name}.{os.getpid()}.copy")
        shutil.copyfile(self._written[key], copy)
        os.replace(copy, target)
        return target


def write_catalogue_serving_file(
    path: Path,
    *,
    regions: Sequence[tuple[str, str, str, int]] = SAMPLE_REGIONS,
    version: str = "catalogue-1",
    published_at: datetime = datetime(2025, 4, 1, 6, 0),
    effects: bool = False,
) -> Path:
    """A serving file with a mart for every `available` metric of the current catalogue
    (TIDBOK_CATALOGUE_DIR, the repository's by default) and its detail mart, shaped only
    from the catalogue: region_code, the period column of its time grain, one column per
    dimension (two values each; two units per region) and the measure columns of its
    aggregation (tidbok.catalogue.MEASURE_COLUMNS). Counts scale with the region, so the
    last region's cells are small. `effects`: also the effects mart (family F).

    Used to prove that any catalogued metric is served without code of its own."""
    from tidbok import catalogue as catalogue_files
    from tidbok.serving.registry import UNIT_DIMENSION, catalogue

    specs = catalogue().metrics.values()
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_name(path.name + ".building")
    building.unlink(missing_ok=True)
    scales = {code: max(1, 40 // 4**i) for i, (code, *_) in enumerate(regions)}
    con = duckdb.connect(str(building))
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute("CREATE SCHEMA marts; CREATE SCHEMA meta")
        con.execute(
            "CREATE TABLE marts.dim_regions (region_code VARCHAR, region_name VARCHAR, "
            "hsa_prefix VARCHAR, population BIGINT)"
        )
        con.executemany("INSERT INTO marts.dim_regions VALUES (?, ?, ?, ?)", list(regions))
        con.execute(
            "CREATE TABLE sample_regions AS SELECT * FROM (VALUES "
            + ", ".join(f"('{code}', '{prefix}', {scales[code]})" for code, _, prefix, _ in regions)
            + ") AS r(region_code, prefix, scale)"
        )
        built: set[str] = set()
        for spec in specs:
            if spec.status != "available" or spec.effect_of is not None:
                continue
            marts = [(spec.table, spec.dimensions)]
            if spec.detail_table:
                marts.append((spec.detail_table, spec.detail_dimensions))
            for table, dimensions in marts:
                if table in built:
                    continue
                built.add(table)
                _catalogue_mart(
                    con,
                    table,
                    spec.time_grain,
                    dict(dimensions),
                    spec.aggregation,
                    catalogue_files.MEASURE_COLUMNS[spec.aggregation],
                    UNIT_DIMENSION,
                )
        con.execute("DROP TABLE sample_regions")
        if effects:
            _write_effects(con, [s.effect_of for s in specs if s.effect_of], regions)
        con.execute("CREATE TABLE meta.publish_info (version VARCHAR, published_at TIMESTAMP)")
        con.execute("INSERT INTO meta.publish_info VALUES (?, ?)", [version, published_at])
        con.execute("CHECKPOINT")
    finally:
        con.close()
    os.replace(building, path)
    return path


def _catalogue_mart(
    con: duckdb.DuckDBPyConnection,
    table: str,
    time_grain: str,
    dimensions: dict[str, str],
    aggregation: str,
    measures: Sequence[str],
    unit_dimension: str,
) -> None:
    days = (
        list(SAMPLE_MONTHS)
        if time_grain == "month"
        else [m + timedelta(days=d) for m in SAMPLE_MONTHS for d in (0, 14)]
    )
    joins, columns = [], []
    for i, (name, column) in enumerate(dimensions.items()):
        if name == unit_dimension:
            values = "[r.prefix || '-E00000000001', r.prefix || '-E00000000002']"
        else:
            values = f"['{name}_a', '{name}_b']"
        joins.append(f"CROSS JOIN LATERAL (SELECT unnest({values}) AS v{i}) AS d{i}")
        columns.append(f"v{i} AS {column}")
    seed = ", ".join(["r.region_code", "p.day", *(f"v{i}" for i in range(len(dimensions)))])
    size = f"(r.scale * (2 + hash({seed}) % 9))::BIGINT"
    share = f"((hash({seed}, 'n') % 60) / 100.0)"
    figures = {
        "numerator": f"floor({size} * {share})::BIGINT",
        "denominator": size,
        "rate": f"floor({size} * {share}) / {size}",
        "value": f"{size}::DOUBLE" if aggregation == "sum" else f"(hash({seed}) % 300) / 10.0",
        "n": size,
    }
    period_days = ", ".join(f"DATE '{d.isoformat()}'" for d in days)
    con.execute(
        f"""
        CREATE TABLE {table} AS
        SELECT r.region_code, p.day AS {time_grain}{"".join(", " + c for c in columns)},
               {", ".join(f"{figures[m]} AS {m}" for m in measures)}
        FROM sample_regions AS r
        CROSS JOIN (SELECT unnest([{period_days}]) AS day) AS p
        {" ".join(joins)}
        """
    )


def _write_effects(
    con: duckdb.DuckDBPyConnection, metric_ids: Sequence[str], regions: Sequence[tuple]
) -> None:
    con.execute(
        "CREATE TABLE marts.effect_estimates (metric_id VARCHAR, region_code VARCHAR, "
        "relative_month INTEGER, estimate DOUBLE, ci_low DOUBLE, ci_high DOUBLE, "
        "confidence_level DOUBLE, units INTEGER, pre_trend_passed BOOLEAN, method VARCHAR)"
    )
    rows = [
        (metric, code, month, -0.01, -0.02, 0.0, 0.95, 4, True, "did_staggered")
        for metric in metric_ids
        for code in ("00", *(r[0] for r in regions))
        for month in (None, -1, 0, 1)
    ]
    if rows:
        con.executemany(
            "INSERT INTO marts.effect_estimates VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
        )
