"""Feeds as Dagster assets partitioned by day (× region): a partition ingests its
own files, materialising it twice gives the same lake, and a backfill over a
range (Dagster's single-run range, or `tidbok backfill`) is idempotent."""

import datetime as dt
import json
import os
import subprocess
import sys

import dagster as dg
import duckdb
import pytest

from pipelines.defs import ingestion_partitions as parts
from tests.ingestion.booking_rows import row, write_booking_file

DAYS = ["2025-03-04", "2025-03-05", "2025-03-06"]


def asset(feed):
    return next(a for a in parts.PARTITIONED_INGESTION if a.key == dg.AssetKey(["ingested", feed]))


def lake_state(home):
    """Everything the ingestion wrote, as comparable values (ingestion times aside)."""
    con = duckdb.connect()
    bookings = sorted(con.execute(
        f"select * exclude (source_file_hash) from read_parquet("
        f"'{home}/lake/bookings/**/*.parquet', union_by_name=true)").fetchall(), key=repr)
    ledger = sorted(con.execute(
        f"select file_path, file_hash, status, rows_read, rows_loaded, rows_quarantined, "
        f"partition_day from read_parquet('{home}/lake/_ledger/*.parquet', union_by_name=true)"
    ).fetchall())
    quarantine = sorted(con.execute(
        f"select file_path, row_number, field, reason from read_parquet("
        f"'{home}/quarantine/**/*.parquet', union_by_name=true)").fetchall(), key=repr)
    parts_on_disk = sorted(p.relative_to(home).as_posix()
                           for p in (home / "lake" / "bookings").rglob("*.parquet"))
    return bookings, ledger, quarantine, parts_on_disk


@pytest.fixture(autouse=True)
def no_gate(monkeypatch):
    """The partitions decide which files are ingested; the gate is tested elsewhere
    (data_tests/) and costs seconds a run: off here, on in the e2e CLI test."""
    from ingestion import runner

    monkeypatch.setattr(runner, "GATE_ENABLED", False)


@pytest.fixture
def landing(tidbok_home):
    for region in ("01", "13"):
        for i, day in enumerate(DAYS):
            write_booking_file(tidbok_home, [row(Bokningsid=f"B{region}{i}a"),
                                             row(Bokningsid=f"B{region}{i}b", Kanal="Fax")],
                               region=region, day=day)
    return tidbok_home


def materialize(feed, key, reingest=False):
    result = dg.materialize(
        [asset(feed)], partition_key=key, instance=dg.DagsterInstance.ephemeral(),
        run_config={"ops": {asset(feed).node_def.name: {"config": {"reingest": reingest}}}})
    assert result.success
    return result.get_asset_materialization_events()[0].materialization.metadata


def test_backfill_days_refuses_a_backwards_range_and_an_unknown_feed(tidbok_home):
    with pytest.raises(ValueError, match="before it starts"):
        parts.backfill_days(dt.date(2025, 3, 5), dt.date(2025, 3, 4))
    with pytest.raises(ValueError, match="unknown feed"):
        parts.backfill_days(dt.date(2025, 3, 4), dt.date(2025, 3, 5), feed="bookings_csv")


def test_partitioning_by_day_and_region_where_the_feed_is_regional():
    assert asset("booking_csv").partitions_def == parts.DAYS_BY_REGION
    assert asset("engagement_index").partitions_def == parts.DAYS
    assert "01" in parts.REGIONS.get_partition_keys()
    assert parts.file_day(parts.Path("bokningar_01_2025-03-04_rattad.csv")) == dt.date(2025, 3, 4)
    assert parts.file_day(parts.Path("befolkning_2024.csv")) is None


def test_a_partition_ingests_its_own_files_and_twice_is_the_same_lake(landing):
    key = dg.MultiPartitionKey({"day": DAYS[1], "region": "13"})
    meta = materialize("booking_csv", key)
    assert meta["files_ingested"].value == 1 and meta["rows_read"].value == 2
    first = lake_state(landing)
    assert [r[0] for r in first[1]] == [f"booking_csv/13/bokningar_13_{DAYS[1]}.csv"]
    meta = materialize("booking_csv", key)
    assert meta["files_ingested"].value == 0 and meta["files_skipped_known"].value == 1
    assert lake_state(landing) == first


def test_reingesting_a_partition_twice_gives_the_same_lake(landing):
    key = dg.MultiPartitionKey({"day": DAYS[0], "region": "01"})
    materialize("booking_csv", key)
    before = lake_state(landing)
    for _ in range(2):
        meta = materialize("booking_csv", key, reingest=True)
        assert meta["files_ingested"].value == 1  # forgotten, then ingested again
        assert lake_state(landing) == before


def test_a_backfill_over_a_range_is_one_run_and_idempotent(landing):
    """Dagster's backfill of a day range with the single-run policy: one run, all the
    range's partitions; done twice, the lake is the same as ingesting once."""
    instance = dg.DagsterInstance.ephemeral()
    from ingestion.runner import ingest_landing

    ingest_landing(feeds=("booking_csv",))
    everything = lake_state(landing)
    config = {"ops": {asset("booking_csv").node_def.name: {"config": {"reingest": True}}}}
    for _ in range(2):
        result = dg.materialize(
            [asset("booking_csv")], instance=instance, run_config=config,
            tags={"dagster/asset_partition_range_start": f"{DAYS[0]}|01",
                  "dagster/asset_partition_range_end": f"{DAYS[1]}|13"})
        assert result.success
        meta = result.get_asset_materialization_events()[0].materialization.metadata
        assert meta["files_ingested"].value == 4  # two days × two regions, re-ingested
        assert lake_state(landing) == everything


@pytest.mark.e2e
def test_tidbok_backfill_reingests_a_range_idempotently(landing, tidbok_home):
    from ingestion.runner import ingest_landing

    ingest_landing()
    before = lake_state(tidbok_home)
    env = {**os.environ, "TIDBOK_HOME": str(tidbok_home),
           "TIDBOK_PSEUDONYM_KEY": "test-key-not-secret"}
    for _ in range(2):
        out = subprocess.run([sys.executable, "-m", "tidbok.cli", "backfill", DAYS[1], DAYS[2],
                              "--feed", "booking_csv"], env=env, capture_output=True, text=True,
                             timeout=300)
        assert out.returncode == 0, out.stderr[-2000:]
        report = json.loads(out.stdout[out.stdout.index("{"):])
        assert report["booking_csv"]["files_ingested"] == 4
        assert lake_state(tidbok_home) == before
    bad = subprocess.run([sys.executable, "-m", "tidbok.cli", "backfill", DAYS[2], DAYS[1]],
                         env=env, capture_output=True, text=True, timeout=300)
    assert bad.returncode != 0 and "before it starts" in bad.stderr


@pytest.mark.e2e  # parses the dbt project (tens of seconds)
def test_the_pipeline_job_stays_unpartitioned(tidbok_home):
    from tidbok.pipeline_run import prepare_dbt_manifest
    from tidbok.runtime import prepare_environment

    prepare_environment()
    prepare_dbt_manifest()
    from pipelines.definitions import defs

    dg.Definitions.validate_loadable(defs)

    job = defs.resolve_job_def("tidbok_pipeline")
    assert job.partitions_def is None
    keys = {k.to_user_string() for k in job.asset_layer.selected_asset_keys}
    assert "lake/bookings" in keys and not any(k.startswith("ingested/") for k in keys)
    assert defs.resolve_job_def(parts.REGIONAL_JOB.name).partitions_def == parts.DAYS_BY_REGION
