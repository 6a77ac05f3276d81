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
