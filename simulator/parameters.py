"""Every number that drives behaviour in the simulated world, each with why it has its value.

`ground_truth.json` prints this table (value + description), so whoever reads a
simulated metric can see the assumption behind it; tests read the same object.
Sources for the levels are in ../shared/reference/README.md.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from typing import Any


def param(default: Any, description: str) -> Any:
    """A dataclass field that carries its own description for the ground truth."""
    metadata = {"description": description}
    if isinstance(default, (dict, list)):
        return field(default_factory=lambda: copy.deepcopy(default), metadata=metadata)
    return field(default=default, metadata=metadata)


@dataclass(frozen=True)
class WorldParameters:
    # --- population and units -------------------------------------------------------
    bookings_per_resident_year: float = param(
        9.4,
        "Booked appointments per resident and year nationally (about 100 M bookings / "
        "10.6 M residents). Sets how many residents are simulated for a booking volume.",
    )
    booking_propensity_shape: float = param(
        0.5,
        "Gamma shape of each resident's booking propensity: a low shape makes a few "
        "heavy users and many residents with no booking, as in real utilisation.",
    )
    age_distribution: dict[str, float] = param(
        {"0-9": 0.106, "10-19": 0.119, "20-29": 0.123, "30-39": 0.135, "40-49": 0.126,
         "50-59": 0.126, "60-69": 0.109, "70-79": 0.096, "80-89": 0.049, "90-104": 0.011},
        "Share of residents per 10-year age group (SCB 2024, rounded).",
    )
    female_share_by_age: dict[str, float] = param(
        {"0-9": 0.487, "10-19": 0.486, "20-29": 0.478, "30-39": 0.485, "40-49": 0.49,
         "50-59": 0.493, "60-69": 0.5, "70-79": 0.52, "80-89": 0.58, "90-104": 0.68},
        "Share of women per age group: women outlive men, so the old are mostly women.",
    )
    booking_propensity_by_age: dict[str, float] = param(
        {"0-9": 1.2, "10-19": 0.6, "20-29": 0.8, "30-39": 0.9, "40-49": 0.9,
         "50-59": 1.1, "60-69": 1.4, "70-79": 1.8, "80-89": 2.2, "90-104": 2.2},
        "Relative booking frequency per age group: small children and the old book most.",
    )
    screening_ages: list[int] = param(
        [23, 74],
        "SCREENING (cervical and mammography) is booked by women in this age range.",
    )
    samordningsnummer_share: float = param(
        0.015,
        "Share of residents aged 16-70 identified by a samordningsnummer (day + 60).",
    )
    reservnummer_share: float = param(
        0.005,
        "Share of residents identified by a regional reservnummer (letter in position 9).",
    )
    unit_density_per_100k: dict[str, float] = param(
        {"vardcentral": 11.3, "specialist": 7.5, "vaccination": 1.5, "provtagning": 2.0,
         "barnmorska": 3.0, "mammografi": 0.6, "fysioterapi": 2.5, "psykiatri": 1.8},
        "Care units per 100 000 residents by unit type at unit_fraction 1 (about 1 200 "
        "primary care centres nationally); a region's units are split over the types "
        "by the highest-averages (D'Hondt) method, so small scales keep the big types.",
    )
    unit_capacity: dict[str, float] = param(
        {"vardcentral": 1.0, "specialist": 0.7, "vaccination": 0.6, "provtagning": 0.9,
         "barnmorska": 0.4, "mammografi": 0.8, "fysioterapi": 0.5, "psykiatri": 0.4},
        "Relative booking volume of a unit of each type (a unit's share of its region's "
        "bookings is proportional to this, times a lognormal size factor).",
    )
    unit_size_spread: float = param(
        0.35, "Standard deviation of the log size factor that makes some units busier."
    )
    time_books_per_unit: dict[str, float] = param(
        {"0": 0.25, "1": 0.35, "2": 0.25, "3": 0.15},
        "Distribution of the number of separate time books (child HSA-ids) per care unit; "
        "0 = the unit books directly in its own HSA-id. More books than the unit type "
        "knows are capped at the type's list.",
    )
    closed_time_book_share: float = param(
        0.05,
        "Share of care units that also have an old, closed time book (giltig_tom before "
        "the period) in the catalogue, without bookings.",
    )

    # --- booking volume and timing --------------------------------------------------
    monthly_volume_factor: list[float] = param(
        [1.1, 1.05, 1.0, 0.95, 0.95, 0.85, 0.55, 0.8, 1.0, 1.1, 1.1, 0.9],
        "Relative booking volume per calendar month (January first): summer holidays "
        "halve July, autumn is busiest.",
    )
    vaccination_monthly_factor: list[float] = param(
        [0.8, 0.5, 0.4, 0.4, 0.5, 0.7, 0.6, 0.6, 1.2, 2.5, 2.5, 1.2],
        "Extra seasonal factor for VACCINATION bookings (influenza and covid-19 autumn "
        "campaigns), multiplied with monthly_volume_factor.",
    )
    weekend_factor: dict[str, float] = param(
        {"eservice": 0.45, "phone": 0.0, "front_desk": 0.0, "staff": 0.0, "invitation": 0.0,
         "third_party_app": 0.5},
        "Booking volume on a Saturday or Sunday relative to a weekday, per channel: "
        "only digital channels are open at weekends.",
    )
    booking_hour_profile: dict[str, list[float]] = param(
        {
            "eservice": [0.2, 0.1, 0.05, 0.05, 0.05, 0.2, 0.8, 1.5, 2.0, 2.0, 1.8, 1.6, 1.6,
                         1.5, 1.4, 1.4, 1.5, 1.6, 1.8, 2.0, 2.1, 1.9, 1.2, 0.6],
            "office": [0, 0, 0, 0, 0, 0, 0, 0.3, 3.0, 2.6, 2.2, 1.2, 1.6, 1.8, 1.6, 1.2, 0.6,
                       0, 0, 0, 0, 0, 0, 0],
        },
        "Relative booking volume per hour of day (00-23): digital channels (eservice, "
        "third_party_app) follow the resident's day, the others the clinic's office hours.",
    )
    visit_hours: list[int] = param(
        [480, 990, 15],
        "Appointment slots: first start minute of the day (08:00), last start (16:30) "
        "and slot step in minutes; visits are on weekdays.",
    )
    same_day_min_notice_minutes: int = param(
        30, "A same-day booking starts at least this many minutes after it was made."
    )
    lead_time_band_probabilities: dict[str, list[float]] = param(
        {
            "LAKARBESOK": [0.30, 0.12, 0.28, 0.14, 0.07, 0.04, 0.05],
            "SJUKSKOTERSKA": [0.25, 0.12, 0.30, 0.15, 0.08, 0.04, 0.06],
            "VACCINATION": [0.10, 0.10, 0.40, 0.20, 0.10, 0.05, 0.05],
            "PROVTAGNING": [0.15, 0.15, 0.35, 0.15, 0.08, 0.05, 0.07],
            "SCREENING": [0.00, 0.00, 0.05, 0.10, 0.15, 0.20, 0.50],
            "FYSIOTERAPI": [0.05, 0.08, 0.37, 0.25, 0.12, 0.06, 0.07],
            "PSYKOLOG": [0.02, 0.03, 0.20, 0.25, 0.20, 0.12, 0.18],
            "SPECIALIST": [0.02, 0.03, 0.10, 0.15, 0.15, 0.15, 0.40],
            "ANNAT": [0.10, 0.10, 0.30, 0.20, 0.12, 0.08, 0.10],
            "invitation": [0.00, 0.00, 0.05, 0.15, 0.25, 0.25, 0.30],
        },
        "Probability of each lead-time band (GPAD bands: same day, 1 day, 2-7, 8-14, "
        "15-21, 22-28, 29-120 days) per care service; the day within a band is uniform. "
        "Invitations (Kallelse) use the 'invitation' row. Weekend visit days move to Monday.",
    )

    # --- channels, referrals, reminders ---------------------------------------------
    digital_share: float = param(
        0.22,
        "Baseline probability that a booking is made in a 1177 e-service, before the "
        "care-service multiplier (channel_mix.digital_factor) and the region's multiplier.",
    )
    region_digital_spread: float = param(
        0.25, "Standard deviation of the log of each region's digital multiplier."
    )
    max_digital_share: float = param(0.85, "Upper cap on a booking's 1177 probability.")
    channel_mix: dict[str, dict[str, float]] = param(
        {
            "LAKARBESOK": {"digital_factor": 0.6, "phone": 0.70, "front_desk": 0.10,
                           "staff": 0.17, "invitation": 0.0, "third_party_app": 0.03},
            "SJUKSKOTERSKA": {"digital_factor": 0.6, "phone": 0.60, "front_desk": 0.12,
                              "staff": 0.25, "invitation": 0.0, "third_party_app": 0.03},
            "VACCINATION": {"digital_factor": 2.0, "phone": 0.45, "front_desk": 0.20,
                            "staff": 0.10, "invitation": 0.15, "third_party_app": 0.10},
            "PROVTAGNING": {"digital_factor": 1.6, "phone": 0.30, "front_desk": 0.25,
                            "staff": 0.40, "invitation": 0.0, "third_party_app": 0.05},
            "SCREENING": {"digital_factor": 0.5, "phone": 0.12, "front_desk": 0.03,
                          "staff": 0.0, "invitation": 0.85, "third_party_app": 0.0},
            "FYSIOTERAPI": {"digital_factor": 1.0, "phone": 0.45, "front_desk": 0.15,
                            "staff": 0.35, "invitation": 0.0, "third_party_app": 0.05},
            "PSYKOLOG": {"digital_factor": 0.8, "phone": 0.40, "front_desk": 0.05,
                         "staff": 0.50, "invitation": 0.0, "third_party_app": 0.05},
            "SPECIALIST": {"digital_factor": 0.3, "phone": 0.12, "front_desk": 0.03,
                           "staff": 0.45, "invitation": 0.40, "third_party_app": 0.0},
            "ANNAT": {"digital_factor": 0.6, "phone": 0.50, "front_desk": 0.10,
                      "staff": 0.40, "invitation": 0.0, "third_party_app": 0.0},
        },
        "Per care service: multiplier on digital_share for the 1177 channel, and relative "
        "weights of the other channels sharing the rest.",
    )
    digital_rebooking_share: float = param(
        0.40,
        "Baseline probability that a patient rebooking is done in 1177 (times the region's "
        "digital multiplier); otherwise by phone (80 %) or at the front desk.",
    )
    digital_cancellation_share: float = param(
        0.35,
        "Baseline probability that a patient cancellation is done in 1177 (times the "
        "region's digital multiplier); otherwise by phone (80 %) or at the front desk. "
        "On the cancelled booking_csv row, Kanal is the channel of the cancellation "
        "(the latest action, see tidbok.codes).",
    )
    referral_share: dict[str, float] = param(
        {"LAKARBESOK": 0.08, "SJUKSKOTERSKA": 0.10, "VACCINATION": 0.02, "PROVTAGNING": 0.15,
         "SCREENING": 0.0, "FYSIOTERAPI": 0.30, "PSYKOLOG": 0.35, "SPECIALIST": 0.65,
         "ANNAT": 0.20},
        "Share of bookings per care service made on a referral after an assessment "
        "(Hänvisning filled in).",
    )
    sms_reminder_share_range: list[float] = param(
        [0.55, 0.90],
        "Each region's share of bookings with an SMS reminder is drawn uniformly from this "
        "range (regions differ in SMS adoption).",
    )
    eservice_reminder_share: dict[str, float] = param(
        {"eservice": 0.6, "other": 0.15},
        "Of bookings without SMS, the share reminded by a 1177 notification, for bookings "
        "made in 1177 and for the rest; the remainder get no reminder. Same-day bookings "
        "never get a reminder.",
    )

    # --- cancellations and rebookings -----------------------------------------------
    max_rebookings: int = param(3, "At most this many successive rebookings per care episode.")
    rebooking_probability: list[float] = param(
        [0.03, 0.0015, 0.15],
        "Probability that a booking is rebooked by the patient: base + slope x lead days, "
        "capped (longer waits are moved more often).",
    )
    patient_cancellation_probability: list[float] = param(
        [0.05, 0.002, 0.22],
        "Probability that the patient cancels without rebooking: base + slope x lead days, "
        "capped.",
    )
    provider_cancellation_probability: float = param(
        0.025, "Probability that the clinic cancels a booking (Avbokad av Vårdgivare)."
    )
    late_cancellation_share: float = param(
        0.30,
        "Share of patient cancellations made inside the late-cancellation threshold "
        "(when the booking was made earlier than the threshold).",
    )
    late_cancellation_threshold_hours: dict[str, int] = param(
        {"primary": 24, "specialist": 72},
        "Late-cancellation threshold before start, by care level (Region Jönköpings län's "
        "rule, the default for every region).",
    )

    # --- outcomes ---------------------------------------------------------------------
    no_show_model: dict[str, Any] = param(
        {
            "intercept": -3.35,
            "channel": {"eservice": -0.20, "phone": 0.0, "front_desk": -0.30, "staff": -0.20,
                        "invitation": 0.45, "third_party_app": 0.25},
            "lead_time_band": {"Same Day": -0.90, "1 Day": -0.50, "2 to 7 Days": 0.0,
                               "8  to 14 Days": 0.25, "15  to 21 Days": 0.40,
                               "22  to 28 Days": 0.50, "More than 28 Days": 0.70},
            "reminder": {"sms": 0.0, "eservice": 0.05, "none": 0.40},
            "age_band": {"0-17": 0.10, "18-29": 0.35, "30-49": 0.0, "50-64": -0.20,
                         "65-79": -0.45, "80+": -0.20},
            "contact_type": {"physical": 0.0, "video": 0.15, "phone": 0.20, "home": -1.0},
            "region_effect_sd": 0.20,
        },
        "Logistic model of P(no-show) for a booking that reaches its start: logit p = "
        "intercept + channel + lead_time_band (realised days from booking to visit) + "
        "reminder + age_band (age at period start, tidbok.codes bands) + contact_type + a "
        "normal region effect with sd region_effect_sd (drawn per region, listed in "
        "regions). Reference cell: phone, 2-7 days, SMS, 30-49, physical = 3.4 %. Levels "
        "follow NHS GPAD (1.9 % same day to 9-10 % beyond four weeks), SMS effect about "
        "-34 %.",
    )
    outcome_recording_delay: dict[str, list[float]] = param(
        {"attended": [0.85, 0.12, 0.03], "no_show": [0.55, 0.33, 0.12]},
        "Probability that the outcome is registered the visit day (0-2 h after the end), "
        "1-3 days later, or 4-10 days later (office hours); no-shows are registered later.",
    )
    registration_error_share: float = param(
        0.02,
        "Share of attended visits first registered as Uteblev and corrected to Genomförd "
        "1-5 days later (a third booking_csv version; latest Ändrad wins).",
    )

    # --- the booking_csv delivery -----------------------------------------------------
    cp1252_every_nth_region: int = param(
        3,
        "Default encoding assignment: regions at positions 1, 1+n, 1+2n ... of the sorted "
        "region list deliver Windows-1252 (with CRLF line ends, as Windows exports do), "
        "the others UTF-8 with BOM (LF). Override per region with `encodings`.",
    )
    encodings: dict[str, str] = param(
        {},
        "Explicit encoding per region code ('utf-8-sig' or 'cp1252'), overriding the "
        "default assignment.",
    )
    personnummer_dash_styles: list[float] = param(
        [0.0, 1.0, 0.5],
        "Share of rows where a region writes the personnummer with '-' (YYYYMMDD-NNNC); "
        "each region's system gets one of these, drawn per region.",
    )

    # --- regions: systems, rules, the letter of intent ---------------------------------
    time_book_shapes: dict[str, str] = param(
        {},
        "Which time-book shape each region delivers (booking_csv, booking_events, "
        "booking_fhir, booking_aggregates); a region not listed delivers booking_csv. "
        "Default: every region booking_csv (the spine's end-to-end test reads only CSV); "
        "the 'realistic' preset mixes all four (REALISTIC_TIME_BOOK_SHAPES).",
    )
    letter_of_intent_missing: list[str] = param(
        ["09", "17", "23"],
        "Regions that did not sign the letter of intent (18 of 21 did): none of their "
        "units is onboarded to the new booking services.",
    )
    late_cancellation_threshold_by_region: dict[str, dict[str, int]] = param(
        {},
        "Per-region override of late_cancellation_threshold_hours, e.g. "
        "{'12': {'primary': 12, 'specialist': 48}}; regions not listed use the default.",
    )
    source_system_shares: list[float] = param(
        [0.8, 0.15, 0.05],
        "Each region runs up to this many booking systems (kallsystem, a source of the "
        "aggregating service); a care unit uses system k with the k-th share.",
    )

    # --- the rollout: units going live on the new services -----------------------------
    rollout: dict[str, dict[str, float]] = param(
        {
            "se_bokade_tider": {"live_before": 0.45, "live_during": 0.35, "in_pipeline": 0.10},
            "avboka": {"live_before": 0.30, "live_during": 0.40, "in_pipeline": 0.10},
            "omboka": {"live_before": 0.15, "live_during": 0.40, "in_pipeline": 0.15},
            "boka": {"live_before": 0.10, "live_during": 0.40, "in_pipeline": 0.15},
        },
        "Per service, the share of care units (in regions that signed the letter of "
        "intent) live before the period, going live during it (staggered), applied but not "
        "live at the cutoff (the onboarding pipeline); the rest never applied. One readiness "
        "draw per unit orders the services, so a unit live on boka is live on the others.",
    )
    rollout_region_start_spread: float = param(
        0.4,
        "Regions start their onboarding wave at a uniform point in the first "
        "rollout_region_start_spread of the period; units going live during the period do "
        "so between their region's start and the end of the period.",
    )
    onboarding_days: dict[str, list[int]] = param(
        {"application_to_test": [14, 90], "test_to_production": [7, 45]},
        "Days from application (ansokan_datum) to test and from test to production, "
        "uniform in these ranges.",
    )
    time_book_connected_share: float = param(
        0.85,
        "Share of a connected unit's separate time books that are connected too (the first "
        "time book always is): bookings in the others are invisible (the 'multiple time "
        "books per clinic' gap).",
    )
    connection_ended_share: float = param(
        0.01, "Share of live connections that end (avslutad_datum) during the period."
    )

    # --- the natural experiment: planted effects of going live --------------------------
    planted_effects: dict[str, dict[str, Any]] = param(
        {
            "no_show": {"service": "avboka", "logit": -0.30},
            "late_cancellation": {"service": "avboka", "relative": -0.30},
            "booking_lookup_calls": {"service": "se_bokade_tider", "relative": -0.45},
        },
        "Effects of a unit being live on `service`: no_show adds `logit` to the no-show logit "
        "of visits starting while live; late_cancellation multiplies the probability that a "
        "patient cancellation is late by (1 + relative) when cancelled while live; "
        "booking_lookup_calls multiplies calls about an existing booking made while live by "
        "(1 + relative). The 'no_effect' preset sets them to 0; ground_truth.json reports the "
        "realised average effect on the treated (ATT) of each.",
    )
    digital_shift: dict[str, dict[str, Any]] = param(
        {
            "booking": {"service": "boka", "uplift": 0.20, "ramp_months": 6},
            "rebooking": {"service": "omboka", "uplift": 0.25, "ramp_months": 6},
            "cancellation": {"service": "avboka", "uplift": 0.25, "ramp_months": 6},
        },
        "Going live shifts actions to 1177 over time: a booking made (or a rebooking or "
        "patient cancellation done) while the unit is live on `service` moves from phone or "
        "front desk to 1177 with probability uplift x min(1, months since go-live / "
        "ramp_months).",
    )

    # --- the aggregation layer ------------------------------------------------------------
    ei_miss_share: float = param(
        0.03,
        "Share of bookings in indexed time books whose Engagemangsindex update never reached "
        "the index (no record: invisible unless another indexed booking of the resident at "
        "the same unit makes the aggregator call it). Bookings of residents with a "
        "reservnummer are never indexed (EI needs a national identity number).",
    )
    source_failure_rates: dict[str, float] = param(
        {"error": 0.010, "timeout": 0.015, "spread": 0.5},
        "Probability that an aggregator call to a source system returns ERROR or TIMEOUT; "
        "each system's rates are these times a lognormal factor with sd `spread`.",
    )
    source_latency_ms: dict[str, float] = param(
        {"median": 350.0, "sigma": 0.6, "system_sigma": 0.35, "timeout_ms": 10000.0},
        "Response time of a successful source call: lognormal with this median (times a "
        "per-system lognormal factor) and sigma, capped below the timeout; a TIMEOUT reports "
        "timeout_ms.",
    )
    hidden_time_type_share: float = param(
        0.08,
        "Probability that a region hides a time type from Bokade tider (HIDDEN_TIME_TYPE); "
        "drawn per region and time type.",
    )
    no_reception_relation_share: dict[str, float] = param(
        {"primary": 0.12, "specialist": 0.30},
        "Share of resident-unit pairs without a registered reception relation "
        "(mottagningsrelation); while their region still requires one, such bookings are "
        "hidden (NO_RECEPTION_RELATION).",
    )
    reception_relation_lifted: dict[str, float] = param(
        {"before": 0.25, "during": 0.50},
        "Share of letter-of-intent regions that dropped the reception-relation requirement "
        "before the period, and during it (on a uniform day); the others still require it.",
    )
    bokade_tider_views_per_booking: float = param(
        0.25,
        "Expected views of Bokade tider triggered by each upcoming booking (Poisson), made "
        "by residents aged view_min_age or more with a personnummer or samordningsnummer "
        "(1177 needs e-identification), at a uniform time while the booking is upcoming.",
    )
    view_digital_factor: float = param(
        1.6, "Multiplier on views for bookings made in 1177 (their residents look more)."
    )
    view_min_age: int = param(16, "Residents younger than this do not log in to 1177.")

    # --- phone calls ----------------------------------------------------------------------
    lookup_calls_per_booking: float = param(
        0.10,
        "Expected phone calls about an existing booking ('Fråga om bokad tid') per booking "
        "while it is upcoming, before the planted effect; placed in office hours.",
    )
    failed_booking_calls_per_phone_booking: float = param(
        0.15, "Calls to book (Ärende Boka) that end without a booking, per phone booking."
    )
    phone_abandon_share: float = param(
        0.10,
        "Share of offered calls abandoned in the queue: offered = answered / (1 - share), "
        "drawn per queue row.",
    )
    callback_share: float = param(
        0.20, "Share of answered calls handled as a call-back (Återuppringningar)."
    )
    background_calls_per_booking: dict[str, float] = param(
        {"Rådgivning": 0.28, "Övrigt": 0.07},
        "Calls not about a booking, by Ärende, per booking of the unit (spread over the "
        "weekdays in proportion to the unit's share of its region's bookings): with the "
        "booking calls about 0.6 calls per booking, in line with about 2 million calls a "
        "month to primary care (SKR).",
    )
    phone_seconds: dict[str, Any] = param(
        {"wait_median": 240.0, "wait_sigma": 0.45,
         "talk": {"Boka": 210.0, "Omboka": 160.0, "Avboka": 95.0, "Fråga om bokad tid": 85.0,
                  "Rådgivning": 420.0, "Övrigt": 150.0}},
        "Average wait (lognormal per unit-day-queue row) and average talk time per Ärende.",
    )

    # --- the 1177 e-services --------------------------------------------------------------
    eservice: dict[str, float] = param(
        {"booking_completion": 0.82, "book_again_share": 0.18, "calendar_share": 0.12,
         "view_history_share": 0.25, "triage_sessions_per_digital_referral": 2.5,
         "referral_after_triage": 0.35, "too_late_cancel_attempt_share": 0.30,
         "cancel_not_allowed_attempt_share": 0.05, "jump_out_dead_end_share": 0.20,
         "extra_jump_outs_per_third_party_booking": 0.40},
        "E-service behaviour: share of started digital bookings completed (the rest are "
        "abandoned sessions); share started from a past booking; share added to the "
        "resident's calendar; share of views that also open the history; triage sessions per "
        "digital referral booking and the share of other triage sessions that issue a "
        "referral; share of late phone cancellations preceded by a rejected 1177 attempt "
        "(TOO_LATE_TO_CANCEL_APPOINTMENT) and of cancellations at units not live on avboka "
        "preceded by CANCEL_IS_NOT_ALLOWED; share of jumps to an external booking service "
        "with no return (dead ends); jumps out without a booking per third-party booking.",
    )
    auth_methods: dict[str, dict[str, float]] = param(
        {"16-29": {"bankid_mobile": 0.93, "bankid_file": 0.01, "freja": 0.05, "other": 0.01},
         "30-64": {"bankid_mobile": 0.88, "bankid_file": 0.05, "freja": 0.05, "other": 0.02},
         "65+": {"bankid_mobile": 0.72, "bankid_file": 0.17, "freja": 0.06, "other": 0.05}},
        "Authentication method of an e-service session by the resident's age.",
    )

    # --- capacity and slots ---------------------------------------------------------------
    slot_utilisation: list[float] = param(
        [0.78, 0.97],
        "Booked share of a time book's slots on a day, uniform per unit in this range: "
        "Antal tider = ceil(booked / utilisation).",
    )
    web_bookable_share: dict[str, float] = param(
        {"low": 0.10, "high": 0.40, "uplift_when_boka_live": 0.25},
        "Share of slots open for booking in 1177 (Webbokningsbara): per unit uniform in "
        "[low, high], plus the uplift while the unit is live on boka.",
    )
    slot_refill: dict[str, float] = param(
        {"max": 0.55, "hours_scale": 48.0, "min_hours": 2.0},
        "A slot freed by a cancellation at least min_hours before the start is re-booked by "
        "another resident with probability max x (1 - exp(-hours left / hours_scale)).",
    )

    # --- messy data -----------------------------------------------------------------------
    defect_rate: float = param(
        0.0,
        "Rate of every defect kind (simulator/defects.py) unless `defects` overrides it: per "
        "row or event for row defects, per file for file defects, per registered outcome for "
        "late_outcome. 0 = clean files (the default).",
    )
    defects: dict[str, float] = param(
        {},
        "Per-kind rates overriding defect_rate, e.g. {'truncated_file': 0.02}. A kind with a "
        "rate above 0 is injected at least once.",
    )

    def describe(self) -> dict[str, dict[str, Any]]:
        """Every parameter as {name: {value, description}} for the ground truth."""
        return {
            f.name: {"value": copy.deepcopy(getattr(self, f.name)),
                     "description": f.metadata["description"]}
            for f in dataclasses.fields(self)
        }

    def replace(self, **changes: Any) -> WorldParameters:
        return dataclasses.replace(self, **changes)


# Which booking system shape each region delivers in the 'realistic' preset: most
# regions export CSV, a few stream events or FHIR, two can only send monthly counts.
REALISTIC_TIME_BOOK_SHAPES: dict[str, str] = {
    "01": "booking_events", "21": "booking_events", "22": "booking_events",
    "14": "booking_fhir", "24": "booking_fhir", "25": "booking_fhir",
    "09": "booking_aggregates", "23": "booking_aggregates",
}
TIME_BOOK_SHAPES = ("booking_csv", "booking_events", "booking_fhir", "booking_aggregates")

PRESETS: dict[str, dict[str, Any]] = {
    "clean": {},
    "realistic": {"time_book_shapes": REALISTIC_TIME_BOOK_SHAPES},
    "messy": {"time_book_shapes": REALISTIC_TIME_BOOK_SHAPES, "defect_rate": 0.01},
    "no_effect": {"planted_effects": {
        "no_show": {"service": "avboka", "logit": 0.0},
        "late_cancellation": {"service": "avboka", "relative": 0.0},
        "booking_lookup_calls": {"service": "se_bokade_tider", "relative": 0.0},
    }},
}


def preset(*names: str, **overrides: Any) -> WorldParameters:
    """Parameters of named presets applied left to right, then `overrides`:
    `preset("messy")`, `preset("realistic", "no_effect", defect_rate=0.002)`."""
    changes: dict[str, Any] = {}
    for name in names:
        try:
            changes.update(copy.deepcopy(PRESETS[name]))
        except KeyError:
            raise ValueError(f"unknown preset {name!r}; known: {', '.join(PRESETS)}") from None
    changes.update(overrides)
    return WorldParameters(**changes)
