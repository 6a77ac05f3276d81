"""One suite per lake table: the generic rules derived from its Arrow schema,
overridden (same rule name) and extended by the table's own rules, if any.

A table's own rules come from a function in this package; a rule that needs a
computed column names it in `DERIVED` (column -> polars expression, or a
function of the frame returning one)."""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa

from data_tests import rules as r
from data_tests.suites import (
    aggregation,
    around_booking,
    booking_aggregates,
    bookings,
    gate_results,
    generic,
    ledger,
)

SPECIFIC: dict[str, Callable[[], list[r.Rule]]] = {
    "bookings": bookings.rules,
    **booking_aggregates.SUITES,
    **around_booking.SUITES,
    **aggregation.SUITES,
    "_ledger": ledger.rules,
    "_gate_results": gate_results.rules,
}
DERIVED = {"_ledger": ledger.DERIVED}


def rules_for(table: str, schema: pa.Schema) -> list[r.Rule]:
    own = SPECIFIC.get(table)
    return r.merged(generic.schema_rules(schema), own() if own else [])


def derived_columns(table: str, schema: pa.Schema) -> dict:
    exempt = generic.shape_guaranteed(rules_for(table, schema))
    return {**generic.derived_columns(schema, exempt), **DERIVED.get(table, {})}
