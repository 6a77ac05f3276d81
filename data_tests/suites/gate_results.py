"""`_gate_results`: one row per expectation checked on a table of a file."""

from __future__ import annotations

from data_tests import rules as r
from data_tests.suites.ledger import FILE_HASH_REGEX
from ingestion.registry import KNOWN_FEEDS


def rules() -> list[r.Rule]:
    return [
        *(r.not_null(column) for column in ("file_hash", "feed", "table_name", "expectation",
                                            "severity", "success", "checked_at")),
        r.Rule("file_hash_is_sha256", "block", "ExpectColumnValuesToMatchRegex",
               {"column": "file_hash", "regex": FILE_HASH_REGEX}, "file_hash"),
        r.in_code_list("feed", KNOWN_FEEDS),
        r.in_code_list("severity", ("block", "warn")),
    ]
