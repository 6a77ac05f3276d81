"""`bookings`: one row per version of a booking (ingestion/canonical.py)."""

from __future__ import annotations

from data_tests import rules as r
from data_tests.suites.generic import county_codes
from tidbok import codes

# Known for every version whatever the feed (an event stream says when a booking
# was made only in its BookingCreated/BookingMoved events: booked_at may be null).
REQUIRED = ("region_code", "source_feed", "booking_id", "care_unit_hsa_id", "time_book_hsa_id",
            "patient_pseudonym", "start_time", "status", "changed_at", "extract_date",
            "source_row")


def rules() -> list[r.Rule]:
    return [
        *(r.not_null(column) for column in REQUIRED),
        r.in_code_list("region_code", county_codes()),  # a region's time book, never national
        r.in_code_list("status", codes.BOOKING_STATUSES),
        r.in_code_list("contact_type", codes.CONTACT_TYPES),
        r.in_code_list("booking_channel", (*codes.BOOKING_CHANNELS, "unknown")),
        r.in_code_list("care_service", codes.CARE_SERVICES),
        r.in_code_list("cancelled_by", codes.CANCELLED_BY),
        r.in_code_list("reminder", codes.REMINDERS),
        r.not_before("end_time", "start_time"),
        r.not_before("changed_at", "booked_at", severity="warn"),
        r.not_before("cancelled_at", "booked_at", severity="warn"),
        r.volume_near_previous(),
    ]
