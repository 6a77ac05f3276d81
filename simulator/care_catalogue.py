"""What care looks like in the simulated regions: unit types, care services, time types.

These are descriptive catalogues (names, codes, durations); the numbers that
drive behaviour (shares, probabilities) live in `parameters.py` so that the
ground truth can print them.
"""

from __future__ import annotations

from typing import NamedTuple

from tidbok.codes import CARE_SERVICES, CSV_CHANNEL, CSV_CONTACT_TYPE

# Index order of the arrays in the world model: position in these tuples.
SERVICES: tuple[str, ...] = CARE_SERVICES
SERVICE_INDEX = {code: i for i, code in enumerate(SERVICES)}

# booking_csv labels in canonical order, so that an integer channel code indexes both.
CHANNELS: tuple[str, ...] = tuple(CSV_CHANNEL.values())  # canonical codes
CHANNEL_INDEX = {code: i for i, code in enumerate(CHANNELS)}
CSV_CHANNEL_LABEL: tuple[str, ...] = tuple(CSV_CHANNEL)  # "1177", "Telefon", ...

CONTACT_TYPES: tuple[str, ...] = tuple(CSV_CONTACT_TYPE.values())
CSV_CONTACT_LABEL: tuple[str, ...] = tuple(CSV_CONTACT_TYPE)
CONTACT_INDEX = {code: i for i, code in enumerate(CONTACT_TYPES)}

REMINDERS: tuple[str, ...] = ("sms", "eservice", "none")
CSV_REMINDER_LABEL: tuple[str, ...] = ("SMS", "1177", "Ingen")

# The lead-time bands of NHS GPAD (SOURCES.md 1d): index = band, (first, last day).
LEAD_TIME_BANDS: tuple[tuple[str, int, int], ...] = (
    ("Same Day", 0, 0),
    ("1 Day", 1, 1),
    ("2 to 7 Days", 2, 7),
    ("8  to 14 Days", 8, 14),
    ("15  to 21 Days", 15, 21),
    ("22  to 28 Days", 22, 28),
    ("More than 28 Days", 29, 120),
)


class TimeType(NamedTuple):
    code: str
    name: str
    service: str
    contact: str  # canonical contact type
    minutes: int
    weight: float  # relative frequency within its care service


TIME_TYPES: tuple[TimeType, ...] = (
    TimeType("LAK20", "Läkarbesök", "LAKARBESOK", "physical", 20, 0.50),
    TimeType("LAKAKUT", "Akut läkartid", "LAKARBESOK", "physical", 20, 0.20),
    TimeType("LAKVID", "Videobesök läkare", "LAKARBESOK", "video", 15, 0.12),
    TimeType("LAKTEL", "Telefontid läkare", "LAKARBESOK", "phone", 10, 0.13),
    TimeType("LAKHEM", "Hembesök läkare", "LAKARBESOK", "home", 45, 0.05),
    TimeType("SSKBES", "Sjuksköterskebesök", "SJUKSKOTERSKA", "physical", 20, 0.55),
    TimeType("SSKSAR", "Såromläggning", "SJUKSKOTERSKA", "physical", 30, 0.15),
    TimeType("SSKTEL", "Telefonrådgivning sjuksköterska", "SJUKSKOTERSKA", "phone", 10, 0.20),
    TimeType("DSKHEM", "Hembesök distriktssköterska", "SJUKSKOTERSKA", "home", 30, 0.10),
    TimeType("VACINF", "Vaccination influensa", "VACCINATION", "physical", 10, 0.45),
    TimeType("VACCOV", "Vaccination covid-19", "VACCINATION", "physical", 10, 0.30),
    TimeType("VACRES", "Resevaccination", "VACCINATION", "physical", 20, 0.15),
    TimeType("VACTBE", "Vaccination TBE", "VACCINATION", "physical", 10, 0.10),
    TimeType("PROVBL", "Provtagning blod", "PROVTAGNING", "physical", 10, 0.75),
    TimeType("PROVEKG", "EKG", "PROVTAGNING", "physical", 20, 0.15),
    TimeType("PROVOVR", "Provtagning övrigt", "PROVTAGNING", "physical", 10, 0.10),
    TimeType("SCRCELL", "Cellprovtagning", "SCREENING", "physical", 15, 0.60),
    TimeType("SCRMAM", "Mammografi", "SCREENING", "physical", 15, 0.40),
    TimeType("FYSNY", "Fysioterapi nybesök", "FYSIOTERAPI", "physical", 45, 0.35),
    TimeType("FYSATB", "Fysioterapi återbesök", "FYSIOTERAPI", "physical", 30, 0.55),
    TimeType("FYSVID", "Videobesök fysioterapeut", "FYSIOTERAPI", "video", 30, 0.10),
    TimeType("PSYNY", "Psykolog nybesök", "PSYKOLOG", "physical", 60, 0.30),
    TimeType("PSYATB", "Psykologsamtal", "PSYKOLOG", "physical", 45, 0.50),
    TimeType("PSYVID", "Videosamtal psykolog", "PSYKOLOG", "video", 45, 0.20),
    TimeType("SPENY", "Nybesök specialist", "SPECIALIST", "physical", 30, 0.35),
    TimeType("SPEATB", "Återbesök specialist", "SPECIALIST", "physical", 20, 0.45),
    TimeType("SPETEL", "Telefonuppföljning", "SPECIALIST", "phone", 15, 0.12),
    TimeType("SPEVID", "Videobesök specialist", "SPECIALIST", "video", 20, 0.08),
    TimeType("ANNKUR", "Kuratorssamtal", "ANNAT", "physical", 45, 0.40),
    TimeType("ANNDIE", "Dietistbesök", "ANNAT", "physical", 30, 0.30),
    TimeType("ANNINT", "Intygsbesök", "ANNAT", "physical", 30, 0.30),
)


class UnitType(NamedTuple):
    key: str
    enhetstyp: str  # as written in hsa_units
    name_prefix: str  # "" = chosen per unit (specialist clinics take a specialty)
    specialist_care: bool  # decides the late-cancellation threshold (24 h vs 72 h)
    # Care services offered and their share of the unit's bookings.
    service_mix: dict[str, float]
    # Time types restricted for a service at this kind of unit (e.g. mammography
    # only at a mammography unit); other services use every time type of the service.
    time_type_override: dict[str, tuple[str, ...]]
    # Time books the unit may split its calendar into, in the order they are
    # created, each with the care services it takes; services not listed go to
    # the first time book.
    time_books: tuple[tuple[str, frozenset[str]], ...]


UNIT_TYPES: tuple[UnitType, ...] = (
    UnitType(
        "vardcentral", "Vårdcentral", "Vårdcentralen", False,
        {"LAKARBESOK": 0.40, "SJUKSKOTERSKA": 0.24, "PROVTAGNING": 0.12, "VACCINATION": 0.08,
         "FYSIOTERAPI": 0.06, "PSYKOLOG": 0.05, "SCREENING": 0.02, "ANNAT": 0.03},
        {"SCREENING": ("SCRCELL",)},
        (("Läkarmottagning", frozenset({"LAKARBESOK", "PSYKOLOG", "ANNAT"})),
         ("Sjuksköterskemottagning", frozenset({"SJUKSKOTERSKA", "VACCINATION", "SCREENING"})),
         ("Laboratorium", frozenset({"PROVTAGNING"})),
         ("Rehabilitering", frozenset({"FYSIOTERAPI"}))),
    ),
    UnitType(
        "specialist", "Specialistmottagning", "", True,
        {"SPECIALIST": 0.72, "SJUKSKOTERSKA": 0.14, "PROVTAGNING": 0.05, "FYSIOTERAPI": 0.04,
         "ANNAT": 0.05},
        {},
        (("Mottagning", frozenset({"SPECIALIST", "ANNAT"})),
         ("Sjuksköterskemottagning", frozenset({"SJUKSKOTERSKA"})),
         ("Provtagning", frozenset({"PROVTAGNING"}))),
    ),
    UnitType(
        "vaccination", "Vaccinationsmottagning", "Vaccinationsmottagningen", False,
        {"VACCINATION": 1.0}, {},
        (("Vaccination", frozenset({"VACCINATION"})),),
    ),
    UnitType(
        "provtagning", "Provtagningsmottagning", "Provtagningen", False,
        {"PROVTAGNING": 1.0}, {},
        (("Provtagning", frozenset({"PROVTAGNING"})),),
    ),
    UnitType(
        "barnmorska", "Barnmorskemottagning", "Barnmorskemottagningen", False,
        {"SCREENING": 0.55, "SJUKSKOTERSKA": 0.30, "ANNAT": 0.15},
        {"SCREENING": ("SCRCELL",)},
        (("Barnmorskemottagning", frozenset({"SJUKSKOTERSKA", "ANNAT"})),
         ("Cellprovtagning", frozenset({"SCREENING"}))),
    ),
    UnitType(
        "mammografi", "Mammografimottagning", "Mammografin", True,
        {"SCREENING": 1.0}, {"SCREENING": ("SCRMAM",)},
        (("Mammografi", frozenset({"SCREENING"})),),
    ),
    UnitType(
        "fysioterapi", "Fysioterapimottagning", "Fysioterapin", False,
        {"FYSIOTERAPI": 1.0}, {},
        (("Fysioterapi", frozenset({"FYSIOTERAPI"})),),
    ),
    UnitType(
        "psykiatri", "Psykiatrisk mottagning", "Psykiatriska mottagningen", True,
        {"PSYKOLOG": 0.55, "SPECIALIST": 0.30, "SJUKSKOTERSKA": 0.15}, {},
        (("Mottagning", frozenset({"PSYKOLOG", "SPECIALIST"})),
         ("Sjuksköterskemottagning", frozenset({"SJUKSKOTERSKA"}))),
    ),
)
UNIT_TYPE_INDEX = {unit_type.key: i for i, unit_type in enumerate(UNIT_TYPES)}

SPECIALTY_CLINICS: tuple[str, ...] = (
    "Ortopedmottagningen", "Hudmottagningen", "Ögonmottagningen",
    "Öron-näsa-halsmottagningen", "Hjärtmottagningen", "Kirurgmottagningen",
    "Urologmottagningen", "Neurologmottagningen", "Reumatologmottagningen",
    "Barn- och ungdomsmottagningen", "Medicinmottagningen", "Gynekologmottagningen",
    "Endokrinmottagningen",
)

# Cancellation reasons as free text, the way booking systems store them.
REBOOKING_REASON = "Ombokad av patient"
PATIENT_CANCEL_REASONS: tuple[str, ...] = (
    "Förhinder", "Sjuk", "Tiden passar inte", "Besvären har gått över",
    "Har fått hjälp på annat håll",
)
PROVIDER_CANCEL_REASONS: tuple[str, ...] = (
    "Behandlare sjuk", "Personalbrist", "Fel vårdnivå", "Dubbelbokning", "Ändrat schema",
)

# Care service names as 1177 shows them (careTypeName in crm:scheduling).
SERVICE_NAMES: dict[str, str] = {
    "LAKARBESOK": "Läkarbesök", "SJUKSKOTERSKA": "Sjuksköterskebesök",
    "VACCINATION": "Vaccination", "PROVTAGNING": "Provtagning", "SCREENING": "Screening",
    "FYSIOTERAPI": "Fysioterapi", "PSYKOLOG": "Psykolog", "SPECIALIST": "Specialistvård",
    "ANNAT": "Annat besök",
}
