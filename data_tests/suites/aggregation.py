"""Suites of the national aggregation platform's feeds (SOURCES.md 2a-2d):
the aggregating service's requests and responses, the engagement index and
the platform's call statistics."""

from __future__ import annotations

from data_tests import rules as r


def _required(*columns: str) -> list[r.Rule]:
    return [r.not_null(column) for column in columns]


def _counts(*columns: str, low: int = 0) -> list[r.Rule]:
    return [r.between(column, low, None) for column in columns]


def aggregator_requests() -> list[r.Rule]:
    return [
        *_required("request_id", "requested_at", "consumer_id", "ei_hits", "sources_called",
                   "bookings_shown", "bookings_hidden"),
        *_counts("ei_hits", "sources_called", "bookings_shown", "bookings_hidden"),
    ]


def aggregator_source_calls() -> list[r.Rule]:
    from ingestion.feeds.aggregator_requests import SOURCE_STATUS

    return [
        *_required("request_id", "requested_at", "call_index", "logical_address", "status"),
        r.in_code_list("status", SOURCE_STATUS.values()),
        *_counts("call_index", low=1),
        *_counts("response_time_ms", "bookings_returned"),
    ]


def aggregator_hidden_bookings() -> list[r.Rule]:
    from ingestion.feeds.aggregator_requests import HIDDEN_REASON

    return [
        *_required("request_id", "booking_id", "logical_address", "reason"),
        r.in_code_list("reason", HIDDEN_REASON.values()),
    ]


def aggregator_shown_bookings() -> list[r.Rule]:
    return [
        *_required("request_id", "booking_id", "source_member"),
        r.not_before("end_time", "start_time"),
    ]


def engagement_index_updates() -> list[r.Rule]:
    return [
        *_required("service_domain", "categorization", "logical_address",
                   "business_object_instance_identifier", "clinical_process_interest_id",
                   "source_system", "data_controller", "delete_flag"),
        r.not_before("update_time", "creation_time", severity="warn"),
    ]


def platform_calls() -> list[r.Rule]:
    return [
        *_required("platform", "start_date", "end_date", "consumer_id", "calls", "namespace",
                   "logical_address"),
        r.not_before("end_date", "start_date"),
        *_counts("calls", "average_response_time_ms"),
    ]


SUITES = {"aggregator_requests": aggregator_requests,
          "aggregator_source_calls": aggregator_source_calls,
          "aggregator_hidden_bookings": aggregator_hidden_bookings,
          "aggregator_shown_bookings": aggregator_shown_bookings,
          "engagement_index_updates": engagement_index_updates,
          "platform_calls": platform_calls}
