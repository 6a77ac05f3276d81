"""FHIR R4 Appointment: the rules of the standard that matter to a booking, and
the flattening of one resource into the fields the booking feed reads.

Structure is checked here, per resource (JSON types, cardinality, known
elements, the participants we need); code lists and formats are checked
vectorised by the adapter (`ingestion.feeds.booking_fhir`). Messages name the
element and never quote a value.
"""

from __future__ import annotations

import re

# http://hl7.org/fhir/R4/appointment.html: the elements of an Appointment.
APPOINTMENT_ELEMENTS = frozenset({
    "resourceType", "id", "meta", "implicitRules", "language", "text", "contained", "extension",
    "modifierExtension", "identifier", "status", "cancelationReason", "serviceCategory",
    "serviceType", "specialty", "appointmentType", "reasonCode", "reasonReference", "priority",
    "description", "supportingInformation", "start", "end", "minutesDuration", "slot", "created",
    "comment", "patientInstruction", "basedOn", "participant", "requestedPeriod",
})
# AppointmentStatus (required binding).
STATUSES = ("proposed", "pending", "booked", "arrived", "fulfilled", "cancelled", "noshow",
            "entered-in-error", "checked-in", "waitlist")
# ParticipationStatus (required binding).
PARTICIPANT_STATUSES = ("accepted", "declined", "tentative", "needs-action")

CANCELLATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason"
CANCELLATION_REASONS = (
    "pat", "pat-crs", "pat-cpp", "pat-dec", "pat-fb", "pat-lt", "pat-mt", "pat-mv", "pat-preg",
    "pat-swl", "pat-ucp",
    "prov", "prov-pers", "prov-dch", "prov-edu", "prov-hosp", "prov-labs", "prov-mri", "prov-onc",
    "maint", "meds-inc", "other", "oth-cms", "oth-err", "oth-fin", "oth-iv", "oth-int", "oth-mu",
    "oth-room", "oth-oerr", "oth-swie", "oth-weath",
)
APPOINTMENT_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v2-0276"
APPOINTMENT_TYPES = ("CHECKUP", "EMERGENCY", "FOLLOWUP", "ROUTINE", "WALKIN")

PERSONNUMMER_SYSTEM = "urn:oid:1.2.752.129.2.1.3.1"
SAMORDNINGSNUMMER_SYSTEM = "urn:oid:1.2.752.129.2.1.3.3"
PATIENT_SYSTEMS = {PERSONNUMMER_SYSTEM: "personnummer",
                   SAMORDNINGSNUMMER_SYSTEM: "samordningsnummer"}
HSA_SYSTEM = "urn:oid:1.2.752.129.2.1.4.1"
CHANNEL_EXTENSION = "urn:tidbok:booking-channel"
CONTACT_TYPE_EXTENSION = "urn:tidbok:contact-type"

_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")

# The flat record of one Appointment; every value a string or None.
FLAT_FIELDS = (
    "resourceType", "id", "versionId", "lastUpdated", "status", "cancelationReason",
    "serviceType", "appointmentType", "start", "end", "created", "patientSystem", "patientId",
    "location", "healthcareService", "bookingChannel", "contactType", "basedOn",
)
# Where each flat field is in the resource, as quarantine reasons name it.
ELEMENT = {
    **{name: name for name in FLAT_FIELDS},
    "versionId": "meta.versionId", "lastUpdated": "meta.lastUpdated",
    "cancelationReason": "cancelationReason.coding.code",
    "serviceType": "serviceType.coding.code", "appointmentType": "appointmentType.coding.code",
    "patientSystem": "participant(Patient).identifier.system",
    "patientId": "participant(Patient).identifier.value",
    "location": "participant(Location).identifier.value",
    "healthcareService": "participant(HealthcareService).identifier.value",
    "bookingChannel": f"extension({CHANNEL_EXTENSION}).valueCode",
    "contactType": f"extension({CONTACT_TYPE_EXTENSION}).valueCode",
}


class _Check:
    """Collects "element: problem" messages while reading a resource."""

    def __init__(self):
        self.errors: list[str] = []

    def fail(self, path: str, problem: str) -> None:
        self.errors.append(f"{path}: {problem}")

    def obj(self, value, path: str) -> dict | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            self.fail(path, "expected an object")
            return None
        return value

    def array(self, value, path: str) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(path, "expected an array")
            return []
        return value

    def text(self, value, path: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(path, "expected a string")
            return None
        return value


def _coding_code(concept: dict | None, path: str, system: str | None, check: _Check) -> str | None:
    """The code of the concept's coding from `system` (any system when None)."""
    if concept is None:
        return None
    for i, coding in enumerate(check.array(concept.get("coding"), f"{path}.coding")):
        coding = check.obj(coding, f"{path}.coding[{i}]")
        if coding is None:
            continue
        if system is None or coding.get("system") == system:
            return check.text(coding.get("code"), f"{path}.coding[{i}].code")
    check.fail(path, f"no coding from {system}" if system else "no coding")
    return None


def _actor_kind(actor: dict) -> str | None:
    kind = actor.get("type")
    if isinstance(kind, str):
        return kind
    reference = actor.get("reference")
    if isinstance(reference, str) and "/" in reference:
        return reference.split("/")[-2]
    return None


def _participants(resource: dict, flat: dict, check: _Check) -> None:
    participants = check.array(resource.get("participant"), "participant")
    if not participants:
        check.fail("participant", "missing (an Appointment has at least one participant)")
        return
    found: dict[str, list[tuple[str | None, str | None]]] = {
        "Patient": [], "Location": [], "HealthcareService": []}
    for i, item in enumerate(participants):
        path = f"participant[{i}]"
        item = check.obj(item, path)
        if item is None:
            continue
        status = check.text(item.get("status"), f"{path}.status")
        if status is None:
            check.fail(f"{path}.status", "missing")
        elif status not in PARTICIPANT_STATUSES:
            check.fail(f"{path}.status", "not one of " + ", ".join(PARTICIPANT_STATUSES))
        actor = check.obj(item.get("actor"), f"{path}.actor")
        if actor is None:
            if item.get("type") is None:
                check.fail(path, "neither type nor actor (R4 app-1)")
            continue
        identifier = check.obj(actor.get("identifier"), f"{path}.actor.identifier") or {}
        system = check.text(identifier.get("system"), f"{path}.actor.identifier.system")
        value = check.text(identifier.get("value"), f"{path}.actor.identifier.value")
        kind = "Patient" if system in PATIENT_SYSTEMS else _actor_kind(actor)
        if kind in found:
            found[kind].append((system, value))
    _one_patient(found["Patient"], flat, check)
    flat["location"] = _one_hsa_id(found["Location"], "Location", "the care unit", check)
    flat["healthcareService"] = _one_hsa_id(found["HealthcareService"], "HealthcareService",
                                            "the time book", check)


def _one_patient(patients: list, flat: dict, check: _Check) -> None:
    if len(patients) != 1:
        check.fail("participant", "no patient" if not patients else "more than one patient")
        return
    system, value = patients[0]
    if system not in PATIENT_SYSTEMS:
        check.fail("participant(Patient).identifier.system",
                   f"a patient is identified by {PERSONNUMMER_SYSTEM} (personnummer) or "
                   f"{SAMORDNINGSNUMMER_SYSTEM} (samordningsnummer)")
    elif value is None:
        check.fail("participant(Patient).identifier.value", "missing")
    flat["patientSystem"], flat["patientId"] = system, value


def _one_hsa_id(actors: list, kind: str, meaning: str, check: _Check) -> str | None:
    if len(actors) != 1:
        check.fail("participant", f"no {kind} ({meaning})" if not actors
                   else f"more than one {kind}")
        return None
    system, value = actors[0]
    if system != HSA_SYSTEM:
        check.fail(f"participant({kind}).identifier.system", f"not {HSA_SYSTEM} (HSA-id)")
        return None
    if value is None:
        check.fail(f"participant({kind}).identifier.value", "missing")
    return value


def _extensions(resource: dict, flat: dict, check: _Check) -> None:
    for i, item in enumerate(check.array(resource.get("extension"), "extension")):
        item = check.obj(item, f"extension[{i}]")
        if item is None:
            continue
        url = check.text(item.get("url"), f"extension[{i}].url")
        if url is None:
            check.fail(f"extension[{i}].url", "missing")
        elif url in (CHANNEL_EXTENSION, CONTACT_TYPE_EXTENSION):
            key = "bookingChannel" if url == CHANNEL_EXTENSION else "contactType"
            flat[key] = check.text(item.get("valueCode"), f"extension[{i}].valueCode")
            if flat[key] is None:
                check.fail(f"extension[{i}].valueCode", "missing")


def _referral(resource: dict, check: _Check) -> str | None:
    referral = None
    for i, item in enumerate(check.array(resource.get("basedOn"), "basedOn")):
        item = check.obj(item, f"basedOn[{i}]")
        if item is None:
            continue
        if _actor_kind(item) != "ServiceRequest":
            check.fail(f"basedOn[{i}]", "not a ServiceRequest reference")
            continue
        identifier = check.obj(item.get("identifier"), f"basedOn[{i}].identifier") or {}
        value = check.text(identifier.get("value"), f"basedOn[{i}].identifier.value")
        reference = check.text(item.get("reference"), f"basedOn[{i}].reference")
        referral = referral or value or (reference.split("/")[-1] if reference else None)
    return referral


def flatten_appointment(resource: dict) -> tuple[dict[str, str | None], list[str]]:
    """The flat record of one resource and everything structurally wrong with it."""
    check = _Check()
    flat: dict[str, str | None] = dict.fromkeys(FLAT_FIELDS)
    flat["resourceType"] = resource.get("resourceType") if isinstance(
        resource.get("resourceType"), str) else None
    if flat["resourceType"] != "Appointment":
        check.fail("resourceType", "not Appointment")
        return flat, check.errors
    for name, value in resource.items():
        base = name[1:] if name.startswith("_") else name
        if base not in APPOINTMENT_ELEMENTS:
            check.fail(name[:40], "not an element of an R4 Appointment")
        elif value is None or value == [] or value == {}:
            check.fail(name, "null or empty (not allowed in FHIR JSON)")
    if resource.get("modifierExtension"):
        check.fail("modifierExtension", "not understood, so the resource cannot be used (R4)")
    flat["id"] = check.text(resource.get("id"), "id")
    if flat["id"] is None:
        check.fail("id", "missing")
    elif not _ID.match(flat["id"]):
        check.fail("id", "not an R4 id ([A-Za-z0-9-.], at most 64)")
    meta = check.obj(resource.get("meta"), "meta") or {}
    for key in ("versionId", "lastUpdated"):
        flat[key] = check.text(meta.get(key), f"meta.{key}")
        if flat[key] is None:
            check.fail(f"meta.{key}", "missing")
    flat["status"] = check.text(resource.get("status"), "status")
    if flat["status"] is None:
        check.fail("status", "missing")
    for key in ("start", "end", "created"):
        flat[key] = check.text(resource.get(key), key)
    flat["cancelationReason"] = _coding_code(
        check.obj(resource.get("cancelationReason"), "cancelationReason"), "cancelationReason",
        CANCELLATION_SYSTEM, check)
    flat["appointmentType"] = _coding_code(
        check.obj(resource.get("appointmentType"), "appointmentType"), "appointmentType",
        APPOINTMENT_TYPE_SYSTEM, check)
    service_types = check.array(resource.get("serviceType"), "serviceType")
    if service_types:
        flat["serviceType"] = _coding_code(check.obj(service_types[0], "serviceType[0]"),
                                           "serviceType[0]", None, check)
    _participants(resource, flat, check)
    _extensions(resource, flat, check)
    flat["basedOn"] = _referral(resource, check)
    return flat, check.errors
