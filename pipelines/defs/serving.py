"""Publish: the checked warehouse becomes the serving file, atomically."""


import dagster as dg

from pipelines.defs.models import DUCKDB_WRITER_POOL, tidbok_dbt_models
from tidbok.publish import publish


@dg.asset(
    key=["serving", "serving_file"],
    group_name="serving",
    deps=[tidbok_dbt_models],
    pool=DUCKDB_WRITER_POOL,
    description="serving.duckdb: marts and reference tables, read-only for the API, "
                "dashboards and analysts; replaced atomically after a checked build.",
)
def serving_file(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    published = publish()
    context.log.info("published serving version %s", published.version)
    return dg.MaterializeResult(metadata={
        "version": published.version, "bytes": published.bytes, "tables": published.tables,
        "path": str(published.path),
    })
