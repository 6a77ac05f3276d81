"""Feeds as Dagster assets partitioned by day (and by region where the feed is regional).

`tidbok run` keeps ingesting everything new in one unpartitioned step
(`lake_from_landing`); these assets are the same gate seen per delivery day, for
looking at, re-running and backfilling one feed's days:

- `ingested/<feed>` is partitioned by `DailyPartitionsDefinition` for a national
  feed and by day × region (`MultiPartitionsDefinition`) for a regional one. A
  partition is the feed's landing files of that region whose name carries that
  day (`…_2025-03-04.csv`); files whose name has no day (a population year, the
  HSA catalogue) belong to no partition and are ingested by `tidbok run`.
- Materialising a partition ingests its files that are new (same bytes twice: a
  no-op), so doing it twice gives the same lake.
- With `reingest: true` in the run config (a backfill) the partition's files are
  first forgotten (parts, quarantined rows, ledger rows: `ingestion.backfill`)
  and then ingested again, so a backfill over a date range is idempotent too.
  A range is one run (`BackfillPolicy.single_run`), not one run per day.
- `tidbok backfill FIRST LAST [--feed F] [--region R]` does the same from the
  command line (`backfill_days`).
"""

import csv
import datetime as dt
import os
import re
import warnings
from collections.abc import Iterable
from pathlib import Path

import dagster as dg
import duckdb

from ingestion import lake, registry
from ingestion.backfill import forget_files
from ingestion.runner import IngestionSummary, discover, ingest_landing
from tidbok import config

GROUP = "ingestion_by_day"
POOL = "lake_ingestion"  # partition and backfill runs one at a time
# Feeds delivered once for the whole country (landing/<feed>/national/).
NATIONAL_FEEDS = frozenset({"aggregator_requests", "aggregator_responses", "connections",
                            "engagement_index", "hsa_units", "platform_stats", "population"})
FIRST_DAY = os.environ.get("TIDBOK_PARTITIONS_START", "2025-01-01")
_DAY_IN_NAME = re.compile(r"(?<!\d)(\d{4}-\d{2}-\d{2})(?!\d)")


def region_codes() -> list[str]:
    with config.REGIONS_CSV.open(encoding="utf-8") as fh:
        return sorted({row["regionkod"].strip().zfill(2) for row in csv.DictReader(fh)})


DAYS = dg.DailyPartitionsDefinition(start_date=FIRST_DAY, end_offset=1)
REGIONS = dg.StaticPartitionsDefinition(region_codes())
DAYS_BY_REGION = dg.MultiPartitionsDefinition({"day": DAYS, "region": REGIONS})


def file_day(path: Path) -> dt.date | None:
    """The delivery day a landing file's name carries (the first date in it)."""
    m = _DAY_IN_NAME.search(path.name)
    if not m:
        return None
    try:
        return dt.date.fromisoformat(m.group(1))
    except ValueError:
        return None


def is_regional(feed: str) -> bool:
    return feed not in NATIONAL_FEEDS


# ------------------------------------------------------------------ plain functions


def partition_files(feed: str, days: Iterable[dt.date],
                    regions: Iterable[str] | None = None) -> list[Path]:
    """The feed's landing files of these days (and regions): what the partitions hold."""
    wanted_days, wanted_regions = set(days), None if regions is None else set(regions)
    return [path for f, region, path in discover(config.landing_dir())
            if f == feed and (wanted_regions is None or region in wanted_regions)
            and file_day(path) in wanted_days]


def forget_paths(paths: Iterable[Path]) -> int:
    """Forget what these landing files produced, whatever bytes they had when
    ingested (the ledger rows in force for their paths). Returns the files forgotten."""
    landing = config.landing_dir()
    relative = sorted({str(p.relative_to(landing)) for p in paths})
    ledger = config.ledger_dir()
    if not relative or not lake.data_files(ledger):
        return 0
    con = duckdb.connect()
    try:
        rows = con.execute(
            f"select file_hash, feed from read_parquet('{ledger}/*.parquet', union_by_name=true)"
            " where status is distinct from 'superseded' and file_path in (select unnest(?))",
            [relative]).fetchall()
    finally:
        con.close()
    forget_files([{"file_hash": h, "feed": f} for h, f in rows])
    return len(rows)


def ingest_partitions(feed: str, days: Iterable[dt.date], regions: Iterable[str] | None = None,
                      reingest: bool = False) -> IngestionSummary:
    """Ingest the feed's files of these days (and regions); with `reingest`, forget
    them first so that they are ingested again (idempotent)."""
    wanted_days = set(days)
    wanted_regions = None if regions is None else set(regions)
    if reingest:
        forget_paths(partition_files(feed, wanted_days, wanted_regions))

    def select(f: str, region: str, path: Path) -> bool:
        return (f == feed and (wanted_regions is None or region in wanted_regions)
                and file_day(path) in wanted_days)

    return ingest_landing(feeds=(feed,), select=select)


def backfill_days(first: dt.date, last: dt.date, feed: str | None = None,
                  region: str | None = None) -> dict[str, IngestionSummary]:
    """Re-ingest every day from `first` to `last` (inclusive) of one feed or all,
    idempotently: `tidbok backfill`. Returns the summary per feed."""
    if last < first:
        raise ValueError(f"backfill range ends ({last}) before it starts ({first})")
    if feed is not None and feed not in registry.supported_feeds():
        raise ValueError(f"unknown feed {feed!r}; supported: "
                         + ", ".join(registry.supported_feeds()))
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    feeds = [feed] if feed else list(registry.supported_feeds())
    return {f: ingest_partitions(f, days, None if region is None else [region], reingest=True)
            for f in feeds}


# ------------------------------------------------------------------ Dagster


class PartitionIngestConfig(dg.Config):
    reingest: bool = False  # forget the partitions' files first (a backfill)


def _days_and_regions(context: dg.AssetExecutionContext, regional: bool
                      ) -> tuple[set[dt.date], set[str] | None]:
    days: set[dt.date] = set()
    regions: set[str] = set()
    for key in context.partition_keys:
        if regional:
            dims = key.keys_by_dimension if isinstance(key, dg.MultiPartitionKey) else dict(
                zip(["day", "region"], key.split("|"), strict=True))
            days.add(dt.date.fromisoformat(dims["day"]))
            regions.add(dims["region"])
        else:
            days.add(dt.date.fromisoformat(key))
    return days, (regions if regional else None)


def _feed_asset(feed: str) -> dg.AssetsDefinition:
    regional = is_regional(feed)

    @dg.asset(
        name=feed, key_prefix=["ingested"], group_name=GROUP, pool=POOL,
        partitions_def=DAYS_BY_REGION if regional else DAYS,
        backfill_policy=dg.BackfillPolicy.single_run(),
        description=(f"`{feed}` landing files ingested into the lake, by delivery day"
                     + (" and region." if regional else ".")),
    )
    def _ingested(context: dg.AssetExecutionContext, config: PartitionIngestConfig):
        days, regions = _days_and_regions(context, regional)
        if regions is not None and len(days) * len(regions) != len(context.partition_keys):
            # A run over a day × region rectangle only: other shapes go key by key.
            summaries = [ingest_partitions(feed, d, r, config.reingest) for d, r in
                         (([dt.date.fromisoformat(k.keys_by_dimension["day"])],
                           [k.keys_by_dimension["region"]]) for k in context.partition_keys)]
        else:
            summaries = [ingest_partitions(feed, days, regions, config.reingest)]
        totals = {name: sum(getattr(s, name) for s in summaries)
                  for name in ("files_ingested", "files_skipped_known", "files_rejected",
                               "rows_read", "rows_loaded", "rows_quarantined")}
        context.log.info("%s %s: %s", feed, "re-ingested" if config.reingest else "ingested",
                         totals)
        return dg.MaterializeResult(metadata={**totals, "reingest": config.reingest})

    return _ingested


with warnings.catch_warnings():  # BackfillPolicy is marked beta; single-run ranges are stable
    warnings.simplefilter("ignore", dg.BetaWarning)
    PARTITIONED_INGESTION = [_feed_asset(feed) for feed in registry.supported_feeds()]
# For the UI and backfills of several feeds at once; a job holds one partitioning.
REGIONAL_JOB = dg.define_asset_job(
    "ingest_regional_feeds_by_day", partitions_def=DAYS_BY_REGION,
    selection=dg.AssetSelection.assets(*[a for a in PARTITIONED_INGESTION
                                         if a.partitions_def == DAYS_BY_REGION]),
    description="Ingest (or, with reingest, re-ingest) regional feeds' days.")
NATIONAL_JOB = dg.define_asset_job(
    "ingest_national_feeds_by_day", partitions_def=DAYS,
    selection=dg.AssetSelection.assets(*[a for a in PARTITIONED_INGESTION
                                         if a.partitions_def == DAYS]),
    description="Ingest (or, with reingest, re-ingest) national feeds' days.")
PARTITION_JOBS = [REGIONAL_JOB, NATIONAL_JOB]
