"""The vocabulary the gate's suites are written in: one `Rule` per expectation.

A rule is declarative (a name, a severity, what to expect, of which column);
`data_tests.validation` turns a table's rules into a Great Expectations suite.
Severity `block` means the batch must not be loaded; `warn` is recorded only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["block", "warn"]
# Where a rule is evaluated: `rows` on the staged rows (chunk by chunk, so
# counts add up), `delivery` on a one-row summary of the file (volume),
# `schema` on the part's Arrow schema (exact names and types, no rows read).
Scope = Literal["rows", "delivery", "schema"]

HSA_ID_REGEX = r"^SE[0-9]{10}-[A-Za-z0-9]+$"  # as ingestion.hsa.HSA_ID_PATTERN
PSEUDONYM_REGEX = r"^[0-9a-f]{64}$"  # HMAC-SHA256 hex digest (ingestion.pseudonym)
# A personnummer or samordningsnummer (day + 60) standing on its own: century
# form with an optional separator, or the short form with its separator. Month
# and day must be plausible, and the number must not be part of a longer token
# (a UUID's last group, a hex pseudonym, a 14-digit id). A bare 10-digit number
# is not matched: regions' numeric booking ids look exactly like that.
_MONTH = r"(?:0[1-9]|1[0-2])"
_DAY = r"(?:0[1-9]|[12][0-9]|3[01]|6[1-9]|[78][0-9]|9[01])"
PERSON_ID_REGEX = (
    r"(?:^|[^-0-9A-Za-z_])"
    rf"(?:(?:19|20)[0-9]{{2}}{_MONTH}{_DAY}[-+]?[0-9]{{4}}|[0-9]{{2}}{_MONTH}{_DAY}[-+][0-9]{{4}})"
    r"(?:$|[^-0-9A-Za-z_])"
)


@dataclass(frozen=True)
class Rule:
    name: str  # stable id, shown in results and rejection messages
    severity: Severity
    expectation: str  # a Great Expectations expectation class name
    kwargs: dict = field(default_factory=dict, hash=False)
    column: str | None = None
    scope: Scope = "rows"
    # Show a few unexpected values in the observed summary (code lists only:
    # never for identifiers or free text).
    show_values: bool = False


def matches_schema() -> Rule:
    """Column names, order and Arrow types exactly as the table is defined in code.
    Checked by pyarrow on the part's schema: pandas dtypes cannot tell int16
    from int64, so Great Expectations' type expectations would be coarser."""
    return Rule("columns_match_schema", "block", "ArrowSchemaEquals", scope="schema")


def not_null(column: str, severity: Severity = "block") -> Rule:
    return Rule(f"{column}_not_null", severity, "ExpectColumnValuesToNotBeNull",
                {"column": column}, column)


def in_code_list(column: str, values, severity: Severity = "block") -> Rule:
    return Rule(f"{column}_in_code_list", severity, "ExpectColumnValuesToBeInSet",
                {"column": column, "value_set": sorted(values)}, column, show_values=True)


def is_hsa_id(column: str, severity: Severity = "block") -> Rule:
    return Rule(f"{column}_is_hsa_id", severity, "ExpectColumnValuesToMatchRegex",
                {"column": column, "regex": HSA_ID_REGEX}, column)


def is_pseudonym(column: str) -> Rule:
    return Rule(f"{column}_is_pseudonym", "block", "ExpectColumnValuesToMatchRegex",
                {"column": column, "regex": PSEUDONYM_REGEX}, column)


TEXT_OF_ALL_COLUMNS = "_text_of_all_string_columns"  # derived: see data_tests.suites.generic


def holds_no_person_id(column: str = TEXT_OF_ALL_COLUMNS) -> Rule:
    """No personnummer in clear. By default checked once per row on all string
    columns joined (one regex pass instead of one per column); the gate names
    the columns when it fails."""
    name = ("no_column_holds_a_personnummer" if column == TEXT_OF_ALL_COLUMNS
            else f"{column}_holds_no_personnummer")
    return Rule(name, "block", "ExpectColumnValuesToNotMatchRegex",
                {"column": column, "regex": PERSON_ID_REGEX}, column)


def between(column: str, low=None, high=None, severity: Severity = "warn") -> Rule:
    return Rule(f"{column}_in_range", severity, "ExpectColumnValuesToBeBetween",
                {"column": column, "min_value": low, "max_value": high}, column,
                show_values=True)


def not_before(later: str, earlier: str, severity: Severity = "block") -> Rule:
    """`later` >= `earlier` wherever both are known."""
    return Rule(f"{later}_not_before_{earlier}", severity,
                "ExpectColumnPairValuesAToBeGreaterThanB",
                {"column_A": later, "column_B": earlier, "or_equal": True,
                 "ignore_row_if": "either_value_is_missing"}, later)


def at_most(part: str, whole: str, severity: Severity = "block") -> Rule:
    """`part` <= `whole` wherever both are known (answered calls of offered calls)."""
    return Rule(f"{part}_at_most_{whole}", severity, "ExpectColumnPairValuesAToBeGreaterThanB",
                {"column_A": whole, "column_B": part, "or_equal": True,
                 "ignore_row_if": "either_value_is_missing"}, part)


FILE_HASH = "_file_hash"  # derived by the gate: the hash of the row's own file


def is_this_file(column: str = "source_file_hash") -> Rule:
    """Every row carries the hash of the file it came from (rows of many files
    are validated together; the gate adds each row's own file hash)."""
    return Rule(f"{column}_is_this_file", "block", "ExpectColumnPairValuesToBeEqual",
                {"column_A": column, "column_B": FILE_HASH}, column)


VOLUME_CHECK = "rows_loaded_within_band"  # evaluated per file with polars, not GX


def volume_near_previous() -> Rule:
    """Rows loaded within a factor band of the previous delivery of the same
    feed and region (the band comes from data_tests.volume). A per-file
    comparison of two numbers: checked directly by data_tests.gate, per file."""
    return Rule("volume_near_previous_delivery", "warn", VOLUME_CHECK,
                {"column": "rows_loaded"}, "rows_loaded", scope="delivery")


def merged(*groups: list[Rule]) -> list[Rule]:
    """Rules in order; a later rule with the same name replaces an earlier one
    (a table's own suite overrides what the generic suite derived)."""
    by_name: dict[str, Rule] = {}
    for group in groups:
        for rule in group:
            by_name[rule.name] = rule
    return list(by_name.values())
