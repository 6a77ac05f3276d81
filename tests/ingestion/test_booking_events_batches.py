"""booking_events read in many small batches gives what one batch gives, and free
text typed with a personnummer is scrubbed in the loaded rows too."""

import json

import duckdb

from ingestion.feeds import _jsonl, _people_cache
from ingestion.runner import ingest_landing
from tests.ingestion.test_booking_events import event, write_events


def lake(home):
    return duckdb.sql(f"select * exclude (source_file_hash) from read_parquet("
                      f"'{home}/lake/bookings/**/*.parquet', union_by_name=true) "
                      "order by source_row").fetchall()


def quarantine(home):
    return duckdb.sql(f"select row_number, field, reason, record from read_parquet("
                      f"'{home}/quarantine/**/*.parquet', union_by_name=true) "
                      "order by row_number").fetchall()


def lines():
    out = []
    for i in range(60):  # patients 19121212-1212 and, every third line, 20000101-0016
        if i % 7 == 3:
            out.append(json.dumps(event(eventId=f"E{i}", eventTime=i)))  # wrong type
        elif i % 11 == 5:
            out.append('{"eventId": "cut')
        else:
            out.append(event(eventId=f"E{i}", bookingId=f"B{i % 9}",
                             patientId="20000101-0016" if i % 3 == 0 else "19121212-1212",
                             cancelReason=f"ring mig på 19121212-1212 ({i})"))
    return out


def test_small_batches_give_the_same_rows_and_reasons(tmp_path, monkeypatch):
    results = []
    for batch_bytes in (1 << 26, 700):
        home = tmp_path / str(batch_bytes)
        monkeypatch.setenv("TIDBOK_HOME", str(home))
        monkeypatch.setenv("TIDBOK_PSEUDONYM_KEY", "test-key-not-secret")
        monkeypatch.setattr(_jsonl, "BATCH_BYTES", batch_bytes)
        # Small batches also overflow the file's people cache, which then starts again.
        monkeypatch.setattr(_people_cache, "LIMIT", 2 if batch_bytes < 1000 else 10**6)
        write_events(home, lines())
        summary = ingest_landing()
        # 9 with a wrong type, 4 more cut (line 39 is both)
        assert (summary.rows_read, summary.rows_quarantined) == (60, 9 + 4)
        results.append((lake(home), quarantine(home)))
    assert results[0] == results[1]
    loaded, rejected = results[0]
    assert [r[0] for r in rejected] == sorted(r[0] for r in rejected)
    text = repr(loaded) + repr(rejected)
    assert "19121212" not in text and "20000101" not in text and "[id borttaget]" in text
    assert len({r[5] for r in loaded}) == 2  # patient_pseudonym: two people
