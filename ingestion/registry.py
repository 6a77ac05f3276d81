"""Which landing feeds the pipeline can ingest today, and which it knows of.

Every module in `ingestion.feeds` that names an adapter class in `ADAPTER`
is a supported feed: adding a feed is adding a module. A feed listed in
KNOWN_FEEDS without an adapter is reported and skipped by `tidbok run`, never
fatal: regions can start delivering before we read it.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from pathlib import Path

import pyarrow as pa

from data_tests.results import GATE_RESULTS
from ingestion import canonical, feeds
from ingestion.feeds.base import FeedAdapter

# Every feed of SOURCES.md, in its order.
KNOWN_FEEDS = (
    "booking_csv", "booking_events", "booking_fhir", "booking_aggregates", "timeslots",
    "aggregator_requests", "aggregator_responses", "engagement_index", "platform_stats",
    "telephony", "eservice_events", "connections", "hsa_units", "population",
)


@cache
def adapter_classes() -> dict[str, type]:
    found = {}
    for module_info in pkgutil.iter_modules(feeds.__path__):
        module = importlib.import_module(f"{feeds.__name__}.{module_info.name}")
        class_name = getattr(module, "ADAPTER", None)
        if class_name:
            cls = getattr(module, class_name)
            found[cls.feed] = cls
    return dict(sorted(found.items(), key=lambda kv: KNOWN_FEEDS.index(kv[0])))


def adapter_for(feed: str, work_dir: Path) -> FeedAdapter | None:
    cls = adapter_classes().get(feed)
    return cls(work_dir) if cls else None


def supported_feeds() -> tuple[str, ...]:
    return tuple(adapter_classes())


def canonical_tables() -> dict[str, pa.Schema]:
    """Every canonical lake table, from the adapters that write it (defined once)."""
    tables: dict[str, pa.Schema] = {}
    for cls in adapter_classes().values():
        for name, schema in cls.tables.items():
            if name in tables and tables[name] != schema:
                raise TypeError(f"canonical table {name} has two different schemas")
            tables[name] = schema
    return tables


def system_tables() -> dict[str, pa.Schema]:
    return {"_ledger": canonical.LEDGER, "_gate_results": GATE_RESULTS}
