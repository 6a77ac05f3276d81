"""The gate on canonical bookings: passes clean data, names the broken expectation."""

import datetime as dt
import re

import polars as pl
import pyarrow.parquet as pq
import pytest

from data_tests.gate import run_gate
from data_tests.results import GATE_RESULTS
from data_tests.rules import PERSON_ID_REGEX
from ingestion.canonical import BOOKINGS


def gate(file, frame, previous=None):
    return run_gate(file, "bookings", frame, previous, schema=BOOKINGS)


def failed(outcome) -> dict[str, str]:
    rows = outcome.results.filter(~pl.col("success"))
    return dict(zip(rows["expectation"], rows["severity"], strict=True))


def test_clean_bookings_pass_every_expectation(clean_bookings):
    file, frame = clean_bookings
    outcome = gate(file, frame)
    assert not outcome.blocked and outcome.warnings == []
    results = outcome.results
    assert results["success"].all()
    assert results.schema == pl.from_arrow(GATE_RESULTS.empty_table()).schema
    assert {"columns_match_schema", "no_column_holds_a_personnummer", "status_in_code_list",
            "care_unit_hsa_id_is_hsa_id", "patient_pseudonym_is_pseudonym",
            "end_time_not_before_start_time", "volume_near_previous_delivery"} <= set(
        results["expectation"])
    assert (results.filter(pl.col("expectation") == "status_in_code_list")["rows_checked"]
            == frame.height).all()


@pytest.mark.parametrize(("column", "value", "expectation"), [
    ("status", "pending", "status_in_code_list"),
    ("care_service", "AKUT", "care_service_in_code_list"),
    ("care_unit_hsa_id", "2321000016-A1D4", "care_unit_hsa_id_is_hsa_id"),
    ("time_book_hsa_id", "SE2321000016_A1D5", "time_book_hsa_id_is_hsa_id"),
    ("patient_pseudonym", "19121212-1212", "patient_pseudonym_is_pseudonym"),
    ("booking_id", None, "booking_id_not_null"),
    ("source_file_hash", "f" * 64, "source_file_hash_is_this_file"),
])
def test_a_broken_value_blocks_with_its_expectation(clean_bookings, column, value, expectation):
    file, frame = clean_bookings
    broken = frame.with_columns(
        pl.when(pl.col("source_row") == 5).then(pl.lit(value, dtype=pl.String))
        .otherwise(pl.col(column)).alias(column))
    outcome = gate(file, broken)
    assert outcome.blocked
    assert failed(outcome)[expectation] == "block"
    message = next(m for m in outcome.blocking_failures if expectation in m)
    assert message.startswith(f"gate: {expectation} failed on bookings: 1 of 20 row(s)")


def test_a_bad_code_is_shown_but_an_identifier_never(clean_bookings):
    file, frame = clean_bookings
    outcome = gate(file, frame.with_columns(
        status=pl.lit("pending"), patient_pseudonym=pl.lit("19121212-1212")))
    observed = dict(zip(outcome.results["expectation"], outcome.results["observed"],
                        strict=True))
    assert "'pending'" in observed["status_in_code_list"]
    assert observed["patient_pseudonym_is_pseudonym"] == "20 of 20 row(s) unexpected (100.00%)"
    assert not re.search(PERSON_ID_REGEX, outcome.results.write_csv())
    assert not any(re.search(PERSON_ID_REGEX, m) for m in outcome.blocking_failures)


def test_a_clear_personnummer_in_any_column_blocks_and_names_the_column(clean_bookings):
    file, frame = clean_bookings
    outcome = gate(file, frame.with_columns(
        cancel_reason=pl.when(pl.col("source_row") == 3).then(pl.lit("ring 191212121212"))))
    assert failed(outcome) == {"no_column_holds_a_personnummer": "block"}
    assert outcome.message == ("gate: no_column_holds_a_personnummer failed on bookings: "
                               "1 of 20 row(s) unexpected (5.00%); in column(s) cancel_reason")


def test_end_before_start_blocks(clean_bookings):
    file, frame = clean_bookings
    outcome = gate(file, frame.with_columns(end_time=pl.col("start_time") - dt.timedelta(hours=1)))
    assert failed(outcome) == {"end_time_not_before_start_time": "block"}


def test_changed_before_booked_only_warns(clean_bookings):
    file, frame = clean_bookings
    outcome = gate(file, frame.with_columns(changed_at=pl.col("booked_at") - dt.timedelta(days=1)))
    assert failed(outcome) == {"changed_at_not_before_booked_at": "warn"}
    assert not outcome.blocked and len(outcome.warnings) == 1


def test_volume_collapse_against_the_previous_delivery_warns(clean_bookings):
    file, frame = clean_bookings
    previous = {"rows_loaded": 1000}
    outcome = gate(file, frame, previous)
    assert failed(outcome) == {"volume_near_previous_delivery": "warn"}
    assert not outcome.blocked
    assert outcome.warnings == [
        "gate: volume_near_previous_delivery failed on bookings: 20 row(s) loaded; "
        "the previous delivery loaded 1000 (expected 200 to 5000)"]
    assert not failed(gate(file, frame, {"rows_loaded": 30}))


def test_the_staged_part_is_read_in_chunks(clean_bookings, tmp_path, monkeypatch):
    file, frame = clean_bookings
    part = tmp_path / "part.parquet"
    pq.write_table(frame.to_arrow().cast(BOOKINGS), part, row_group_size=7)
    monkeypatch.setattr("data_tests.gate.CHUNK_ROWS", 7)
    broken = frame.with_columns(status=pl.lit("pending"))
    pq.write_table(broken.to_arrow().cast(BOOKINGS), tmp_path / "broken.parquet")
    assert not gate(file, part).blocked
    outcome = gate(file, tmp_path / "broken.parquet")
    row = outcome.results.filter(pl.col("expectation") == "status_in_code_list").row(0, named=True)
    assert (row["rows_checked"], row["unexpected_count"]) == (20, 20)  # summed over 3 chunks


def test_a_wrong_schema_blocks(clean_bookings):
    file, frame = clean_bookings
    outcome = gate(file, frame.drop("reminder").with_columns(pl.col("birth_year").cast(pl.Int64)))
    assert failed(outcome)["columns_match_schema"] == "block"
    observed = outcome.results.filter(pl.col("expectation") == "columns_match_schema")["observed"]
    assert observed[0] == "missing column(s) reminder; birth_year is int64, expected int16"


def test_every_row_is_checked_by_every_rule(clean_bookings):
    file, frame = clean_bookings
    outcome = gate(file, frame.with_columns(care_unit_hsa_id=pl.lit("not-an-hsa-id"),
                                            status=pl.lit("pending")))
    rows = {r["expectation"]: r for r in outcome.results.to_dicts()}
    hsa, status = rows["care_unit_hsa_id_is_hsa_id"], rows["status_in_code_list"]
    assert (hsa["rows_checked"], hsa["unexpected_count"], hsa["success"]) == (20, 20, False)
    assert hsa["observed"] == "20 of 20 row(s) unexpected (100.00%)"
    assert (status["rows_checked"], status["unexpected_count"]) == (20, 20)


def test_a_personnummer_in_a_shape_checked_column_still_blocks(clean_bookings):
    # Such columns are not in the one-pass personnummer text: their own rule blocks.
    file, frame = clean_bookings
    outcome = gate(file, frame.with_columns(
        time_book_hsa_id=pl.when(pl.int_range(pl.len()) == 2).then(pl.lit("191212121212"))
        .otherwise(pl.col("time_book_hsa_id"))))
    assert failed(outcome) == {"time_book_hsa_id_is_hsa_id": "block"}
    assert not any(re.search(PERSON_ID_REGEX, m) for m in outcome.blocking_failures)


def test_a_narrow_integer_column_is_checked_row_by_row(clean_bookings):
    # birth_year is int16: widened for Great Expectations, still every value compared.
    file, frame = clean_bookings
    outcome = gate(file, frame.with_columns(
        birth_year=pl.when(pl.int_range(pl.len()) < 3).then(pl.lit(1700, dtype=pl.Int16))
        .otherwise(pl.col("birth_year"))))
    assert failed(outcome) == {"birth_year_in_range": "warn"}
    row = outcome.results.filter(pl.col("expectation") == "birth_year_in_range").row(0, named=True)
    assert (row["rows_checked"], row["unexpected_count"]) == (20, 3)
    assert "1700" in row["observed"]


def test_rules_on_columns_with_and_without_nulls_fail_together(clean_bookings):
    # The rules run in two validations (columns with nulls apart): both report.
    file, frame = clean_bookings
    assert frame["cancelled_by"].null_count()  # a column with nulls
    outcome = gate(file, frame.with_columns(
        status=pl.lit("pending"),
        cancelled_by=pl.when(pl.int_range(pl.len()) == 1).then(pl.lit("martian"))))
    assert failed(outcome) == {"status_in_code_list": "block", "cancelled_by_in_code_list": "block"}
    counts = dict(zip(outcome.results["expectation"], outcome.results["unexpected_count"],
                      strict=True))
    assert (counts["status_in_code_list"], counts["cancelled_by_in_code_list"]) == (20, 1)
