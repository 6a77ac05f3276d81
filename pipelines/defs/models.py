"""The dbt models, checked by their dbt tests (which Dagster shows as asset checks)."""


import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from pipelines.lib.dbt_project import build_args, dbt_project

DUCKDB_WRITER_POOL = "duckdb_writer"


@dbt_assets(manifest=dbt_project.manifest_path, pool=DUCKDB_WRITER_POOL)
def tidbok_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    yield from dbt.cli(build_args(), context=context).stream()
