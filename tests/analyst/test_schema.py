"""The analyst schema built by every publish: documented marts only, with their comments."""

from __future__ import annotations

import re

import duckdb
import pytest

from ingestion.personnummer import InvalidPersonId, parse_person_id
from tests.analyst.conftest import make_documented_warehouse
from tidbok import config, publish
from tidbok.analyst.schema import (
    ANALYST_SCHEMA,
    GUIDE_TABLES,
    IDENTIFIER_COLUMN,
    build_analyst_schema,
)

PERSON_NUMBER_LIKE = re.compile(r"(?<!\d)(\d{6}|\d{8})[-+]?\d{4}(?!\d)")


def open_served(path):
    con = duckdb.connect(":memory:")
    con.execute(f"ATTACH '{path}' AS s (READ_ONLY)")
    con.execute("USE s")
    return con


def analyst_relations(con) -> dict[str, str | None]:
    rows = con.execute(
        "SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = ? "
        "UNION ALL SELECT view_name, comment FROM duckdb_views() WHERE schema_name = ?",
        [ANALYST_SCHEMA, ANALYST_SCHEMA]).fetchall()
    return dict(rows)


def test_only_documented_marts_are_exposed_with_their_comments(served):
    con = open_served(config.serving_path())
    relations = analyst_relations(con)
    assert set(relations) == {"no_show_rate", "dim_regions", "publish_info", *GUIDE_TABLES}
    assert relations["no_show_rate"].startswith("Uteblivna besök / No-show rate.")
    assert all(relations.values()), "every analyst table carries a description"
    comments = dict(con.execute(
        "SELECT column_name, comment FROM duckdb_columns() "
        "WHERE schema_name = 'analyst' AND table_name = 'no_show_rate'").fetchall())
    assert comments["numerator"] == "No-shows (Uteblev)."
    assert comments["month"] == "First day of the month of the appointment start."
    # The views read the marts: same rows.
    assert (con.execute("SELECT * FROM analyst.no_show_rate ORDER BY ALL").fetchall()
            == con.execute("SELECT * FROM marts.no_show_rate ORDER BY ALL").fetchall())


def test_the_guides_give_grain_aggregation_and_disclosure(served):
    con = open_served(config.serving_path())
    guide = {r[0]: r[1:] for r in con.execute(
        "SELECT table_name, kind, grain, aggregation, disclosure FROM analyst.table_guide"
    ).fetchall()}
    assert guide["no_show_rate"] == ("metric", "region_code, month, booking_channel", "ratio",
                                     "people")
    assert guide["dim_regions"][:2] == ("dimension", "region_code")
    assert guide["publish_info"][0] == "meta"
    columns = con.execute("SELECT column_name, data_type, description FROM analyst.column_guide "
                          "WHERE table_name = 'no_show_rate' ORDER BY position").fetchall()
    assert [c[0] for c in columns] == ["region_code", "month", "booking_channel", "numerator",
                                       "denominator", "rate"]
    assert columns[3] == ("numerator", "BIGINT", "No-shows (Uteblev).")
    version = con.execute("SELECT version FROM analyst.publish_info").fetchone()[0]
    assert version == con.execute("SELECT version FROM meta.publish_info").fetchone()[0]


def test_no_identifier_columns_and_no_personnummer_values(served):
    con = open_served(config.serving_path())
    assert_no_identifiers(con)


def assert_no_identifiers(con, schemas: tuple[str, ...] | None = None) -> None:
    """No column named like an identifier (in `schemas`, or anywhere in the serving file),
    and no value in the analyst schema that is a valid personnummer or samordningsnummer."""
    names = con.execute("SELECT schema_name, table_name, column_name FROM duckdb_columns() "
                        "WHERE database_name = current_database()").fetchall()
    named = [n for n in names if IDENTIFIER_COLUMN.search(n[2])
             and (schemas is None or n[0] in schemas)]
    assert named == []
    text_columns = con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = "
        "current_database() AND schema_name = 'analyst' AND data_type = 'VARCHAR'").fetchall()
    found = []
    for table, column in text_columns:
        for (value,) in con.execute(f'SELECT DISTINCT "{column}" FROM analyst."{table}" '
                                    f'WHERE "{column}" IS NOT NULL').fetchall():
            for match in PERSON_NUMBER_LIKE.finditer(value):
                try:
                    parse_person_id(match.group(0))
                except InvalidPersonId:
                    continue
                found.append((table, column))  # never the value itself
    assert found == []


def test_the_value_check_would_catch_a_personnummer():
    # 19121212-1212 is Skatteverket's well-known test number.
    assert parse_person_id(PERSON_NUMBER_LIKE.search("id 19121212-1212 x").group(0))
    # Organisation numbers (month 21) are not person numbers.
    with pytest.raises(InvalidPersonId):
        parse_person_id("232100-0016")


def test_row_level_tables_and_identifier_columns_are_withheld(served, caplog):
    con = duckdb.connect(str(config.warehouse_path()))
    con.execute("CREATE TABLE marts.visits AS SELECT '13' AS region_code, 'x' AS patient_pseudonym")
    con.execute("COMMENT ON TABLE marts.visits IS 'Visits.'")
    con.execute("CREATE TABLE marts.fct_actions AS SELECT '13' AS region_code, 'book' AS action")
    con.execute("COMMENT ON TABLE marts.fct_actions IS 'One row per action.'")
    con.close()
    publish.publish()
    relations = analyst_relations(open_served(config.serving_path()))
    assert "visits" not in relations and "fct_actions" not in relations
    assert "no_show_rate" in relations
    warnings = " ".join(r.getMessage() for r in caplog.records)
    assert "marts.visits is not exposed" in warnings and "patient_pseudonym" in warnings


def test_the_builder_withholds_fact_tables_itself(caplog):
    # publish strips fct_* before the analyst schema is built; the builder does not rely
    # on it (defence in depth).
    con = duckdb.connect(":memory:")
    con.execute("CREATE SCHEMA marts")
    con.execute("CREATE TABLE marts.fct_actions AS SELECT '13' AS region_code, 'book' AS action")
    con.execute("COMMENT ON TABLE marts.fct_actions IS 'One row per action.'")
    assert build_analyst_schema(con) == []
    assert analyst_relations(con).keys() == set(GUIDE_TABLES)
    assert "marts.fct_actions is not exposed in the analyst schema: it is a row-level fact " \
           "table" in caplog.text


def test_republishing_rebuilds_the_schema_from_the_new_marts(served):
    make_documented_warehouse(served, scale=10)
    publish.publish()
    con = open_served(config.serving_path())
    assert con.execute("SELECT sum(denominator) FROM analyst.no_show_rate").fetchone()[0] == 19500


@pytest.mark.parametrize("name", ["pseudonym", "patient_pseudonym", "personnummer",
                                  "patient_id", "subject_of_care", "birth_date"])
def test_identifier_names(name):
    assert IDENTIFIER_COLUMN.search(name)


@pytest.mark.parametrize("name", ["region_code", "care_unit_hsa_id", "booking_channel",
                                  "age_band", "numerator", "source_system_hsa_id"])
def test_dimension_names_are_not_identifiers(name):
    assert not IDENTIFIER_COLUMN.search(name)
