"""aggregator_responses through the gate: every ZIP member parsed safely and
validated against the shipped XSD; each timeslotDetail a shown booking, each
member that fails one quarantined record, a damaged ZIP rejected whole."""

import datetime as dt
import socket
import zipfile

import pytest

from ingestion import rivta
from ingestion.feeds import aggregator_responses
from ingestion.runner import ingest_landing
from tests.ingestion.national_feeds import everything_written, lake, landing, ledger, quarantine

EXAMPLE = ("rivta-crm-scheduling-1.1/interactions/GetSubjectOfCareScheduleInteraction/"
           "GetSubjectOfCareScheduleResponder_1.1_Response.xml")
SLOT = {
    "startTimeInclusive": "20250304081500", "endTimeExclusive": "20250304083500",
    "healthcare_facility": "SE2321000016-A1D4", "bookingId": "B1",
    "subject_of_care": "191212121212", "healthcare_facility_name": "Vårdcentralen Öst",
    "timeTypeName": "Läkarbesök 20 min", "timeTypeID": "T20", "careTypeID": "LAK",
    "cancel_booking_allowed": "true", "rebooking_allowed": "false", "message_allowed": "1",
}
ORDER = ["startTimeInclusive", "endTimeExclusive", "healthcare_facility", "bookingId",
         "subject_of_care", "healthcare_facility_name", "timeTypeName", "timeTypeID",
         "careTypeID", "cancel_booking_allowed", "rebooking_allowed", "message_allowed"]
OPEN = ('<?xml version="1.0" encoding="UTF-8"?>'
        '<r:GetSubjectOfCareScheduleResponse '
        'xmlns:r="urn:riv:crm:scheduling:GetSubjectOfCareScheduleResponder:1" '
        'xmlns:c="urn:riv:crm:scheduling:1" xmlns:e="urn:riv:crm:scheduling:1.1">')
CLOSE = "</r:GetSubjectOfCareScheduleResponse>"
BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">'.encode()
                             for i in range(1, 10)).replace(b"&lol0;", b"&lol;")
                  + b"]><lolz>&lol9;</lolz>")
XXE = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">'
       b'<!ENTITY y SYSTEM "http://127.0.0.1:9/evil.dtd">]>'
       + OPEN.split("?>", 1)[1].encode()
       + b"<r:timeslotDetail><c:healthcare_facility>&x;&y;</c:healthcare_facility>"
       b"</r:timeslotDetail>" + CLOSE.encode())


def slot(invitation: str | None = "false", **changes) -> str:
    values = {**SLOT, **changes}
    inner = "".join(f"<c:{k}>{values[k]}</c:{k}>" for k in ORDER if values.get(k) is not None)
    if invitation is not None:
        inner += f"<e:isInvitation>{invitation}</e:isInvitation>"
    return f"<r:timeslotDetail>{inner}</r:timeslotDetail>"


def response(*slots: str) -> bytes:
    return (OPEN + "".join(slots) + CLOSE).encode()


def write_zip(home, members: dict[str, bytes], name="responses_2025-03-04.zip"):
    path = landing(home, "aggregator_responses", name)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return path


def test_shipped_schema_is_the_reference_but_for_the_documented_pattern(reference_dir):
    reference = reference_dir / "rivta-crm-scheduling-1.1"
    shipped = sorted(p.relative_to(rivta.SCHEMA_DIR) for p in rivta.SCHEMA_DIR.rglob("*.xsd"))
    assert shipped == sorted(p.relative_to(reference) for p in reference.rglob("*.xsd"))
    for relative in shipped:
        expected = (reference / relative).read_text(encoding="utf-8")
        if relative.name == "crm_scheduling_1.1.xsd":
            # '^' and '$' are literals in XSD patterns; see the schemas' README.
            expected = expected.replace('value="^[0-9]{8}[0-9pPtTfF][0-9]{3}$"',
                                        'value="[0-9]{8}[0-9pPtTfF][0-9]{3}"')
        assert (rivta.SCHEMA_DIR / relative).read_text(encoding="utf-8") == expected


def test_schema_loads_offline_from_the_product(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the schema tried to reach the network")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    rivta.subject_of_care_schedule_schema.cache_clear()
    schema = rivta.subject_of_care_schedule_schema()
    urls = [s.url for s in schema.maps.iter_schemas() if "rivta" in (s.url or "")]
    assert len(urls) == 3 and all(str(rivta.SCHEMA_DIR) in url for url in urls)
    assert "shared" not in " ".join(urls)


def test_valid_members_become_shown_bookings(tidbok_home):
    write_zip(tidbok_home, {
        "req-1.xml": response(slot(), slot(bookingId="B2", subject_of_care="191212721003",
                                           invitation="true", healthcare_facility_name=None)),
        "req-2.xml": response(),  # a citizen with nothing booked: no rows, nothing read
    })
    summary = ingest_landing()
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (2, 2, 0)
    rows = lake(tidbok_home, "aggregator_shown_bookings")
    first = rows.row(0, named=True)
    assert (first["request_id"], first["booking_id"], first["source_member"],
            first["source_row"]) == ("req-1", "B1", "req-1.xml", 1)
    assert first["healthcare_facility"] == "SE2321000016-A1D4"
    assert first["healthcare_facility_name"] == "Vårdcentralen Öst"
    assert (first["start_time"], first["end_time"]) == (
        dt.datetime(2025, 3, 4, 8, 15), dt.datetime(2025, 3, 4, 8, 35))
    assert (first["time_type_id"], first["time_type_name"], first["care_type_id"]) == (
        "T20", "Läkarbesök 20 min", "LAK")
    assert (first["cancel_booking_allowed"], first["rebooking_allowed"],
            first["message_allowed"], first["is_invitation"]) == (True, False, True, False)
    assert (first["birth_year"], first["sex"], len(first["patient_pseudonym"])) == (1912, "M", 64)
    assert first["response_date"] == dt.date(2025, 3, 4)
    second = rows.row(1, named=True)
    assert second["patient_id_type"] == "samordningsnummer" and second["is_invitation"] is True
    assert second["healthcare_facility_name"] is None
    assert ledger(tidbok_home)["partition_day"].to_list() == [dt.date(2025, 3, 4)]


def test_a_reservnummer_in_rivta_form_is_accepted(tidbok_home):
    """SubjectOfCareIdType allows a letter in position 9 and no dash (20121212T212)."""
    write_zip(tidbok_home, {"req-1.xml": response(slot(subject_of_care="20121212T212"))})
    ingest_landing()
    rows = lake(tidbok_home, "aggregator_shown_bookings")
    assert rows["patient_id_type"].to_list() == ["reservnummer"]


def test_the_real_example_response_fails_the_xsd_on_its_placeholders(tidbok_home,
                                                                      reference_dir):
    """The published example is a generated skeleton: `tns1:startTimeInclusive` is not
    a TS and `tns1:subject_of_care` not a SubjectOfCareIdType, so the XSD itself
    rejects it. It is quarantined as one record, its placeholders never loaded."""
    example = (reference_dir / EXAMPLE).read_bytes()
    write_zip(tidbok_home, {"example-request.xml": example})
    summary = ingest_landing()
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (1, 0, 1)
    q = quarantine(tidbok_home).row(0, named=True)
    assert (q["row_number"], q["field"]) == (1, "(member)")
    assert q["reason"].startswith("example-request.xml: fails the XSD")
    for element, xsd_type in [("startTimeInclusive", "TS"), ("endTimeExclusive", "TS"),
                              ("subject_of_care", "SubjectOfCareIdType")]:
        assert f"timeslotDetail/{element}: does not match the pattern of {xsd_type}" in q["reason"]
    assert "tns1:" not in q["reason"]  # the instance values are not quoted


def test_the_real_example_with_real_values_maps_every_field(tidbok_home, reference_dir):
    text = (reference_dir / EXAMPLE).read_text(encoding="utf-8")
    for placeholder, value in [("tns1:startTimeInclusive", "20250304081500"),
                               ("tns1:endTimeExclusive", "20250304083500"),
                               ("tns1:healthcare_facility", "SE2321000016-A1D4"),
                               ("tns1:subject_of_care", "191212121212")]:
        text = text.replace(f">{placeholder}<", f">{value}<")
    write_zip(tidbok_home, {"req-ex.xml": text.encode()})
    summary = ingest_landing()
    assert (summary.rows_read, summary.rows_loaded) == (1, 1)
    row = lake(tidbok_home, "aggregator_shown_bookings").row(0, named=True)
    assert row["booking_id"] == "tns1:bookingId"  # xs:string: the placeholder is valid
    assert row["healthcare_facility_name"] == "tns1:healthcare_facility_name"
    assert row["time_type_id"] == "tns1:timeTypeID" and row["care_type_id"] == "tns1:careTypeID"
    assert row["is_invitation"] and row["cancel_booking_allowed"] and row["message_allowed"]


def test_bad_members_and_rows_are_quarantined_by_name(tidbok_home):
    write_zip(tidbok_home, {
        "ok.xml": response(slot()),                                           # 1: 1 row
        "broken.xml": b"<r:GetSubjectOfCareScheduleResponse><oops>",          # 2: member
        "wrong-root.xml": response().replace(b"ScheduleResponse", b"Schedule"),  # 3: member
        "no-facility.xml": response(slot(healthcare_facility=None)),          # 4: member (XSD)
        "dashed.xml": response(slot(subject_of_care="19121212-1212")),        # 5: member (XSD)
        "notes.txt": b"hello",                                                # 6: member
        "rows.xml": response(slot(bookingId=None), slot(startTimeInclusive="20250231081500"),
                             slot(subject_of_care="191212121213"), slot(bookingId="B4"),
                             slot(endTimeExclusive="20250304080000"),
                             slot(healthcare_facility="Vårdcentralen")),      # 7: 6 rows
    })
    summary = ingest_landing()
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (12, 2, 10)
    q = quarantine(tidbok_home)
    members = q.filter(q["field"] == "(member)")
    assert members["row_number"].to_list() == [2, 3, 4, 5, 6]
    reasons = members["reason"].to_list()
    assert reasons[0].startswith("broken.xml: not well-formed XML")
    assert "root element is 'GetSubjectOfCareSchedule'" in reasons[1]
    assert "Tag 'tns:healthcare_facility' expected" in reasons[2]
    assert "subject_of_care: does not match the pattern of SubjectOfCareIdType" in reasons[3]
    assert reasons[4] == "notes.txt: not an XML member (<requestId>.xml expected)"
    rows = q.filter(q["row_number"] == 7)
    assert sorted(rows["field"].to_list()) == sorted([
        "bookingId", "startTimeInclusive", "subject_of_care", "endTimeExclusive",
        "healthcare_facility"])
    assert any(r.startswith("rows.xml timeslotDetail[3]: subject_of_care: invalid personal")
               for r in rows["reason"])
    loaded = lake(tidbok_home, "aggregator_shown_bookings")
    assert loaded.select("source_member", "booking_id").rows() == [("ok.xml", "B1"),
                                                                   ("rows.xml", "B4")]
    led = ledger(tidbok_home).row(0, named=True)
    assert (led["rows_read"], led["rows_loaded"], led["rows_quarantined"]) == (12, 2, 10)
    text = everything_written(tidbok_home)
    assert "19121212-1212" not in text and "191212121213" not in text


def test_xxe_and_billion_laughs_are_rejected_without_expansion_or_fetch(tidbok_home,
                                                                        monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("a member made the parser reach the network")

    monkeypatch.setattr(socket, "create_connection", no_network)
    write_zip(tidbok_home, {"laughs.xml": BILLION_LAUGHS, "xxe.xml": XXE,
                            "ok.xml": response(slot())})
    summary = ingest_landing()
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (3, 1, 2)
    q = quarantine(tidbok_home)
    assert q["reason"].to_list() == [
        f"{name}: forbidden XML construct (DTDForbidden: DTDs and entity declarations are "
        "not allowed)" for name in ("laughs.xml", "xxe.xml")]
    text = everything_written(tidbok_home)
    assert "lollol" not in text and "root:" not in text


def test_an_oversized_member_is_quarantined_unread(tidbok_home, monkeypatch):
    monkeypatch.setattr(aggregator_responses, "MAX_MEMBER_BYTES", 1000)
    write_zip(tidbok_home, {"big.xml": response(*[slot()] * 20), "ok.xml": response(slot())})
    summary = ingest_landing()
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (2, 1, 1)
    assert "larger than" in quarantine(tidbok_home)["reason"][0]


@pytest.mark.parametrize("damage", ["truncated", "not_a_zip"])
def test_a_damaged_zip_is_rejected_whole(tidbok_home, damage):
    path = write_zip(tidbok_home, {f"req-{i}.xml": response(slot()) for i in range(3)})
    if damage == "truncated":
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    else:
        path.write_bytes(b"PK but not really a zip\n")
    summary = ingest_landing()
    assert summary.files_rejected == 1 and summary.rows_loaded == 0
    led = ledger(tidbok_home).row(0, named=True)
    assert led["status"] == "rejected_file"
    assert led["message"].startswith("not a readable ZIP file")
    assert led["rows_read"] == led["rows_quarantined"] == 1  # the unreadable file itself
