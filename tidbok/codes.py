"""Canonical code lists shared by ingestion, models, API and dashboards.

Codes are English (DESIGN.md decision 9); Swedish labels for display live beside them.
"""

from __future__ import annotations

# Booking channel: how the booking (or its latest action) was made.
BOOKING_CHANNELS = ("eservice", "phone", "front_desk", "staff", "invitation", "third_party_app")
# booking_csv `Kanal` -> canonical channel
CSV_CHANNEL = {
    "1177": "eservice",
    "Telefon": "phone",
    "Reception": "front_desk",
    "Vårdpersonal": "staff",
    "Kallelse": "invitation",
    "Extern app": "third_party_app",
}
CHANNEL_LABEL_SV = {
    "eservice": "1177 (digitalt)",
    "phone": "Telefon",
    "front_desk": "Reception",
    "staff": "Vårdpersonal",
    "invitation": "Kallelse",
    "third_party_app": "Extern app",
    "unknown": "Okänd",
}
CHANNEL_LABEL_EN = {
    "eservice": "1177 (digital)",
    "phone": "Phone",
    "front_desk": "Front desk",
    "staff": "Care staff",
    "invitation": "Invitation",
    "third_party_app": "External app",
    "unknown": "Unknown",
}

# Booking status in the canonical model.
BOOKING_STATUSES = ("booked", "cancelled", "attended", "no_show")
CSV_STATUS = {"Bokad": "booked", "Avbokad": "cancelled", "Genomförd": "attended", "Uteblev": "no_show"}

CONTACT_TYPES = ("physical", "video", "phone", "home")
CSV_CONTACT_TYPE = {
    "Fysiskt besök": "physical",
    "Videobesök": "video",
    "Telefonkontakt": "phone",
    "Hembesök": "home",
}

CARE_SERVICES = (
    "LAKARBESOK", "SJUKSKOTERSKA", "VACCINATION", "PROVTAGNING", "SCREENING",
    "FYSIOTERAPI", "PSYKOLOG", "SPECIALIST", "ANNAT",
)

CANCELLED_BY = ("patient", "provider")
CSV_CANCELLED_BY = {"Patient": "patient", "Vårdgivare": "provider"}

REMINDERS = ("sms", "eservice", "none")
CSV_REMINDER = {"SMS": "sms", "1177": "eservice", "Ingen": "none"}

# Age bands used everywhere (population, uptake, no-shows by age).
AGE_BANDS = ((0, 17, "0-17"), (18, 29, "18-29"), (30, 49, "30-49"), (50, 64, "50-64"),
             (65, 79, "65-79"), (80, 200, "80+"))


def age_band(age: int | None) -> str | None:
    if age is None or age < 0:
        return None
    for low, high, label in AGE_BANDS:
        if low <= age <= high:
            return label
    return None
