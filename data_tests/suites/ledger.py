"""`_ledger`: one row per landing file, reconciling rows read with rows written.

Validated by the Dagster asset check on the rows of the latest run (the gate
runs before a file's ledger row exists)."""

from __future__ import annotations

import polars as pl

from data_tests import rules as r
from ingestion.registry import KNOWN_FEEDS

STATUSES = ("loaded", "loaded_with_rejects", "rejected_file", "superseded")
FILE_HASH_REGEX = r"^[0-9a-f]{64}$"
# Columns computed before validation: Great Expectations has no "a = b + c".
DERIVED = {"rows_unaccounted": pl.col("rows_read") - pl.col("rows_loaded")
           - pl.col("rows_quarantined")}


def rules() -> list[r.Rule]:
    counts = ("rows_read", "rows_loaded", "rows_quarantined", "file_bytes")
    return [
        *(r.not_null(column) for column in ("file_hash", "feed", "region_code", "file_path",
                                            "status", "ingested_at", *counts)),
        r.Rule("file_hash_is_sha256", "block", "ExpectColumnValuesToMatchRegex",
               {"column": "file_hash", "regex": FILE_HASH_REGEX}, "file_hash"),
        r.in_code_list("feed", KNOWN_FEEDS),
        r.in_code_list("status", STATUSES),
        *(r.between(column, 0, None, severity="block") for column in counts),
        r.Rule("rows_read_reconcile", "block", "ExpectColumnValuesToBeInSet",
               {"column": "rows_unaccounted", "value_set": [0]}, "rows_unaccounted",
               show_values=True),
    ]
