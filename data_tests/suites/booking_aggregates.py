"""`booking_counts`: appointments counted per unit, month and GPAD dimensions
(SOURCES.md 1d), from regions' aggregate files or NHS England's benchmark."""

from __future__ import annotations

from data_tests import rules as r

SOURCE_FORMATS = ("tidbok", "nhs_gpad")


def booking_counts() -> list[r.Rule]:
    from ingestion.feeds import booking_aggregates as gpad

    return [
        *(r.not_null(column) for column in (
            "region_code", "unit_id", "month", "appt_status", "hcp_type", "appt_mode",
            "lead_time_band", "appointment_count", "source_format")),
        r.in_code_list("appt_status", gpad.APPT_STATUS.values()),
        r.in_code_list("hcp_type", gpad.HCP_TYPE.values()),
        r.in_code_list("appt_mode", gpad.APPT_MODE.values()),
        r.in_code_list("lead_time_band", gpad.LEAD_TIME_BANDS),
        r.in_code_list("booking_channel", gpad.BOOKING_CHANNEL.values()),
        r.in_code_list("source_format", SOURCE_FORMATS),
        r.between("appointment_count", 0, None, severity="block"),
    ]


SUITES = {"booking_counts": booking_counts}
