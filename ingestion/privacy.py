"""Keep clear identifiers out of everything ingestion writes or says.

Free text (cancellation reasons, error messages quoting a value) may contain a
personnummer typed by hand; it is scrubbed before it leaves the gate.
"""

from __future__ import annotations

import re

import polars as pl

# 10 or 12 digits with an optional separator, as a word of its own (an HSA-id's
# organisation number follows letters, so it is not a match).
_PERSON_ID = re.compile(r"\b(?:19|20)?[0-9]{6}[-+ ]?[0-9]{4}\b")
SCRUBBED = "[id borttaget]"


def scrub_text(value: str | None) -> str | None:
    if value is None:
        return None
    return _PERSON_ID.sub(SCRUBBED, value)


def scrub_expr(expr: pl.Expr) -> pl.Expr:
    """The vectorised scrub_text."""
    return expr.str.replace_all(r"\b(?:19|20)?[0-9]{6}[-+ ]?[0-9]{4}\b", SCRUBBED)


def quote_value(value: str | None, limit: int = 40) -> str:
    """A value safe to put in an error message."""
    if value is None:
        return "empty"
    text = scrub_text(value)
    return repr(text[:limit] + ("…" if len(text) > limit else ""))
