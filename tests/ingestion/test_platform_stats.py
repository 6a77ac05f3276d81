"""platform_stats through the gate: the real skltp STAT.json file and its format."""

import datetime as dt
import json
import shutil

import pytest

from ingestion.rivta import parse_namespace
from ingestion.runner import ingest_landing
from tests.ingestion.national_feeds import lake, landing, ledger, quarantine

REAL = "skltp-platform-stats/SLL-QA_2020-05-27--2020-05-27.STAT.json"
ENTRY = {"originalConsumerId": "T-SERVICES-SE165565594230-10SZ",
         "consumerId": "T-SERVICES-SE165565594230-10SZ", "calls": 2,
         "namespace": "urn:riv:crm:scheduling:GetSubjectOfCareScheduleResponder:1",
         "logicalAddress": "SE2321000016-A1D4", "averageResponseTime": 1416}


def write(home, document, name="NTJP-PROD_2025-03-04--2025-03-04.STAT.json"):
    path = landing(home, "platform_stats", name)
    path.write_text(document if isinstance(document, str) else json.dumps(document, indent=2),
                    encoding="utf-8")
    return path


def document(*entries, **header):
    return {"plattform": "NTJP-PROD", "startDate": "2025-03-04", "endDate": "2025-03-04",
            **header, "statistics": list(entries)}


@pytest.mark.parametrize("namespace, parts", [
    ("urn:riv:crm:scheduling:GetSubjectOfCareScheduleResponder:1",
     ("crm:scheduling", "GetSubjectOfCareSchedule", 1)),
    ("urn:riv:supportprocess:logistics:scheduling:MakeAppointmentResponder:2",
     ("supportprocess:logistics:scheduling", "MakeAppointment", 2)),
    ("urn:riv:itintegration:engagementindex:UpdateResponder:1",
     ("itintegration:engagementindex", "Update", 1)),
    ("urn:riv:crm:scheduling:1", None),
    ("http://example.org/ws", None),
])
def test_namespace_parts(namespace, parts):
    assert parse_namespace(namespace) == parts


def test_the_real_file_loads_with_no_rejects(tidbok_home, reference_dir):
    shutil.copy(reference_dir / REAL, landing(tidbok_home, "platform_stats", "x").parent)
    summary = ingest_landing()
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (3, 3, 0)
    rows = lake(tidbok_home, "platform_calls")
    assert rows["platform"].unique().to_list() == ["SLL-QA"]
    assert rows["start_date"].unique().to_list() == [dt.date(2020, 5, 27)]
    assert rows.select("service_domain", "interaction", "major_version").rows() == [
        ("crm:scheduling", "GetAllTimeTypes", 1),
        ("informationsecurity:auditing:log", "GetAccessLogsForPatient", 2),
        ("itintegration:engagementindex", "Update", 1)]
    assert rows["is_booking_namespace"].to_list() == [True, False, False]
    assert rows["is_1177_consumer"].to_list() == [True, True, False]
    assert rows["calls"].to_list() == [2, 2, 1]
    assert rows["average_response_time_ms"].to_list() == [1416.0, 454.0, 15.0]
    assert rows["logical_address"][2] == "5565594230"  # an organisation number, kept as is
    led = ledger(tidbok_home).row(0, named=True)
    assert (led["status"], led["rows_read"], led["partition_day"]) == (
        "loaded", 3, dt.date(2020, 5, 27))


def test_bad_entries_are_quarantined_by_position(tidbok_home):
    write(tidbok_home, document(
        ENTRY,
        {**ENTRY, "calls": "2"},
        {k: v for k, v in ENTRY.items() if k != "namespace"},
        {**ENTRY, "calls": -1},
        "not an entry",
        {**ENTRY, "averageResponseTime": 12.5,
         "namespace": "urn:riv:supportprocess:logistics:scheduling:GetAppointmentsResponder:2"},
        {**ENTRY, "namespace": "http://not.rivta/"},
    ))
    summary = ingest_landing()
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (7, 3, 4)
    q = quarantine(tidbok_home)
    assert q.select("row_number", "field").rows() == [
        (2, "calls"), (3, "namespace"), (4, "calls"), (5, "(entry)")]
    assert q["reason"][0] == "calls: expected integer, got a string"
    rows = lake(tidbok_home, "platform_calls")
    assert rows["source_row"].to_list() == [1, 6, 7]
    assert rows["is_booking_namespace"].to_list() == [True, True, False]
    assert rows["service_domain"][2] is None  # other namespaces are kept, not parsed


def test_header_after_the_statistics_is_read(tidbok_home):
    text = json.dumps({"statistics": [ENTRY], "endDate": "2025-03-05", "startDate": "2025-03-04",
                       "plattform": "NTJP-PROD"})
    write(tidbok_home, text)
    ingest_landing()
    rows = lake(tidbok_home, "platform_calls")
    assert rows.select("platform", "start_date", "end_date").rows() == [
        ("NTJP-PROD", dt.date(2025, 3, 4), dt.date(2025, 3, 5))]


@pytest.mark.parametrize("text, message, records", [
    (json.dumps(document(ENTRY, ENTRY))[:-40], "not valid JSON", 1),
    (json.dumps(document(ENTRY, ENTRY, startDate="27/5 2020")), "startDate is not a date", 2),
    (json.dumps(document(ENTRY, endDate="2025-03-01")), "endDate is before startDate", 1),
    (json.dumps({k: v for k, v in document(ENTRY).items() if k != "plattform"}),
     "plattform: missing", 1),
    (json.dumps(document(ENTRY, platform="x")), "unexpected field(s) 'platform'", 1),
    ("[]", "expected '{'", 1),
])
def test_a_broken_document_is_rejected_whole(tidbok_home, text, message, records):
    write(tidbok_home, text)
    summary = ingest_landing()
    assert summary.files_rejected == 1
    led = ledger(tidbok_home).row(0, named=True)
    assert led["status"] == "rejected_file" and message in led["message"]
    assert (led["rows_read"], led["rows_quarantined"]) == (records, records)


def test_renamed_entry_fields_reject_the_file(tidbok_home):
    renamed = {("avgResponseTime" if k == "averageResponseTime" else k): v
               for k, v in ENTRY.items()}
    write(tidbok_home, document(renamed, renamed))
    ingest_landing()
    led = ledger(tidbok_home).row(0, named=True)
    assert led["status"] == "rejected_file"
    assert "missing field(s) averageResponseTime" in led["message"]
