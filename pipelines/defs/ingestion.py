"""Landing files → canonical Parquet lake (the gate).

`lake_from_landing` ingests everything new in one unpartitioned step (the
`tidbok run` job); the same ingestion per feed, day and region, with backfills,
is in `pipelines/defs/ingestion_partitions.py`."""

import dagster as dg

from ingestion.registry import canonical_tables, system_tables
from ingestion.runner import ingest_landing


def lake_key(table: str) -> dg.AssetKey:
    # Matches dagster-dbt's key for the dbt source `lake.<table>`, so the lineage joins up.
    return dg.AssetKey(["lake", table])


LAKE_TABLES = [*canonical_tables(), *system_tables()]


@dg.multi_asset(
    specs=[dg.AssetSpec(lake_key(table), group_name="ingestion",
                        description=f"Canonical `{table}` rows in the Parquet lake.")
           for table in LAKE_TABLES],
    can_subset=False,
)
def lake_from_landing(context: dg.AssetExecutionContext):
    """Ingest every new file under landing/ (known files are skipped by hash)."""
    summary = ingest_landing()
    context.log.info(
        "ingested %d file(s), %d row(s) read, %d loaded, %d quarantined; "
        "%d file(s) already known; unsupported feeds skipped: %s",
        summary.files_ingested, summary.rows_read, summary.rows_loaded,
        summary.rows_quarantined, summary.files_skipped_known,
        summary.unsupported_feeds or "none",
    )
    meta = {k: dg.MetadataValue.json(v) if isinstance(v, dict | list) else v
            for k, v in summary.as_dict().items()}
    for table in LAKE_TABLES:
        yield dg.MaterializeResult(asset_key=lake_key(table), metadata=meta)
