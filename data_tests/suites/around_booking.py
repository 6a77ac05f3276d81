"""Suites of the feeds around the booking (SOURCES.md 1e, 3a-3e).

Code lists come from the adapters' own maps, so the gate and the adapter agree.
A rule the adapter already applies row by row is `block` (failing it means an
adapter bug let a bad row through); a plausibility rule of our own is `warn`.
"""

from __future__ import annotations

from data_tests import rules as r
from data_tests.suites.generic import county_codes
from tidbok import codes


def _required(*columns: str) -> list[r.Rule]:
    return [r.not_null(column) for column in columns]


def timeslots() -> list[r.Rule]:
    return [
        *_required("date", "care_unit_hsa_id", "time_book_hsa_id", "time_type_code",
                   "care_service", "slots_total", "slots_web_bookable", "slots_booked",
                   "slots_free_at_start"),
        r.in_code_list("care_service", codes.CARE_SERVICES),
        r.between("slots_total", 0, None, severity="block"),
        *(r.at_most(part, "slots_total")
          for part in ("slots_web_bookable", "slots_booked", "slots_free_at_start")),
    ]


def telephony_queues() -> list[r.Rule]:
    from ingestion.feeds.telephony import REASON_LABELS

    return [
        *_required("date", "care_unit_hsa_id", "queue", "reason", "calls_offered",
                   "calls_answered"),
        r.in_code_list("reason", REASON_LABELS.values()),
        r.between("calls_offered", 0, None, severity="block"),
        r.at_most("calls_answered", "calls_offered"),
        r.between("avg_wait_seconds", 0, None, severity="block"),
        r.between("avg_talk_seconds", 0, None, severity="block"),
    ]


def unit_connections() -> list[r.Rule]:
    from ingestion.feeds.connections import SERVICE_LABELS

    return [
        *_required("care_unit_hsa_id", "service"),
        r.in_code_list("service", SERVICE_LABELS.values()),
        r.not_before("tested_on", "applied_on"),
        r.not_before("production_on", "applied_on"),
        r.not_before("ended_on", "production_on"),
    ]


def hsa_units() -> list[r.Rule]:
    from ingestion.feeds.hsa_units import LATITUDE, LONGITUDE, UNIT_TYPE_LABELS

    return [
        *_required("hsa_id", "name", "region_code", "unit_type", "is_time_book"),
        r.in_code_list("region_code", county_codes()),
        r.in_code_list("unit_type", UNIT_TYPE_LABELS.values()),
        r.between("latitude", *LATITUDE, severity="block"),
        r.between("longitude", *LONGITUDE, severity="block"),
        r.not_before("valid_to", "valid_from"),
    ]


def population() -> list[r.Rule]:
    from ingestion.feeds.population import YEARS

    return [
        *_required("region_code", "year", "age_band", "sex", "residents"),
        r.in_code_list("region_code", county_codes()),
        r.between("year", *YEARS, severity="block"),
        r.between("residents", 0, None, severity="block"),
    ]


def eservice_events() -> list[r.Rule]:
    from ingestion.feeds.eservice_events import (
        AUTH_METHOD_LIST,
        EVENT_CODES,
        RESULT_CODE_LIST,
        SERVICE_LABELS,
    )

    return [
        *_required("region_code", "event_id", "session_id", "event_time", "service", "event",
                   "is_duplicate"),
        r.in_code_list("service", SERVICE_LABELS.values()),
        r.in_code_list("event", EVENT_CODES),
        r.in_code_list("result_code", RESULT_CODE_LIST),
        r.in_code_list("auth_method", AUTH_METHOD_LIST),
    ]


SUITES = {"timeslots": timeslots, "telephony_queues": telephony_queues,
          "unit_connections": unit_connections, "hsa_units": hsa_units,
          "population": population, "eservice_events": eservice_events}
