"""Publish: the checked warehouse becomes the serving file, atomically."""


import dagster as dg

from pipelines.defs.models import DUCKDB_WRITER_POOL, tidbok_dbt_models
from tidbok.publish import dbt_run_results, publish


@dg.asset(
    key=["serving", "serving_file"],
    group_name="serving",
    deps=[tidbok_dbt_models],
    pool=DUCKDB_WRITER_POOL,
    description="serving.duckdb: marts and reference tables, read-only for the API, "
                "dashboards and analysts; replaced atomically after a checked build.",
)
def serving_file(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    # The run's dbt test results join the GX rows of marts.check_results (tidbok/publish.py).
    published = publish(dbt_run_results=dbt_run_results(context.run.run_id))
    context.log.info("published serving version %s", published.version)
    return dg.MaterializeResult(metadata={
        "version": published.version, "bytes": published.bytes, "tables": published.tables,
        "path": str(published.path),
    })
