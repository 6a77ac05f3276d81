"""aggregator_requests through the gate: a line becomes a request, its source calls
and its hidden bookings, or is quarantined whole with its line and field."""

import datetime as dt
import json

import pytest

from ingestion.runner import ingest_landing
from tests.ingestion.national_feeds import everything_written, lake, landing, ledger, quarantine

GOOD = {
    "requestId": "req-1", "timestamp": "2025-03-04T08:15:00+01:00",
    "consumerHsaId": "T-SERVICES-SE165565594230-10SZ", "subjectOfCare": "191212121212",
    "eiHits": 3,
    "sources": [
        {"logicalAddress": "SE2321000016-A1D4", "sourceSystemHsaId": "SE165565594230-1000",
         "status": "OK", "responseTimeMs": 412, "bookingsReturned": 2},
        {"logicalAddress": "SE2321000016-A1D5", "sourceSystemHsaId": "SE2321000016-SYS2",
         "status": "TIMEOUT", "responseTimeMs": None, "bookingsReturned": None},
    ],
    "bookingsShown": 1,
    "bookingsHidden": [{"bookingId": "B9", "logicalAddress": "SE2321000016-A1D4",
                        "reason": "NO_RECEPTION_RELATION"}],
}


def line(**changes) -> str:
    values = {**GOOD, **changes}
    return json.dumps({k: v for k, v in values.items() if v is not ...})


def write(home, lines: list[str], name="requests_2025-03-04.jsonl", ending="\n"):
    path = landing(home, "aggregator_requests", name)
    path.write_text("\n".join(lines) + ending, encoding="utf-8")
    return path


def test_a_line_becomes_a_request_its_source_calls_and_hidden_bookings(tidbok_home):
    write(tidbok_home, [line(), "", line(requestId="req-2", timestamp="2025-07-04T08:15:00Z",
                                         consumerHsaId="SE2321000016-APP1", bookingsHidden=[])])
    summary = ingest_landing()
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (2, 2, 0)
    requests = lake(tidbok_home, "aggregator_requests")
    first = requests.row(0, named=True)
    assert first["request_id"] == "req-1" and first["source_row"] == 1
    assert first["requested_at"] == dt.datetime(2025, 3, 4, 8, 15)  # +01:00 is Swedish winter
    assert first["is_1177_consumer"] and first["consumer_id"].startswith("T-SERVICES-")
    assert len(first["patient_pseudonym"]) == 64 and first["patient_id_type"] == "personnummer"
    assert (first["birth_year"], first["sex"], first["age_band"]) == (1912, "M", "80+")
    assert (first["ei_hits"], first["sources_called"], first["bookings_shown"],
            first["bookings_hidden"]) == (3, 2, 1, 1)
    second = requests.row(1, named=True)
    assert second["source_row"] == 3  # the blank line 2 is not a record
    assert second["requested_at"] == dt.datetime(2025, 7, 4, 10, 15)  # UTC -> summer time
    assert not second["is_1177_consumer"]

    calls = lake(tidbok_home, "aggregator_source_calls", "source_row, call_index")
    assert calls["status"].to_list() == ["ok", "timeout", "ok", "timeout"]
    assert calls["call_index"].to_list() == [1, 2, 1, 2]
    assert calls["response_time_ms"].to_list() == [412, None, 412, None]
    assert calls["source_system_id"][0] == "SE165565594230-1000"
    assert (calls["requested_at"][0], calls["request_id"][0]) == (first["requested_at"], "req-1")
    hidden = lake(tidbok_home, "aggregator_hidden_bookings")
    assert hidden.select("request_id", "booking_id", "reason").rows() == [
        ("req-1", "B9", "no_reception_relation")]
    led = ledger(tidbok_home).row(0, named=True)
    assert (led["status"], led["rows_read"], led["partition_day"]) == (
        "loaded", 2, dt.date(2025, 7, 4))


def test_bad_lines_are_quarantined_whole_with_line_field_and_reason(tidbok_home):
    bad_source = {**GOOD["sources"][0], "status": "SLOW"}
    write(tidbok_home, [
        line(),                                                        # 1 ok
        line(requestId="r2", subjectOfCare="19121212-1213"),            # 2 Luhn
        '{"requestId": "r3", "timestamp": ',                            # 3 broken JSON
        line(requestId="r4", sources=[bad_source]),                     # 4 code
        line(requestId="r5", eiHits=...),                               # 5 missing field
        line(requestId="r6", eiHits="3"),                               # 6 wrong type
        line(requestId="r7", bookingsShown=True),                       # 7 boolean is no count
        line(requestId="r8", consumerHsaId="1177"),                     # 8 not an HSA-id
        line(requestId="r9", timestamp="4 mars 08:15"),                 # 9 not a time
        line(requestId="r10", bookingsHidden=[{**GOOD["bookingsHidden"][0],
                                               "reason": "OTHER"}]),   # 10 code
        "[1, 2]",                                                       # 11 not an object
        line(requestId="r12", extra="x"),                               # 12 unknown field
        line(requestId="r13", eiHits=-1),                               # 13 negative
        line(requestId="r14", sources=[{**GOOD["sources"][0],
                                        "logicalAddress": "A1D4"}]),    # 14 not an HSA-id
    ])
    summary = ingest_landing()
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (14, 1, 13)
    q = quarantine(tidbok_home)
    assert q["row_number"].to_list() == list(range(2, 15))
    assert q["field"].to_list() == [
        "subjectOfCare", "(line)", "sources[0].status", "eiHits", "eiHits", "bookingsShown",
        "consumerHsaId", "timestamp", "bookingsHidden[0].reason", "(line)", "extra", "eiHits",
        "sources[0].logicalAddress"]
    reasons = dict(zip(q["row_number"], q["reason"], strict=True))
    assert "Luhn" in reasons[2]
    assert reasons[3].startswith("not valid JSON")
    assert reasons[4] == "sources[0].status: not one of OK, ERROR, TIMEOUT"
    assert reasons[5] == "eiHits: missing"
    assert reasons[6] == "eiHits: expected integer, got a string"
    assert reasons[12] == "extra: unexpected field"
    assert (q["file_path"] == "aggregator_requests/national/requests_2025-03-04.jsonl").all()
    # The whole line is the record: nothing of a rejected line reaches the lake.
    assert lake(tidbok_home, "aggregator_source_calls")["request_id"].unique().to_list() == [
        "req-1"]
    record = json.loads(q.filter(q["row_number"] == 2)["record"][0])
    assert len(record["subjectOfCare (pseudonym)"]) == 64
    text = everything_written(tidbok_home)
    assert "191212121212" not in text and "19121212-1213" not in text


def test_a_renamed_field_is_schema_drift_and_rejects_the_file(tidbok_home):
    renamed = [json.dumps({("patientId" if k == "subjectOfCare" else k): v
                           for k, v in GOOD.items()}) for _ in range(3)]
    write(tidbok_home, renamed, name="requests_2025-03-04.jsonl")
    write(tidbok_home, [line()], name="requests_2025-03-05.jsonl")
    summary = ingest_landing()
    assert summary.files_rejected == 1 and summary.rows_loaded == 1
    bad = ledger(tidbok_home).row(0, named=True)
    assert bad["status"] == "rejected_file"
    assert "missing field(s) subjectOfCare" in bad["message"]
    assert "unexpected field(s) 'patientId'" in bad["message"]
    assert (bad["rows_read"], bad["rows_loaded"], bad["rows_quarantined"]) == (3, 0, 3)
    assert "191212121212" not in everything_written(tidbok_home)


@pytest.mark.parametrize("tail, status", [
    ('{"requestId": "r2", "timest', "rejected_file"),  # cut off mid-write
    (line(requestId="r2"), "loaded"),  # complete JSON, only the final line break missing
])
def test_a_last_line_without_line_break_rejects_only_if_incomplete(tidbok_home, tail, status):
    write(tidbok_home, [line(), tail], ending="")
    ingest_landing()
    led = ledger(tidbok_home).row(0, named=True)
    assert led["status"] == status
    if status == "rejected_file":
        assert "truncated" in led["message"] and led["rows_quarantined"] == 2


def test_bom_and_empty_arrays_are_accepted(tidbok_home):
    path = landing(tidbok_home, "aggregator_requests", "requests_2025-03-04.jsonl")
    path.write_bytes(b"\xef\xbb\xbf" + line(sources=[], bookingsHidden=[], eiHits=0,
                                             bookingsShown=0).encode() + b"\n")
    summary = ingest_landing()
    assert (summary.rows_loaded, summary.rows_quarantined) == (1, 0)
    assert lake(tidbok_home, "aggregator_requests")["sources_called"].to_list() == [0]
