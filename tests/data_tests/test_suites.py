"""Every lake table gets a suite: generic rules from its Arrow schema, plus its own."""

import re

import pyarrow as pa
import pytest

from data_tests import rules
from data_tests.suites import SPECIFIC, derived_columns, rules_for
from ingestion.registry import canonical_tables, system_tables

ALL_TABLES = {**canonical_tables(), **system_tables()}


@pytest.mark.parametrize("table", sorted(ALL_TABLES))
def test_every_lake_table_has_schema_and_identifier_rules(table):
    schema = ALL_TABLES[table]
    names = {r.name for r in rules_for(table, schema)}
    assert "columns_match_schema" in names
    if any(pa.types.is_string(f.type) for f in schema):
        assert "no_column_holds_a_personnummer" in names
    for field in schema:
        if field.name.endswith("hsa_id"):
            assert f"{field.name}_is_hsa_id" in names
        if field.name.endswith("pseudonym"):
            assert f"{field.name}_is_pseudonym" in names
        if field.name == "source_file_hash":
            assert "source_file_hash_is_this_file" in names


def test_tables_with_their_own_suites_exist():
    assert set(SPECIFIC) <= set(ALL_TABLES)


@pytest.mark.parametrize("table", sorted(ALL_TABLES))
def test_every_rule_names_a_column_of_its_table(table):
    schema = ALL_TABLES[table]
    known = {*schema.names, *derived_columns(table, schema), "rows_loaded", rules.FILE_HASH}
    for rule in rules_for(table, schema):
        columns = [rule.kwargs.get(k) for k in ("column", "column_A", "column_B")]
        assert {c for c in columns if c} <= known, rule.name


def test_every_rule_has_a_severity_and_a_known_expectation():
    import great_expectations.expectations as gxe

    for table, schema in ALL_TABLES.items():
        for rule in rules_for(table, schema):
            assert rule.severity in ("block", "warn"), rule
            assert rule.scope != "rows" or hasattr(gxe, rule.expectation), rule


@pytest.mark.parametrize("text", [
    "19121212-1212", "191212121212", "121212-1212", "ring 19121212-1212 snarast",
    "20121272+1234", "pnr:191212121212",
])
def test_personnummer_pattern_finds_clear_numbers(text):
    assert re.search(rules.PERSON_ID_REGEX, text)


@pytest.mark.parametrize("text", [
    "0100123456",  # a region's numeric booking id: 10 bare digits
    "123e4567-e89b-12d3-a456-191212121212",  # a UUID whose last group looks like one
    "a" * 10 + "191212121212" + "b" * 42,  # inside a hex pseudonym
    "SE2321000016-A1D4", "2025-03-04 08:15", "[id borttaget]", "19121312-1212",
])
def test_personnummer_pattern_leaves_other_values(text):
    assert not re.search(rules.PERSON_ID_REGEX, text)


def test_hsa_pattern_is_the_ingestion_one():
    from ingestion.hsa import HSA_ID_PATTERN

    assert rules.HSA_ID_REGEX == HSA_ID_PATTERN


# --- columns the one-pass personnummer rule leaves to their own blocking rules ---
# (data_tests.suites.generic.shape_guaranteed: the proof that it loses nothing)

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from data_tests.suites import generic  # noqa: E402


def _holds_person_id(value: str) -> bool:
    """As the gate sees a value: between the joined text's separators."""
    return any(re.search(rules.PERSON_ID_REGEX, text)
               for text in (value, f"\x1f{value}\x1f", f"x\x1f{value}\x1fy"))


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.from_regex(rules.HSA_ID_REGEX, fullmatch=True),
                 st.from_regex(r"SE(19|20)[0-9]{8}-(19|20)[0-9]{2}(0[1-9]|1[0-2])[0-2][0-9]"
                               r"[0-9]{4}", fullmatch=True)))
def test_no_hsa_id_can_hold_a_personnummer(value):
    assert re.fullmatch(rules.HSA_ID_REGEX, value)
    assert not _holds_person_id(value)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.from_regex(rules.PSEUDONYM_REGEX, fullmatch=True),
                 st.text("0123456789", min_size=64, max_size=64)))
def test_no_pseudonym_can_hold_a_personnummer(value):
    assert re.fullmatch(rules.PSEUDONYM_REGEX, value)
    assert not _holds_person_id(value)


def test_a_personnummer_next_to_a_guaranteed_value_is_still_found():
    # Guaranteed columns are left out of the joined text, never glued to a neighbour.
    assert _holds_person_id("19121212-1212")
    assert re.search(rules.PERSON_ID_REGEX, "\x1f".join(["x", "191212121212", "y"]))


@pytest.mark.parametrize("table", sorted(ALL_TABLES))
def test_only_shape_checked_columns_are_left_out_of_the_personnummer_text(table):
    schema = ALL_TABLES[table]
    table_rules = rules_for(table, schema)
    blocking = {(x.column, x.expectation) for x in table_rules if x.severity == "block"}
    for column in generic.shape_guaranteed(table_rules):
        assert ((column, "ExpectColumnValuesToMatchRegex") in blocking
                or (column, "ExpectColumnValuesToBeInSet") in blocking), column
        codes = [x.kwargs["value_set"] for x in table_rules
                 if x.column == column and x.expectation == "ExpectColumnValuesToBeInSet"]
        assert not any(_holds_person_id(str(v)) for values in codes for v in values)


def test_bookings_free_text_and_ids_stay_in_the_personnummer_text():
    from ingestion.canonical import BOOKINGS

    exempt = generic.shape_guaranteed(rules_for("bookings", BOOKINGS))
    assert {"care_unit_hsa_id", "time_book_hsa_id", "patient_pseudonym", "status",
            "region_code", "sex"} <= exempt
    for column in ("cancel_reason", "time_type_name", "booking_id", "referral_id",
                   "source_record_id", "source_file_hash", "rebooked_from_booking_id"):
        assert column not in exempt
    # A warn-only code list does not exempt its column (a warning loads the file).
    assert "region_code" not in generic.shape_guaranteed(
        [x for x in rules_for("bookings", BOOKINGS) if x.name != "region_code_in_code_list"]
        + [rules.in_code_list("region_code", ["01"], severity="warn")])
