"""Feed 1c, `booking_fhir`: FHIR R4 Appointments, a bulk export (NDJSON) per region and day.

A day's file holds every appointment changed that day, once, in its current
version at the end of the day (meta.versionId counts the versions, as a FHIR
server's history does). Channel and contact type travel as the extensions of
SOURCES.md 1c; the patient's number as a participant identifier. FHIR JSON has
no nulls, so an absent element is left out, never written empty.

A reservnummer has no identifier system in SOURCES.md 1c: such appointments are
written with the national reserve-number OID and logged as a contract gap (the
adapter quarantines them), not as a defect.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from simulator.batch import Batch
from simulator.bookings import MINUTES_PER_DAY
from simulator.care_catalogue import (
    CHANNELS,
    CONTACT_TYPES,
    PROVIDER_CANCEL_REASONS,
    SERVICES,
    TIME_TYPES,
)
from simulator.feeds.files import Delivery, RowInfo
from simulator.identifiers import PERSONNUMMER, RESERVNUMMER, SAMORDNINGSNUMMER
from simulator.textformat import iso_offset_text

FEED = "booking_fhir"
CANCELLATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason"
APPOINTMENT_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v2-0276"
SERVICE_TYPE_SYSTEM = "urn:tidbok:care-service"
HSA_SYSTEM = "urn:oid:1.2.752.129.2.1.4.1"
PATIENT_SYSTEM = {PERSONNUMMER: "urn:oid:1.2.752.129.2.1.3.1",
                  SAMORDNINGSNUMMER: "urn:oid:1.2.752.129.2.1.3.3",
                  RESERVNUMMER: "urn:oid:1.2.752.129.2.1.3.2"}
STATUS = {"booked": "booked", "cancelled": "cancelled", "attended": "fulfilled",
          "no_show": "noshow"}
NOT_BOOKINGS = ("entered-in-error", "proposed", "waitlist")
# Provider reasons as R4 codes (all prov-*: the adapter reads the prefix as "provider").
PROVIDER_CODE = {"Behandlare sjuk": "prov-pers", "Personalbrist": "prov-pers",
                 "Fel vårdnivå": "prov", "Dubbelbokning": "prov", "Ändrat schema": "prov"}
assert set(PROVIDER_CODE) == set(PROVIDER_CANCEL_REASONS)


def _label(column: str, labels) -> pl.Expr:
    return pl.lit(pl.Series(list(labels))).gather(pl.col(column))


def _coding(system: str, code: pl.Expr) -> pl.Expr:
    return pl.lit('{"coding":[{"system":"' + system + '","code":"') + code + pl.lit('"}]}')


def appointment_frame(batch: Batch, versions: pl.DataFrame) -> pl.DataFrame:
    """One Appointment JSON line per (booking, extract day): its state at the day's end."""
    world = batch.world
    units = world.units
    b = batch.bookings
    daily = (versions.with_columns((pl.col("changed_at") // MINUTES_PER_DAY).alias("day"))
             .sort("seq", "changed_at")
             .with_columns(pl.int_range(1, pl.len() + 1).over("seq").alias("version_no"))
             .unique(["seq", "day"], keep="last", maintain_order=True))
    fixed = b.select("seq", "booking_id", "unit_idx", "tidbok_idx", "identity", "id_kind",
                     "time_type", "service", "contact", "start_at", "end_at", "booked_at",
                     "referral_id", "fate_at", "late_outcome_days")
    v = daily.join(fixed, on="seq", how="left").sort("day", "changed_at", "seq")
    status = pl.col("status")
    reason_code = (
        pl.when(status != "cancelled").then(None)
        .when(pl.col("cancelled_by") == "provider").then(
            pl.col("cancel_reason").replace_strict(PROVIDER_CODE, default="prov"))
        .when(pl.col("kanal_channel") == CHANNELS.index("eservice")).then(pl.lit("pat-cpp"))
        .when(pl.col("cancel_reason") == "Besvären har gått över").then(pl.lit("pat-fb"))
        .otherwise(pl.lit("pat")))
    appointment_type = pl.when(pl.col("time_type").is_in(
        [i for i, t in enumerate(TIME_TYPES) if t.code == "LAKAKUT"])).then(pl.lit("EMERGENCY")
    ).when(pl.col("time_type").is_in(
        [i for i, t in enumerate(TIME_TYPES) if t.code.endswith("ATB")])).then(
        pl.lit("FOLLOWUP")).otherwise(pl.lit("ROUTINE"))
    patient_status = pl.when((status == "cancelled") & (pl.col("cancelled_by") == "patient")
                             ).then(pl.lit("declined")).otherwise(pl.lit("accepted"))
    system = pl.lit(pl.Series([PATIENT_SYSTEM[k] for k in range(3)])).gather(pl.col("id_kind"))
    unit_hsa = pl.lit(units.units["hsa_id"]).gather(pl.col("unit_idx"))
    unit_name = pl.lit(units.units["name"]).gather(pl.col("unit_idx"))
    book_hsa = pl.lit(pl.Series(units.tidbok_hsa)).gather(pl.col("tidbok_idx"))
    optional = pl.lit("")
    line = pl.concat_str([
        pl.lit('{"resourceType":"Appointment","id":"'), pl.col("booking_id"),
        pl.lit('","meta":{"versionId":"'), pl.col("version_no").cast(pl.String),
        pl.lit('","lastUpdated":"'), iso_offset_text(pl.col("changed_at")),
        pl.lit('"},"extension":[{"url":"urn:tidbok:booking-channel","valueCode":"'),
        _label("kanal_channel", CHANNELS),
        pl.lit('"},{"url":"urn:tidbok:contact-type","valueCode":"'),
        _label("contact", CONTACT_TYPES),
        pl.lit('"}],"identifier":[{"system":"urn:tidbok:booking-id:'),
        pl.lit(batch.region), pl.lit('","value":"'), pl.col("booking_id"),
        pl.lit('"}],"status":"'), pl.col("_status"), pl.lit('"'),
        pl.when(reason_code.is_not_null()).then(
            pl.lit(',"cancelationReason":') + _coding(CANCELLATION_SYSTEM, reason_code)
        ).otherwise(optional),
        pl.lit(',"serviceType":['), _coding(SERVICE_TYPE_SYSTEM, _label("service", SERVICES)),
        pl.lit('],"appointmentType":'), _coding(APPOINTMENT_TYPE_SYSTEM, appointment_type),
        pl.lit(',"start":"'), iso_offset_text(pl.col("start_at")),
        pl.lit('","end":"'), iso_offset_text(pl.col("end_at")),
        pl.lit('","created":"'), iso_offset_text(pl.col("booked_at")), pl.lit('"'),
        pl.when(pl.col("referral_id").is_not_null()).then(
            pl.lit(',"basedOn":[{"reference":"ServiceRequest/') + pl.col("referral_id")
            + pl.lit('","identifier":{"value":"') + pl.col("referral_id") + pl.lit('"}}]')
        ).otherwise(optional),
        pl.lit(',"participant":[{"actor":{"type":"Patient","identifier":{"system":"'), system,
        pl.lit('","value":"'), pl.col("identity"), pl.lit('"}},"status":"'), patient_status,
        pl.lit('"},{"actor":{"type":"Location","identifier":{"system":"' + HSA_SYSTEM
               + '","value":"'), unit_hsa, pl.lit('"},"display":"'), unit_name,
        pl.lit('"},"status":"accepted"},{"actor":{"type":"HealthcareService","identifier":'
               '{"system":"' + HSA_SYSTEM + '","value":"'), book_hsa,
        pl.lit('"}},"status":"accepted"}]}'),
    ])
    return v.with_columns(
        pl.col("status").replace_strict(STATUS).alias("_status")
    ).with_columns(
        line.alias("line"),
        pl.when(pl.col("id_kind") != RESERVNUMMER).then(pl.col("identity")).alias("_identity"),
        pl.when((pl.col("changed_at") == pl.col("fate_at"))
                & pl.col("status").is_in(["attended", "no_show"]))
        .then(pl.col("late_outcome_days")).otherwise(0).alias("_late_days"))


def write_appointments(delivery: Delivery, batch: Batch, create_all: bool = True) -> None:
    world = batch.world
    code = batch.region
    frame = appointment_frame(batch, batch.versions)
    defects = delivery.defects(FEED)
    extra = np.zeros(frame.height, dtype=bool)
    if "fhir_not_a_booking" in defects.kinds:
        extra = defects.draw("fhir_not_a_booking", frame.height)
    kinds = defects.rng.integers(0, len(NOT_BOOKINGS), size=frame.height)
    days = frame["day"].to_numpy()
    lines = frame["line"].to_list()
    identity = frame["_identity"].to_list()
    keys = frame["booking_id"].to_list()
    reserve = (frame["id_kind"] == RESERVNUMMER).to_list()
    late_days = frame["_late_days"].to_list()
    bounds = np.searchsorted(days, np.arange(world.first_day, world.last_day + 2))
    for offset, day in enumerate(range(world.first_day, world.last_day + 1)):
        lo, hi = int(bounds[offset]), int(bounds[offset + 1])
        if lo == hi and not create_all:
            continue
        out, ids, info_keys, tags, gaps = [], [], [], {}, []
        for i in range(lo, hi):
            if reserve[i]:
                gaps.append((len(out), keys[i]))
                tags[len(out)] = None  # quarantined anyway: no defect on top
            elif late_days[i]:
                tags[len(out)] = {"kind": "late_outcome", "expected": "loaded", "key": keys[i],
                                  "days_after_visit": int(late_days[i])}
            out.append(lines[i])
            ids.append(identity[i])
            info_keys.append(keys[i])
            if extra[i]:
                status = NOT_BOOKINGS[kinds[i]]
                tags[len(out)] = {"kind": "fhir_not_a_booking", "expected": "not_loaded",
                                  "field": "status", "status": status, "key": keys[i] + "-x"}
                out.append(_not_a_booking(lines[i], keys[i], status))
                ids.append(None)
                info_keys.append(keys[i] + "-x")
        date = str(np.datetime64(day, "D"))
        path = delivery.path(FEED, code, f"appointments_{code}_{date}.ndjson")
        first = delivery.files[path].lines + 1 if path in delivery.files else 1
        delivery.write_rows(FEED, code, path.name, out, fmt="jsonl",
                            info=RowInfo(ids, info_keys), tags=tags)
        for position, key in gaps:
            delivery.gaps.append({
                "kind": "reservnummer_without_fhir_system", "feed": FEED,
                "file": delivery.relative(path), "line": first + position, "key": key,
                "expected": "row_quarantined",
                "note": "SOURCES.md 1c names identifier systems only for personnummer and "
                        "samordningsnummer; written with urn:oid:1.2.752.129.2.1.3.2"})


def _not_a_booking(line: str, booking_id: str, status: str) -> str:
    """The same appointment under another id with a status that is not a booking."""
    line = line.replace(f'"id":"{booking_id}"', f'"id":"{booking_id}-x"', 1)
    start = line.index('"status":"') + len('"status":"')
    end = line.index('"', start)
    line = line[:start] + status + line[end:]
    # A cancellation reason belongs only to cancelled or no-show appointments (app-4).
    cut = line.find(',"cancelationReason":')
    if cut >= 0:
        close = line.index("]}", cut) + 2
        line = line[:cut] + line[close:]
    return line
