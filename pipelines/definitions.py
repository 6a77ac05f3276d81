"""Dagster entry point: every step of DESIGN.md's flow is an asset here."""

from __future__ import annotations

import dagster as dg

from pipelines.defs.gate_checks import GATE_CHECKS
from pipelines.defs.ingestion import lake_from_landing
from pipelines.defs.ingestion_partitions import GROUP as INGESTION_BY_DAY
from pipelines.defs.ingestion_partitions import PARTITION_JOBS, PARTITIONED_INGESTION
from pipelines.defs.landing_sensor import build_landing_sensor
from pipelines.defs.models import tidbok_dbt_models
from pipelines.defs.serving import serving_file
from pipelines.lib.dbt_project import dbt_resource

ALL_ASSETS = [lake_from_landing, tidbok_dbt_models, serving_file, *PARTITIONED_INGESTION]

pipeline_job = dg.define_asset_job("tidbok_pipeline", selection=dg.AssetSelection.all()
                                   - dg.AssetSelection.groups(INGESTION_BY_DAY),
                                   description="Ingest new landing files, build, check, publish.")

defs = dg.Definitions(
    assets=ALL_ASSETS,
    asset_checks=GATE_CHECKS,
    jobs=[pipeline_job, *PARTITION_JOBS],
    sensors=[build_landing_sensor(pipeline_job)],
    resources={"dbt": dbt_resource()},
)
