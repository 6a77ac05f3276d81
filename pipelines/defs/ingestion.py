"""Landing files → canonical Parquet lake (the gate)."""


import dagster as dg

from ingestion.runner import ingest_landing

LAKE_BOOKINGS = dg.AssetKey(["lake", "bookings"])
LAKE_LEDGER = dg.AssetKey(["lake", "_ledger"])


@dg.multi_asset(
    specs=[
        dg.AssetSpec(LAKE_BOOKINGS, group_name="ingestion",
                     description="Canonical booking versions from the regions' time books."),
        dg.AssetSpec(LAKE_LEDGER, group_name="ingestion",
                     description="One row per landing file: rows read = loaded + quarantined."),
    ],
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
    yield dg.MaterializeResult(asset_key=LAKE_BOOKINGS, metadata=meta)
    yield dg.MaterializeResult(asset_key=LAKE_LEDGER, metadata={"files": summary.files_ingested})
