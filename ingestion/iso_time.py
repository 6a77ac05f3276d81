"""ISO 8601 timestamps of the JSON feeds as canonical Swedish local time.

A timestamp with an offset (or `Z`) is converted to Europe/Stockholm; one
without an offset is Swedish local time already (SOURCES.md). The canonical
form is naive local time (`ingestion.canonical.TS`).
"""

from __future__ import annotations

import polars as pl

STOCKHOLM = "Europe/Stockholm"
_BASE = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?"
WITH_OFFSET = rf"^{_BASE}(Z|[+-]\d{{2}}:\d{{2}})$"
WITHOUT_OFFSET = rf"^{_BASE}$"


def local_time(expr: pl.Expr, offset_required: bool = False) -> pl.Expr:
    """The timestamp in naive Swedish local time; null when it is not ISO 8601
    (or, with `offset_required`, has no offset: a FHIR `instant`)."""
    text = expr.str.replace(r"Z$", "+00:00")
    offset = (text.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%z", time_unit="us", time_zone="UTC",
                                   strict=False)
              .dt.convert_time_zone(STOCKHOLM).dt.replace_time_zone(None))
    result = pl.when(expr.str.contains(WITH_OFFSET)).then(offset)
    if not offset_required:
        naive = text.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", time_unit="us", strict=False)
        result = result.when(expr.str.contains(WITHOUT_OFFSET)).then(naive)
    return result.otherwise(None)


def unparseable(expr: pl.Expr, offset_required: bool = False) -> pl.Expr:
    """A present value that `local_time` cannot read."""
    return expr.is_not_null() & local_time(expr, offset_required).is_null()
