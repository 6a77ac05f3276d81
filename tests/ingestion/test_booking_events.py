"""booking_events through the gate: events become booking versions, and late,
shuffled and repeated deliveries end in the same final state."""

import datetime as dt
import json
import random

import duckdb
import pytest

from ingestion.runner import ingest_landing

EVENT = {
    "eventId": "E1", "eventType": "BookingCreated", "eventTime": "2025-03-04T08:15:00+01:00",
    "bookingId": "B1", "careUnitId": "SE2321000016-A1D4", "timeBookId": "SE2321000016-A1D5",
    "patientId": "19121212-1212", "timeTypeId": "T20", "timeTypeName": "Vaccination 10 min",
    "careService": "VACCINATION", "contactType": "physical",
    "startTime": "2025-03-10T08:15:00+01:00", "endTime": "2025-03-10T08:25:00+01:00",
    "channel": "eservice", "referralId": None, "cancelledBy": None, "cancelReason": None,
    "previousStartTime": None, "reminder": "sms", "cancelAllowed": True,
    "rescheduleAllowed": True,
}
LINEAGE = ("source_file_hash", "source_row", "extract_date")


def event(**changes) -> dict:
    return {**EVENT, **changes}


def write_events(home, lines, region="01", day="2025-03-04", name=None, final_newline=True):
    folder = home / "landing" / "booking_events" / region
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or f"events_{region}_{day}.jsonl")
    text = "\n".join(line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)
                     for line in lines)
    path.write_text(text + ("\n" if final_newline else ""), encoding="utf-8")
    return path


def lake(home):
    return duckdb.sql(f"select * from read_parquet('{home}/lake/bookings/**/*.parquet', "
                      "union_by_name=true) order by source_file_hash, source_row").pl()


def quarantine(home):
    return duckdb.sql(f"select * from read_parquet('{home}/quarantine/**/*.parquet', "
                      "union_by_name=true) order by row_number").pl()


def ledger(home):
    return duckdb.sql(f"select * from read_parquet('{home}/lake/_ledger/*.parquet')").pl()


def test_each_event_is_a_version_with_its_status(tidbok_home):
    kinds = ["BookingCreated", "BookingMoved", "BookingCancelled", "PatientArrived",
             "VisitCompleted", "PatientNoShow"]
    write_events(tidbok_home, [
        event(eventId=f"E{i}", eventType=kind, eventTime=f"2025-03-0{i + 1}T07:00:00Z",
              cancelledBy="patient" if kind == "BookingCancelled" else None)
        for i, kind in enumerate(kinds)
    ] + [event(eventId="E9", eventTime="2025-07-01T10:00:00+02:00", channel=None)])
    summary = ingest_landing()
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (7, 7, 0)
    rows = lake(tidbok_home)
    assert rows["status"].to_list() == ["booked", "booked", "cancelled", "attended", "attended",
                                        "no_show", "booked"]
    assert rows["source_record_id"].to_list() == ["E0", "E1", "E2", "E3", "E4", "E5", "E9"]
    assert rows["source_row"].to_list() == [1, 2, 3, 4, 5, 6, 7]  # line numbers, no header
    assert (rows["source_feed"] == "booking_events").all()
    # Offsets become Swedish local time (winter +01:00, summer +02:00).
    assert rows["changed_at"][0] == dt.datetime(2025, 3, 1, 8, 0)
    assert rows["changed_at"][6] == dt.datetime(2025, 7, 1, 10, 0)
    assert rows["start_time"][0] == dt.datetime(2025, 3, 10, 8, 15)
    # Creating and moving events say when the booking was made; a cancellation does not.
    assert rows["booked_at"].to_list()[:3] == [dt.datetime(2025, 3, 1, 8, 0),
                                               dt.datetime(2025, 3, 2, 8, 0), None]
    assert rows["cancelled_at"][2] == dt.datetime(2025, 3, 3, 8, 0)
    assert rows["cancelled_by"][2] == "patient"
    assert rows["booking_channel"].to_list()[-1] == "unknown"
    first = rows.row(0, named=True)
    assert first["birth_year"] == 1912 and first["sex"] == "M"
    assert len(first["patient_pseudonym"]) == 64
    assert first["extract_date"] == dt.date(2025, 3, 4) and first["appointment_type"] is None


def test_bad_lines_are_quarantined_with_line_field_and_reason(tidbok_home):
    write_events(tidbok_home, [
        event(),
        '{"eventId": "E2", "eventType": ',  # cut JSON mid-file
        "[1, 2]",
        "",  # a blank line is not a record
        event(eventId="E4", eventType="BookingDeleted"),
        event(eventId="E5", patientId="19121212-1213", cancelReason="ring 191212121212"),
        event(eventId="E6", careUnitId="Vårdcentralen"),
        event(eventId="E7", eventTime=1741072500),
        event(eventId="E8", endTime="2025-03-10T08:00:00+01:00"),
        event(eventId="E9", channel="1177"),
        {k: v for k, v in event(eventId="E10").items() if k != "bookingId"},
        event(eventId="E11", colour="blue"),
    ])
    summary = ingest_landing()
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (11, 1, 10)
    q = quarantine(tidbok_home)
    assert q["row_number"].to_list() == [2, 3, 5, 6, 7, 8, 9, 10, 11, 12]
    assert q["field"].to_list() == ["(line)", "(line)", "eventType", "patientId", "careUnitId",
                                    "eventTime", "endTime", "channel", "bookingId", "colour"]
    reasons = dict(zip(q["row_number"], q["reason"], strict=True))
    assert reasons[2].startswith("not valid JSON")
    assert reasons[3] == "not a JSON object but an array"
    assert "Luhn" in reasons[6]
    assert reasons[8] == "eventTime: expected string, got a number"
    assert reasons[9] == "endTime: before startTime"
    assert reasons[11] == "bookingId: missing"
    assert reasons[12] == "colour: unexpected field"
    assert q["record"][0] is None  # an unparseable line may hold anything: not kept
    assert "patientId (pseudonym)" in q["record"][3]
    text = q.write_csv() + ledger(tidbok_home).write_csv()
    assert "19121212" not in text and "191212121212" not in text


def test_a_renamed_field_rejects_the_file(tidbok_home):
    renamed = [{("careUnitHsaId" if k == "careUnitId" else k): v
                for k, v in event(eventId=e).items()} for e in ("E1", "E2", "E3")]
    write_events(tidbok_home, renamed)
    summary = ingest_landing()
    assert summary.files_rejected == 1 and summary.rows_loaded == 0
    bad = ledger(tidbok_home).row(0, named=True)
    assert "missing field(s) careUnitId" in bad["message"]
    assert "unexpected field(s) 'careUnitHsaId'" in bad["message"]
    assert (bad["rows_read"], bad["rows_loaded"], bad["rows_quarantined"]) == (3, 0, 3)


def test_a_truncated_file_is_rejected_whole(tidbok_home):
    cut = json.dumps(event(eventId="E2"))[:-20]
    write_events(tidbok_home, [event(), cut], final_newline=False)
    summary = ingest_landing()
    assert summary.files_rejected == 1 and summary.rows_loaded == 0
    assert "truncated" in ledger(tidbok_home)["message"][0]


# ---------------------------------------------------------------- late, shuffled, repeated

HISTORIES = [
    ["BookingCreated"],
    ["BookingCreated", "BookingMoved"],
    ["BookingCreated", "BookingCancelled"],
    ["BookingCreated", "BookingMoved", "BookingCancelled"],
    ["BookingCreated", "PatientArrived", "VisitCompleted"],
    ["BookingCreated", "BookingMoved", "PatientNoShow"],
]


def event_stream(bookings: int = 60) -> list[dict]:
    """Every event of `bookings` bookings, in the order they happened."""
    events = []
    t0 = dt.datetime(2025, 3, 1, 8, 0)
    for b in range(bookings):
        start = t0 + dt.timedelta(days=10, hours=b)
        for step, kind in enumerate(HISTORIES[b % len(HISTORIES)]):
            if kind == "BookingMoved":
                start += dt.timedelta(days=2)
            events.append(event(
                eventId=f"E{b}-{step}", eventType=kind, bookingId=f"B{b}",
                eventTime=(t0 + dt.timedelta(hours=b, days=step)).isoformat() + "+01:00",
                startTime=start.isoformat() + "+01:00",
                endTime=(start + dt.timedelta(minutes=10)).isoformat() + "+01:00",
                channel=["eservice", "phone", "staff"][b % 3],
                cancelledBy="patient" if kind == "BookingCancelled" else None,
            ))
    return events


FINAL_STATE = """
with versions as (
    select *, region_code || ':' || booking_id as booking_key
    from read_parquet('{home}/lake/bookings/**/*.parquet', union_by_name = true)
),
deliveries as (
    select *, row_number() over (partition by booking_key, source_record_id
                                 order by extract_date, source_file_hash, source_row
                                 ) as delivery_rank
    from versions
),
unique_versions as (
    select * from deliveries where source_record_id is null or delivery_rank = 1
),
ranked as (
    select *, row_number() over (partition by booking_key order by changed_at desc,
                                 extract_date desc, source_file_hash desc, source_row desc
                                 ) as version_rank,
              count(*) over (partition by booking_key) as version_count
    from unique_versions
)
select * exclude (delivery_rank, version_rank, {lineage})
from ranked where version_rank = 1 order by booking_key
"""  # the logic of dbt's int_booking_versions_ranked, on the lake


def final_state(home):
    return duckdb.sql(FINAL_STATE.format(home=home, lineage=", ".join(LINEAGE))).pl()


def test_late_shuffled_and_repeated_events_give_the_same_final_state(tmp_path, monkeypatch):
    monkeypatch.setenv("TIDBOK_PSEUDONYM_KEY", "test-key-not-secret")
    events = event_stream()

    clean = tmp_path / "clean"
    monkeypatch.setenv("TIDBOK_HOME", str(clean))
    write_events(clean, events, day="2025-03-04")
    assert ingest_landing().rows_loaded == len(events)

    messy = tmp_path / "messy"
    monkeypatch.setenv("TIDBOK_HOME", str(messy))
    rng = random.Random(7)
    delivered = events + [e for i, e in enumerate(events) if i % 3 == 0]  # a third sent twice
    rng.shuffle(delivered)
    third = len(delivered) // 3
    write_events(messy, delivered[:third], day="2025-03-04")
    write_events(messy, delivered[third:2 * third], day="2025-03-05")
    # A late file, days later, with old events and repeats of already delivered ones.
    write_events(messy, delivered[2 * third:] + delivered[:5], day="2025-03-09")
    summary = ingest_landing()
    assert summary.rows_quarantined == 0 and summary.rows_loaded == len(delivered) + 5

    expected, got = final_state(clean), final_state(messy)
    assert expected.height == 60
    assert got.equals(expected)
    assert expected["status"].value_counts().sort("status").to_dicts() == [
        {"status": "attended", "count": 10}, {"status": "booked", "count": 20},
        {"status": "cancelled", "count": 20}, {"status": "no_show", "count": 10}]


@pytest.mark.parametrize("name", ["events_01_2025-03-04.jsonl", "events.ndjson"])
def test_extract_date_comes_from_the_name_or_the_event(tidbok_home, name):
    write_events(tidbok_home, [event()], name=name)
    ingest_landing()
    expected = dt.date(2025, 3, 4)  # the name's date, or the event's own day
    assert lake(tidbok_home)["extract_date"].to_list() == [expected]
