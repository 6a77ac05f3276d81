"""Which landing feeds the pipeline can ingest today, and which it knows of.

A feed listed in KNOWN_FEEDS but without an adapter is reported and skipped by
`tidbok run`, never fatal: regions can start delivering before we read it.
"""

from __future__ import annotations

from pathlib import Path

from ingestion.feeds.base import FeedAdapter
from ingestion.feeds.booking_csv import BookingCsv

# Every feed of SOURCES.md, in its order.
KNOWN_FEEDS = (
    "booking_csv", "booking_events", "booking_fhir", "booking_aggregates", "timeslots",
    "aggregator_requests", "aggregator_responses", "engagement_index", "platform_stats",
    "telephony", "eservice_events", "connections", "hsa_units", "population",
)


def adapter_for(feed: str, work_dir: Path) -> FeedAdapter | None:
    if feed == "booking_csv":
        return BookingCsv(work_dir)
    return None


def supported_feeds() -> tuple[str, ...]:
    return ("booking_csv",)
