"""The metric catalogue (dbt/catalogue/*.yml) holds every metric of METRICS.md, in
both languages, with valid codes, and loads into the rows serving publishes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tidbok import catalogue
from tidbok.catalogue import CatalogueError, parse_dimensions, parse_metrics

METRICS_MD = Path(__file__).resolve().parents[3] / "shared" / "docs" / "METRICS.md"
SECTION = re.compile(r"^## ([A-G])\. ")
TABLE_ID = re.compile(r"`([a-z][a-z0-9_]*)`")


def metrics_md_ids() -> dict[str, str]:
    """id -> section letter, from the first column of the tables of sections A-E."""
    if not METRICS_MD.exists():
        pytest.fail(f"METRICS.md not found at {METRICS_MD}")
    ids: dict[str, str] = {}
    section = None
    for line in METRICS_MD.read_text(encoding="utf-8").splitlines():
        heading = SECTION.match(line)
        if heading:
            section = heading.group(1)
            continue
        if section in {"A", "B", "C", "D", "E"} and line.startswith("| `"):
            first_cell = line.split("|")[1]
            for metric_id in TABLE_ID.findall(first_cell):
                ids[metric_id] = section
    return ids


def effect_targets() -> set[str]:
    """The metrics section F asks a go-live effect for."""
    text = METRICS_MD.read_text(encoding="utf-8")
    section_f = text.split("## F.", 1)[1].split("## G.", 1)[0]
    return set(TABLE_ID.findall(section_f))


def test_metrics_md_is_parsed() -> None:
    ids = metrics_md_ids()
    assert len(ids) >= 45
    assert {"no_show_rate", "travel_km_saved", "co2_kg_saved", "source_latency_p95_ms",
            "first_contact_digital_share"} <= set(ids)


def test_every_metrics_md_id_is_in_the_catalogue_in_its_section() -> None:
    by_id = {m.id: m for m in catalogue.metrics()}
    expected = metrics_md_ids()
    missing = sorted(set(expected) - set(by_id))
    assert not missing, f"METRICS.md ids missing from dbt/catalogue/metrics.yml: {missing}"
    wrong = {i: (by_id[i].family, s) for i, s in expected.items() if by_id[i].family != s}
    assert not wrong, f"family differs from the METRICS.md section: {wrong}"


def test_every_effect_of_section_f_and_the_benchmark_of_g_are_catalogued() -> None:
    effects = {m.effect_of for m in catalogue.metrics() if m.family == "F"}
    assert effect_targets() <= effects
    assert any(m.family == "G" for m in catalogue.metrics())
    extra = {m.id for m in catalogue.metrics()} - set(metrics_md_ids())
    assert all(catalogue.metric(i).family in {"F", "G"} for i in extra), extra


@pytest.mark.parametrize("metric", catalogue.metrics(), ids=lambda m: m.id)
def test_both_languages_and_codes(metric: catalogue.Metric) -> None:
    for text in (metric.name, metric.definition, metric.evidences):
        assert text.sv.strip() and text.en.strip()
    assert metric.name.sv != metric.name.en or metric.name.sv.isupper()
    assert metric.family in catalogue.FAMILIES
    assert metric.unit in catalogue.UNITS
    assert metric.direction in catalogue.DIRECTIONS
    assert metric.aggregation in catalogue.AGGREGATIONS
    assert metric.time_grain in catalogue.TIME_GRAINS
    assert metric.disclosure in catalogue.DISCLOSURES
    if metric.family == "F":
        assert metric.mart == "marts.effect_estimates" and metric.effect_of
    else:
        assert metric.mart == f"marts.{metric.id}"
    columns = {d.name: d.column for d in catalogue.dimensions()}
    assert all(d in columns for d in metric.dimensions)
    # a rate's parts are counts: a share needs aggregation ratio
    if metric.unit in {"share", "per_1000"} and metric.family != "F":
        assert metric.aggregation == "ratio"


def test_headlines_cover_the_benefit_families() -> None:
    headline = {m.family for m in catalogue.metrics() if m.headline}
    assert {"A", "B", "D"} <= headline
    assert catalogue.metric("no_show_rate").headline


def test_dimensions_have_labels_and_unique_columns() -> None:
    dims = catalogue.dimensions()
    assert {"region", "month", "day"} <= {d.name for d in dims}
    for d in dims:
        assert d.label.sv and d.label.en and d.description.sv and d.description.en
    extra = [d.column for d in dims if d.kind == "dimension"]
    assert len(extra) == len(set(extra))
    contract = {"channel": "booking_channel", "reminder": "reminder", "unit": "care_unit_hsa_id",
                "lead_time_band": "lead_time_band", "contact_type": "contact_type",
                "care_service": "care_service", "age_band": "age_band", "service": "service",
                "reason": "reason", "auth_method": "auth_method", "interaction": "interaction",
                "source_system": "source_system_hsa_id"}
    assert contract.items() <= {d.name: d.column for d in dims}.items()


def test_metric_lookup_and_columns() -> None:
    no_show = catalogue.metric("no_show_rate")
    assert no_show.columns() == ("region_code", "month", "booking_channel",
                                 "numerator", "denominator", "rate")
    assert no_show.detail is not None
    assert no_show.columns(mart=no_show.detail.mart)[-4:] == (
        "care_level", "numerator", "denominator", "rate")
    assert catalogue.metric("lead_time_days").columns()[-2:] == ("value", "n")
    with pytest.raises(KeyError):
        catalogue.metric("no_such_metric")


def test_catalogue_table_rows_match_the_declared_columns() -> None:
    rows = catalogue.catalogue_table_rows()
    assert len(rows) == len(catalogue.metrics())
    assert all(list(row) == list(catalogue.CATALOGUE_TABLE_COLUMNS) for row in rows)
    no_show = next(r for r in rows if r["metric_id"] == "no_show_rate")
    assert no_show["name_sv"] == "Uteblivna besök"
    assert no_show["dimension_columns"] == ["booking_channel"]
    assert no_show["detail_mart"] == "marts.no_show_rate_by_dimension"


DIMENSIONS = {"dimensions": [
    {"name": "channel", "kind": "dimension", "column": "booking_channel",
     "label": {"sv": "Kanal", "en": "Channel"}, "description": {"sv": "x", "en": "x"}},
]}
GOOD = {"id": "x_rate", "family": "B", "headline": False, "status": "planned",
        "name": {"sv": "X", "en": "X rate"}, "definition": {"sv": "d", "en": "d"},
        "unit": "share", "direction": "lower_is_better", "aggregation": "ratio",
        "time_grain": "month", "dimensions": ["channel"], "evidences": {"sv": "e", "en": "e"},
        "disclosure": "people", "mart": "marts.x_rate"}


@pytest.mark.parametrize(("change", "message"), [
    ({"name": {"sv": "", "en": "X"}}, "x_rate.name.sv"),
    ({"name": {"sv": "X"}}, "x_rate.name"),
    ({"unit": "percent"}, "x_rate.unit"),
    ({"family": "H"}, "x_rate.family"),
    ({"dimensions": ["colour"]}, "x_rate.dimensions"),
    ({"mart": "marts.other"}, "x_rate.mart"),
    ({"headline": "yes"}, "x_rate.headline"),
    ({"family": "F"}, "x_rate.effect_of"),
    ({"id": "X-Rate", "mart": "marts.X-Rate"}, ".id"),
])
def test_a_broken_entry_is_rejected_naming_it(change: dict, message: str) -> None:
    dims = parse_dimensions(DIMENSIONS)
    assert parse_metrics({"metrics": [GOOD]}, dims)[0].id == "x_rate"
    with pytest.raises(CatalogueError, match=re.escape(message)):
        parse_metrics({"metrics": [{**GOOD, **change}]}, dims)


def test_duplicate_ids_are_rejected() -> None:
    dims = parse_dimensions(DIMENSIONS)
    with pytest.raises(CatalogueError, match="duplicate"):
        parse_metrics({"metrics": [GOOD, GOOD]}, dims)
