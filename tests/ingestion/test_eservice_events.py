"""eservice_events through the gate: residents pseudonymised, codes checked,
duplicates kept and flagged, broken lines quarantined, drift rejected."""

import datetime as dt
import json
from functools import partial

import pytest

from ingestion.feeds import eservice_events
from ingestion.runner import ingest_landing
from tests.ingestion.around_booking import lake, lake_parts, ledger, quarantine, write_landing

GOOD = {"eventId": "E1", "sessionId": "S1", "timestamp": "2025-03-04T08:15:00+01:00",
        "subjectOfCare": "191212121212", "service": "webbtidbok", "event": "book_completed",
        "unitHsaId": "SE2321000016-A1D4", "timeTypeId": "VACINF", "resultCode": "OK",
        "authMethod": "bankid_mobile"}


def event(**changes) -> str:
    return json.dumps({**GOOD, **changes}, ensure_ascii=False)


def write(home, lines, **kwargs):
    return write_landing(home, "eservice_events", "handelser_2025-03-04.jsonl", lines,
                         region="national", **kwargs)


def test_valid_events_become_canonical_and_pseudonymised(tidbok_home):
    write(tidbok_home, [
        event(),
        event(eventId="E2", timestamp="2025-07-01T06:00:00Z", service="bokade_tider",
              event="view_upcoming", unitHsaId=None, timeTypeId=None, resultCode=None),
        event(eventId="E3", timestamp="2025-03-04 09:30:00", service="uthopp",
              event="jump_out", subjectOfCare="19811218-9876", authMethod="freja"),
        event(eventId="E4", service="triage", event="error", subjectOfCare=None,
              resultCode="TOO_LATE_TO_CANCEL_APPOINTMENT", authMethod=None),
    ])
    summary = ingest_landing()
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (4, 4, 0)
    rows = lake(tidbok_home, "eservice_events")
    first = rows.row(0, named=True)
    assert first["event_time"] == dt.datetime(2025, 3, 4, 8, 15)
    assert first["service"] == "web_booking" and first["event"] == "book_completed"
    assert first["birth_year"] == 1912 and first["sex"] == "M" and first["age_band"] == "80+"
    assert first["resident_id_type"] == "personnummer"
    assert len(first["resident_pseudonym"]) == 64
    assert first["region_code"] == "national" and first["source_row"] == 1
    assert rows["event_time"][1] == dt.datetime(2025, 7, 1, 8, 0)  # UTC -> summer time
    assert rows["event_time"][2] == dt.datetime(2025, 3, 4, 9, 30)  # no offset: local already
    assert rows["service"].to_list() == ["web_booking", "view_bookings", "external_booking",
                                         "triage"]
    assert rows["age_band"][2] == "30-49" and rows["sex"][2] == "M"
    assert rows["resident_pseudonym"][3] is None  # no resident: allowed
    assert rows["result_code"][3] == "TOO_LATE_TO_CANCEL_APPOINTMENT"
    assert not rows["is_duplicate"].any()
    lake_text = rows.write_csv()
    assert "191212121212" not in lake_text and "19811218" not in lake_text
    assert lake_parts(tidbok_home, "eservice_events") == ["region=national/day=2025-07-01"]


def test_every_rivta_result_code_is_accepted(tidbok_home):
    write(tidbok_home, [event(eventId=f"E{i}", resultCode=code)
                        for i, code in enumerate(eservice_events.RESULT_CODE_LIST)])
    summary = ingest_landing()
    assert summary.rows_quarantined == 0
    assert summary.rows_loaded == len(eservice_events.RESULT_CODE_LIST) == 19


def test_duplicates_are_loaded_and_flagged_across_batches(tidbok_home, monkeypatch):
    monkeypatch.setattr(eservice_events, "iter_lines",
                        partial(eservice_events.iter_lines, batch_rows=2))
    write(tidbok_home, [event(eventId="A"), event(eventId="B"), event(eventId="A"),
                        event(eventId="C"), event(eventId="C"), event(eventId="B")])
    summary = ingest_landing()
    assert summary.rows_loaded == 6
    rows = lake(tidbok_home, "eservice_events")
    assert rows["event_id"].to_list() == ["A", "B", "A", "C", "C", "B"]
    assert rows["is_duplicate"].to_list() == [False, False, True, False, True, True]


def test_bad_events_and_broken_lines_are_quarantined_without_identifiers(tidbok_home):
    write(tidbok_home, [
        event(),
        event(subjectOfCare="191212121213"),
        event(event="booked"),
        event(resultCode="FAILED"),
        '{"eventId": "E9", "subjectOfCare": "191212121212", ',
        "",
        json.dumps([1, 2]),
        event(unitHsaId=["SE2321000016-A1D4"]),
        event(timestamp="igår"),
        event(eventId=None),
        event(authMethod="sms"),
        "null",
        '{"eventId": "E10", "subjectOfCare": "19121212121',  # cut inside the number
        event(),
    ])
    summary = ingest_landing()
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (13, 2, 11)
    q = quarantine(tidbok_home)
    assert q["row_number"].to_list() == [2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13]  # 6 is blank
    assert q["field"].to_list() == ["subjectOfCare", "event", "resultCode", "(line)", "(line)",
                                    "unitHsaId", "timestamp", "eventId", "authMethod", "(line)",
                                    "(line)"]
    reasons = q["reason"].to_list()
    assert reasons[0] == ("subjectOfCare: invalid personal identity number: "
                          "check digit (Luhn) does not match")
    assert reasons[3] == "(line): not valid JSON"
    assert reasons[4] == "(line): not a JSON object"
    assert reasons[5] == "unitHsaId: an object or list, expected a text value"
    text = q.write_csv()
    assert "191212121212" not in text and "191212121213" not in text
    assert "9121212121" not in text
    assert "subjectOfCare (pseudonym)" in q["record"][0]


def test_renamed_field_rejects_the_file_naming_it(tidbok_home):
    renamed = {("residentId" if k == "subjectOfCare" else k): v for k, v in GOOD.items()}
    write(tidbok_home, [event(), json.dumps(renamed), event()])
    summary = ingest_landing()
    assert summary.files_rejected == 1
    bad = ledger(tidbok_home).row(0, named=True)
    assert "unexpected field(s) 'residentId'" in bad["message"]
    assert (bad["rows_read"], bad["rows_quarantined"]) == (3, 3)


def test_required_field_absent_everywhere_rejects_the_file(tidbok_home):
    lines = [json.dumps({k: v for k, v in GOOD.items() if k != "sessionId"})] * 2
    write(tidbok_home, lines)
    ingest_landing()
    assert "missing from every record: sessionId" in ledger(tidbok_home)["message"][0]


@pytest.mark.parametrize("content", ["cp1252", "truncated"])
def test_unreadable_files_are_rejected_whole(tidbok_home, content):
    if content == "cp1252":
        write(tidbok_home, [event(timeTypeId="Läkarbesök")], encoding="cp1252")
    else:
        write(tidbok_home, [event(), event()[:-20]], final_newline=False)
    summary = ingest_landing()
    assert summary.files_rejected == 1
    message = ledger(tidbok_home)["message"][0]
    assert ("UTF-8" in message) if content == "cp1252" else ("truncated" in message)
