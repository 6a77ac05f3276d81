"""Dagster entry point: every step of DESIGN.md's flow is an asset here."""

from __future__ import annotations

import dagster as dg

from pipelines.defs.ingestion import lake_from_landing
from pipelines.defs.landing_sensor import build_landing_sensor
from pipelines.defs.models import tidbok_dbt_models
from pipelines.defs.serving import serving_file
from pipelines.lib.dbt_project import dbt_resource

ALL_ASSETS = [lake_from_landing, tidbok_dbt_models, serving_file]

pipeline_job = dg.define_asset_job("tidbok_pipeline", selection=dg.AssetSelection.all(),
                                   description="Ingest new landing files, build, check, publish.")

defs = dg.Definitions(
    assets=ALL_ASSETS,
    jobs=[pipeline_job],
    sensors=[build_landing_sensor(pipeline_job)],
    resources={"dbt": dbt_resource()},
)
