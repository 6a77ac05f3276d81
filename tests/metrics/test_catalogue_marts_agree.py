"""The catalogue and the dbt marts agree, read statically from the dbt project (no
warehouse needed): every available metric has its mart with the declared columns
and types, a contract, and a description beginning "<name.sv> / <name.en>."."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
import yaml

from tidbok import catalogue
from tidbok.config import DBT_PROJECT_DIR

MARTS_DIR = DBT_PROJECT_DIR / "models" / "marts"
# The star and reference tables in marts are not metrics.
NOT_METRICS = {"dim_regions", "dim_units", "dim_date", "fct_bookings", "fct_resident_actions",
               "estimate_parameters"}
TYPES = {"region_code": "varchar", "month": "date", "day": "date", "numerator": "bigint",
         "denominator": "bigint", "rate": "double", "n": "bigint"}


@cache
def mart_models() -> dict[str, dict]:
    """Model name (its alias, if any) -> its yml entry, for every model under marts/."""
    models: dict[str, dict] = {}
    for path in sorted(MARTS_DIR.rglob("*.yml")):
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", []):
            assert (path.parent / f"{model['name']}.sql").exists(), model["name"]
            models[model["name"]] = model
    return models


def column_names(model: dict) -> set[str]:
    return {c["name"] for c in model.get("columns") or []}


def table_name(model: dict) -> str:
    return (model.get("config") or {}).get("alias", model["name"])


def check_mart(metric: catalogue.Metric, mart: str, model: dict) -> None:
    assert (model.get("config") or {}).get("contract") == {"enforced": True}, mart
    prefix = f"{metric.name.sv} / {metric.name.en}."
    assert " ".join(model["description"].split()).startswith(prefix), (mart, prefix)
    columns = {c["name"]: c for c in model["columns"]}
    for column in metric.columns(mart=mart):
        assert column in columns, f"{mart} lacks column {column}"
        data_type = columns[column].get("data_type")
        assert data_type, f"{mart}.{column} has no data_type"
        expected = TYPES.get(column, "double" if column == "value" else "varchar")
        assert data_type == expected or (column == "value" and data_type == "bigint"), (
            mart, column, data_type)
    assert all(c.get("data_type") and c.get("description") for c in model["columns"]), mart


@pytest.mark.parametrize("metric", [m for m in catalogue.metrics() if m.status == "available"],
                         ids=lambda m: m.id)
def test_an_available_metric_has_its_mart(metric: catalogue.Metric) -> None:
    models = {table_name(m): m for m in mart_models().values()}
    assert metric.table in models, f"no dbt model for {metric.mart}"
    check_mart(metric, metric.mart, models[metric.table])
    if metric.detail:
        detail = metric.detail.mart.split(".", 1)[1]
        assert detail in models, f"no dbt model for {metric.detail.mart}"
        check_mart(metric, metric.detail.mart, models[detail])


def test_planned_metrics_have_no_mart_yet_and_every_metric_mart_is_catalogued() -> None:
    tables = {table_name(m) for m in mart_models().values()}
    metrics = catalogue.metrics()
    planned_but_built = sorted(m.id for m in metrics if m.status == "planned" and m.table in tables
                               and m.family != "F")
    assert not planned_but_built, f"set status: available for {planned_but_built}"
    catalogued = {m.table for m in metrics} | {
        m.detail.mart.split(".", 1)[1] for m in metrics if m.detail}
    # a metric mart: region and period columns and measures (quality and freshness
    # tables in marts are not metrics)
    metric_like = {table_name(m) for m in mart_models().values()
                   if {"region_code", "numerator"} <= column_names(m)
                   or {"region_code", "value"} <= column_names(m)}
    orphans = sorted(metric_like - catalogued - NOT_METRICS)
    assert not orphans, f"marts not in dbt/catalogue/metrics.yml: {orphans}"


def test_every_mart_model_has_descriptions_and_a_contract() -> None:
    for name, model in mart_models().items():
        assert model.get("description"), name
        assert (model.get("config") or {}).get("contract") == {"enforced": True}, name


def test_the_estimate_parameters_are_published_as_marts_estimate_parameters() -> None:
    model = mart_models()["published_estimate_parameters"]
    assert table_name(model) == "estimate_parameters"
    seed = (DBT_PROJECT_DIR / "seeds" / "estimate_parameters.csv").read_text(encoding="utf-8")
    header = seed.splitlines()[0].split(",")
    assert {"parameter", "value", "unit", "source", "valid_from", "version"} <= set(header)
    used = {p for m in catalogue.metrics() for p in m.parameters}
    assert used <= {line.split(",")[0] for line in seed.splitlines()[1:]}


def test_catalogue_file_paths() -> None:
    assert Path(catalogue.METRICS_FILE).exists() and Path(catalogue.DIMENSIONS_FILE).exists()
