"""Rules every lake table gets, derived from its Arrow schema and column names.

Naming conventions carry meaning across feeds: `*hsa_id` is an HSA-id,
`*pseudonym` a keyed pseudonym, `*_id_type` the kind of personal identity
number it replaced. Every string column, whatever its name, must hold no
personnummer in clear.
"""

from __future__ import annotations

import csv
import datetime as dt
from functools import cache

import polars as pl
import pyarrow as pa

from data_tests import rules as r
from ingestion.registry import KNOWN_FEEDS
from tidbok import codes, config

PERSON_ID_TYPES = ("personnummer", "samordningsnummer", "reservnummer")
SEXES = ("M", "F")
AGE_BANDS = tuple(label for _, _, label in codes.AGE_BANDS)


@cache
def county_codes() -> tuple[str, ...]:
    with config.REGIONS_CSV.open(encoding="utf-8") as fh:
        return tuple(row["regionkod"] for row in csv.DictReader(fh))


def column_rules(name: str, dtype: pa.DataType, nullable: bool) -> list[r.Rule]:
    rules = []
    if not nullable:
        rules.append(r.not_null(name))
    if name.endswith("hsa_id"):
        rules.append(r.is_hsa_id(name))
    if name.endswith("pseudonym"):
        rules.append(r.is_pseudonym(name))
    if name.endswith("_id_type"):
        rules.append(r.in_code_list(name, PERSON_ID_TYPES))
    if name == "source_file_hash":
        rules += [r.not_null(name), r.is_this_file(name)]
    if name == "source_feed":
        rules += [r.not_null(name), r.in_code_list(name, KNOWN_FEEDS)]
    if name == "region_code":  # the landing folder: a county, national, or a foreign source
        rules.append(r.in_code_list(name, (*county_codes(), "national"), severity="warn"))
    if name == "sex":
        rules.append(r.in_code_list(name, SEXES))
    if name == "age_band":
        rules.append(r.in_code_list(name, AGE_BANDS))
    if name == "birth_year":
        rules.append(r.between(name, 1880, dt.date.today().year))
    return rules


def string_columns(schema: pa.Schema) -> list[str]:
    return [f.name for f in schema
            if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]


def schema_rules(schema: pa.Schema) -> list[r.Rule]:
    rules = [r.matches_schema()]
    if string_columns(schema):
        rules.append(r.holds_no_person_id())
    for field in schema:
        rules += column_rules(field.name, field.type, field.nullable)
    return rules


# Rules that hold every non-null value of their column to a shape in which a
# personnummer cannot stand on its own (PERSON_ID_REGEX needs a boundary that is
# not a letter, digit, '-' or '_' on both sides of 10-13 characters): an HSA-id
# (SE + 10 digits glued to the 'E', then '-' + a local part whose digits follow
# the '-'), a 64-character hex pseudonym, or a code of a list none of whose codes
# matches. tests/data_tests/test_suites.py proves it for every value of these shapes.
_SHAPE_REGEXES = (r.HSA_ID_REGEX, r.PSEUDONYM_REGEX)


def shape_guaranteed(rules: list[r.Rule]) -> set[str]:
    """String columns a blocking rule already keeps free of a personnummer.

    The one-pass `no_column_holds_a_personnummer` rule need not read them: a value
    that breaks such a rule blocks the file on that rule (the same verdict), and a
    value that keeps it cannot hold a personnummer. Leaving them out of the joined
    text makes the regex pass (and the text) several times shorter."""
    import re

    found = set()
    for rule in rules:
        if rule.severity != "block" or rule.scope != "rows" or not rule.column:
            continue
        if (rule.expectation == "ExpectColumnValuesToMatchRegex"
                and rule.kwargs.get("regex") in _SHAPE_REGEXES):
            found.add(rule.column)
        elif rule.expectation == "ExpectColumnValuesToBeInSet" and not any(
                re.search(r.PERSON_ID_REGEX, str(v)) for v in rule.kwargs["value_set"]):
            found.add(rule.column)
    return found


def derived_columns(schema: pa.Schema, exempt: set[str] | frozenset = frozenset()) -> dict:
    """The string columns of the data (whatever the schema says) joined by a
    control character, a word boundary for the personnummer pattern; columns in
    `exempt` (see `shape_guaranteed`) are left out."""
    if not string_columns(schema):
        return {}

    def all_text(frame: pl.DataFrame) -> pl.Expr:
        names = [n for n, t in frame.schema.items() if t == pl.String and n not in exempt]
        if not names:
            return pl.lit("", dtype=pl.String)
        return pl.concat_str([pl.col(n) for n in names], separator="\x1f", ignore_nulls=True)

    return {r.TEXT_OF_ALL_COLUMNS: all_text}
