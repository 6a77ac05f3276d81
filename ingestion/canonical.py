"""The canonical tables of the lake, defined once.

Every adapter writes exactly these Arrow schemas; dbt's sources mirror them
(tests/ingestion/test_canonical_matches_dbt.py keeps the two in step).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

TS = pa.timestamp("us")  # Swedish local time, no offset (SOURCES.md)

# One row per version of a booking as the source delivered it: the state
# history. dbt picks the latest version per booking (the final outcome).
BOOKINGS = pa.schema([
    ("region_code", pa.string()),
    ("source_feed", pa.string()),
    ("booking_id", pa.string()),
    ("care_unit_hsa_id", pa.string()),
    ("time_book_hsa_id", pa.string()),
    ("patient_pseudonym", pa.string()),
    ("patient_id_type", pa.string()),
    ("birth_year", pa.int16()),
    ("age_band", pa.string()),
    ("sex", pa.string()),
    ("time_type_code", pa.string()),
    ("time_type_name", pa.string()),
    ("care_service", pa.string()),
    ("contact_type", pa.string()),
    ("appointment_type", pa.string()),  # FHIR v2-0276 (walk_in, routine…); null elsewhere
    ("start_time", TS),
    ("end_time", TS),
    ("booked_at", TS),
    ("booking_channel", pa.string()),
    ("referral_id", pa.string()),
    ("status", pa.string()),
    ("cancelled_at", TS),
    ("cancelled_by", pa.string()),
    ("cancel_reason", pa.string()),
    ("rebooked_from_booking_id", pa.string()),
    ("reminder", pa.string()),
    ("changed_at", TS),
    ("extract_date", pa.date32()),
    ("source_record_id", pa.string()),  # eventId / FHIR id+versionId; null for CSV rows
    ("source_file_hash", pa.string()),
    ("source_row", pa.int64()),
])

# One row per landing file ever seen: the reconciliation of what was read.
LEDGER = pa.schema([
    ("file_hash", pa.string()),
    ("feed", pa.string()),
    ("region_code", pa.string()),
    ("file_path", pa.string()),  # relative to landing/
    ("file_bytes", pa.int64()),
    ("encoding", pa.string()),
    ("rows_read", pa.int64()),
    ("rows_loaded", pa.int64()),
    ("rows_quarantined", pa.int64()),
    ("status", pa.string()),  # loaded | loaded_with_rejects | rejected_file | superseded
    ("message", pa.string()),
    ("partition_day", pa.date32()),
    ("ingested_at", TS),
    # A later delivery of the same landing file (same path, other bytes) replaced
    # this one: its rows left the lake and the quarantine; the row stays.
    ("superseded_by", pa.string()),
])

# Rejected rows and whole files (row_number null), identifiers masked.
QUARANTINE = pa.schema([
    ("feed", pa.string()),
    ("region_code", pa.string()),
    ("file_path", pa.string()),
    ("file_hash", pa.string()),
    ("row_number", pa.int64()),  # line in the file, header = line 1
    ("field", pa.string()),
    ("reason", pa.string()),
    ("record", pa.string()),  # the row as JSON, identifiers pseudonymised
    ("quarantined_at", TS),
])

SCHEMA_FILE = "_schema.parquet"


def write_schema_file(folder: Path, schema: pa.Schema) -> None:
    """An empty file with the table's schema, so readers see the table (and
    its types) before the first delivery has arrived."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / SCHEMA_FILE
    if not target.exists():
        pq.write_table(schema.empty_table(), target)
