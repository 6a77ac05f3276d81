"""booking_fhir through the gate: valid R4 Appointments become booking versions,
the rest is quarantined (or dropped by contract and counted) with a reason."""

import copy
import datetime as dt
import json

import duckdb

from ingestion import fhir
from ingestion.runner import ingest_landing


def appointment(**changes) -> dict:
    resource = {
        "resourceType": "Appointment",
        "id": "apt-1",
        "meta": {"versionId": "3", "lastUpdated": "2025-03-04T09:00:00+01:00"},
        "status": "fulfilled",
        "serviceType": [{"coding": [{"system": "urn:tidbok:care-service", "code": "VACCINATION"}]}],
        "appointmentType": {"coding": [{"system": fhir.APPOINTMENT_TYPE_SYSTEM,
                                        "code": "ROUTINE"}]},
        "start": "2025-03-04T08:15:00+01:00",
        "end": "2025-03-04T08:25:00+01:00",
        "created": "2025-02-20T10:00:00+01:00",
        "basedOn": [{"reference": "ServiceRequest/REF-9"}],
        "extension": [{"url": fhir.CHANNEL_EXTENSION, "valueCode": "phone"},
                      {"url": fhir.CONTACT_TYPE_EXTENSION, "valueCode": "physical"}],
        "participant": [
            {"actor": {"type": "Patient", "display": "Tolvan Tolvansson",
                       "identifier": {"system": fhir.PERSONNUMMER_SYSTEM,
                                      "value": "191212121212"}},
             "status": "accepted"},
            {"actor": {"type": "Location",
                       "identifier": {"system": fhir.HSA_SYSTEM, "value": "SE2321000016-A1D4"}},
             "status": "accepted"},
            {"actor": {"type": "HealthcareService",
                       "identifier": {"system": fhir.HSA_SYSTEM, "value": "SE2321000016-A1D5"}},
             "status": "accepted"},
        ],
    }
    resource.update(changes)
    return resource


def with_patient(value: str, system: str = fhir.PERSONNUMMER_SYSTEM, **changes) -> dict:
    resource = appointment(**changes)
    resource["participant"] = copy.deepcopy(resource["participant"])
    resource["participant"][0]["actor"]["identifier"] = {"system": system, "value": value}
    return resource


def cancelled(code: str, **changes) -> dict:
    return appointment(status="cancelled", cancelationReason={"coding": [
        {"system": fhir.CANCELLATION_SYSTEM, "code": code}]}, **changes)


def write_ndjson(home, lines, region="01", day="2025-03-04"):
    folder = home / "landing" / "booking_fhir" / region
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"appointments_{region}_{day}.ndjson"
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line)
                              for line in lines) + "\n", encoding="utf-8")
    return path


def lake(home):
    return duckdb.sql(f"select * from read_parquet('{home}/lake/bookings/**/*.parquet', "
                      "union_by_name=true) order by source_row").pl()


def quarantine(home):
    return duckdb.sql(f"select * from read_parquet('{home}/quarantine/**/*.parquet', "
                      "union_by_name=true) order by row_number").pl()


def ledger(home):
    return duckdb.sql(f"select * from read_parquet('{home}/lake/_ledger/*.parquet')").pl()


def test_appointments_become_canonical_versions(tidbok_home):
    walk_in = appointment(id="apt-2", status="arrived", appointmentType={"coding": [
        {"system": fhir.APPOINTMENT_TYPE_SYSTEM, "code": "WALKIN"}]})
    write_ndjson(tidbok_home, [
        appointment(),
        walk_in,
        appointment(id="apt-3", status="checked-in"),
        appointment(id="apt-4", status="booked", meta={"versionId": "a", "lastUpdated":
                                                       "2025-07-01T08:00:00Z"}),
        appointment(id="apt-5", status="noshow"),
        cancelled("pat-cpp", id="apt-6"),
        cancelled("prov-pers", id="apt-7"),
        cancelled("oth-weath", id="apt-8"),
        with_patient("19121272-1219", fhir.SAMORDNINGSNUMMER_SYSTEM, id="apt-9"),
        appointment(id="apt-10", created="2025-02-20"),
    ])
    summary = ingest_landing()
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (10, 10, 0)
    rows = lake(tidbok_home)
    assert rows["status"].to_list() == ["attended", "attended", "attended", "booked", "no_show",
                                        "cancelled", "cancelled", "cancelled", "attended",
                                        "attended"]
    first = rows.row(0, named=True)
    assert first["booking_id"] == "apt-1" and first["source_record_id"] == "apt-1/3"
    assert first["care_unit_hsa_id"] == "SE2321000016-A1D4"
    assert first["time_book_hsa_id"] == "SE2321000016-A1D5"
    assert first["care_service"] == "VACCINATION" and first["contact_type"] == "physical"
    assert first["booking_channel"] == "phone" and first["referral_id"] == "REF-9"
    assert first["appointment_type"] == "routine" and rows["appointment_type"][1] == "walk_in"
    assert first["changed_at"] == dt.datetime(2025, 3, 4, 9, 0)
    assert first["booked_at"] == dt.datetime(2025, 2, 20, 10, 0)
    assert first["start_time"] == dt.datetime(2025, 3, 4, 8, 15)
    assert first["birth_year"] == 1912 and first["patient_id_type"] == "personnummer"
    assert rows["changed_at"][3] == dt.datetime(2025, 7, 1, 10, 0)  # Z -> CEST
    assert rows["source_record_id"][3] == "apt-4/a"
    # pat-cpp: the patient cancelled in the portal, a digital action.
    cancels = rows.filter(rows["status"] == "cancelled")
    assert cancels.height == 3
    assert cancels["cancelled_by"].to_list() == ["patient", "provider", None]
    assert cancels["booking_channel"].to_list() == ["eservice", "phone", "phone"]
    assert cancels["cancel_reason"].to_list() == ["pat-cpp", "prov-pers", "oth-weath"]
    assert cancels["cancelled_at"].to_list() == [dt.datetime(2025, 3, 4, 9, 0)] * 3
    assert rows["patient_id_type"][8] == "samordningsnummer"
    assert rows["booked_at"][9] == dt.datetime(2025, 2, 20, 0, 0)


def test_statuses_that_are_not_bookings_are_counted_not_loaded(tidbok_home):
    write_ndjson(tidbok_home, [
        appointment(),
        appointment(id="x1", status="entered-in-error"),
        appointment(id="x2", status="proposed"),
        appointment(id="x3", status="pending"),
        appointment(id="x4", status="waitlist"),
    ])
    summary = ingest_landing()
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (5, 1, 4)
    q = quarantine(tidbok_home)
    assert q["field"].to_list() == ["status"] * 4
    assert q["reason"][0] == ("status: entered-in-error: entered in error: dropped by contract "
                              "(SOURCES.md 1c), counted here")
    assert all("not a booking yet" in reason for reason in q["reason"][1:])
    led = ledger(tidbok_home).row(0, named=True)
    assert led["rows_read"] == led["rows_loaded"] + led["rows_quarantined"] == 5


def test_invalid_resources_are_quarantined_with_element_and_reason(tidbok_home):
    no_participant = appointment(id="b2")
    del no_participant["participant"]
    no_unit = appointment(id="b3")
    no_unit["participant"] = no_unit["participant"][:1] + no_unit["participant"][2:]
    lines = [
        appointment(),
        {"resourceType": "Patient", "id": "p1"},
        no_participant,
        no_unit,
        appointment(id="b4", status="done"),
        appointment(id="b5", status="booked", cancelationReason={"coding": [
            {"system": fhir.CANCELLATION_SYSTEM, "code": "pat"}]}),
        cancelled("pat-bored", id="b6"),
        appointment(id="b7", appointmentType={"coding": [
            {"system": fhir.APPOINTMENT_TYPE_SYSTEM, "code": "DROPIN"}]}),
        with_patient("19121212-1212", fhir.SAMORDNINGSNUMMER_SYSTEM, id="b8"),
        with_patient("191212121213", id="b9"),
        with_patient("191212121212", "urn:oid:1.2.752.97.3.1.3", id="b10"),
        appointment(id="b11", start="2025-03-04T08:15:00"),
        appointment(id="b12", modifierExtension=[{"url": "urn:x", "valueBoolean": True}]),
        appointment(id="b13", basedOn=[{"reference": "Patient/1"}]),
        appointment(id="b14", bookingChannel="eservice"),
        appointment(id="b15", extension=[{"url": fhir.CHANNEL_EXTENSION, "valueCode": "1177"}]),
        "not json",
    ]
    write_ndjson(tidbok_home, lines)
    summary = ingest_landing()
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (17, 1, 16)
    q = quarantine(tidbok_home)
    fields = dict(zip(q["row_number"], q["field"], strict=True))
    reasons = dict(zip(q["row_number"], q["reason"], strict=True))
    assert reasons[2] == "resourceType: not Appointment"
    assert reasons[3].startswith("participant: missing")
    assert "no Location (the care unit)" in reasons[4]
    assert fields[5] == "status" and "not one of proposed" in reasons[5]
    assert "R4 app-4" in reasons[6]
    assert fields[7] == "cancelationReason.coding.code"
    assert fields[8] == "appointmentType.coding.code"
    assert reasons[9] == ("participant(Patient).identifier.value: the number is not a "
                          f"samordningsnummer (identifier system {fhir.SAMORDNINGSNUMMER_SYSTEM})")
    assert "Luhn" in reasons[10]
    assert fields[11] == "participant(Patient).identifier.system"
    assert fields[12] == "start" and "time zone" in reasons[12]
    assert fields[13] == "modifierExtension"
    assert fields[14] == "basedOn[0]"
    assert reasons[15] == "bookingChannel: not an element of an R4 Appointment"
    assert fields[16] == f"extension({fhir.CHANNEL_EXTENSION}).valueCode"
    assert fields[17] == "(line)"
    text = q.write_csv() + ledger(tidbok_home).write_csv()
    assert "191212121212" not in text and "19121212-1212" not in text
    assert "Tolvan" not in text  # participant display names are never kept


def test_the_same_version_exported_twice_is_one_source_record(tidbok_home):
    write_ndjson(tidbok_home, [appointment(status="booked")], day="2025-03-03")
    write_ndjson(tidbok_home, [appointment(status="booked"), appointment(id="apt-2")],
                 day="2025-03-04")
    ingest_landing()
    rows = lake(tidbok_home)
    assert rows.height == 3  # the lake keeps every delivery …
    assert rows["source_record_id"].n_unique() == 2  # … dbt keeps one per id/versionId
