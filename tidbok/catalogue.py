"""The metric catalogue (DESIGN.md decision 8): load and validate dbt/catalogue/*.yml.

`metrics()`, `metric(id)` and `dimensions()` are what the API, the dashboards and the
tests read; `catalogue_table_rows()` is what the publish step writes to
`meta.metric_catalogue` in serving. The format is described in docs/metric_catalogue.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from tidbok.config import DBT_PROJECT_DIR

CATALOGUE_DIR = DBT_PROJECT_DIR / "catalogue"
METRICS_FILE = CATALOGUE_DIR / "metrics.yml"
DIMENSIONS_FILE = CATALOGUE_DIR / "dimensions.yml"

FAMILIES = ("A", "B", "C", "D", "E", "F", "G")
UNITS = ("share", "count", "per_1000", "minutes", "km", "kg_co2", "days", "ms", "ratio")
DIRECTIONS = ("lower_is_better", "higher_is_better", "neutral")
AGGREGATIONS = ("ratio", "sum", "none")
TIME_GRAINS = ("month", "day")
DISCLOSURES = ("people", "not_personal")
STATUSES = ("available", "planned")
DIMENSION_KINDS = ("region", "period", "dimension")
MART_SCHEMA = "marts"
REGION_COLUMN = "region_code"
# Measure columns of a mart, by aggregation (docs/metric_catalogue.md).
MEASURE_COLUMNS = {
    "ratio": ("numerator", "denominator", "rate"),
    "sum": ("value",),
    "none": ("value", "n"),
}
_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")


class CatalogueError(ValueError):
    """The catalogue files break the format; the message names the entry and field."""


@dataclass(frozen=True)
class Text:
    """A text in both languages (Swedish first, DESIGN.md decision 9)."""

    sv: str
    en: str

    def get(self, language: str) -> str:
        return self.en if language == "en" else self.sv


@dataclass(frozen=True)
class Dimension:
    name: str  # public name, used in metrics.yml and by the API (`by=channel`)
    kind: str  # region | period | dimension
    column: str  # column in every mart that has it
    label: Text
    description: Text
    values: tuple[str, ...] | None  # closed code list, if any


@dataclass(frozen=True)
class Detail:
    """A finer mart of the same metric: same measure columns, more dimensions."""

    mart: str
    dimensions: tuple[str, ...]


@dataclass(frozen=True)
class Metric:
    id: str
    family: str
    headline: bool
    status: str
    name: Text
    definition: Text
    unit: str
    direction: str
    aggregation: str
    time_grain: str
    dimensions: tuple[str, ...]
    evidences: Text
    disclosure: str
    mart: str
    sources: tuple[str, ...] = ()
    parameters: tuple[str, ...] = ()
    detail: Detail | None = None
    effect_of: str | None = None

    @property
    def table(self) -> str:
        """The mart's table name without the schema."""
        return self.mart.split(".", 1)[1]

    def columns(self, dimension_columns: dict[str, str] | None = None,
                mart: str | None = None) -> tuple[str, ...]:
        """The columns the mart must have: region, period, dimensions, measures.

        `mart` picks the detail mart's columns instead of the main mart's."""
        mapping = dimension_columns or {d.name: d.column for d in dimensions()}
        names = self.detail.dimensions if mart and self.detail and mart == self.detail.mart \
            else self.dimensions
        return (REGION_COLUMN, self.time_grain, *(mapping[n] for n in names),
                *MEASURE_COLUMNS[self.aggregation])


def _text(raw: Any, where: str) -> Text:
    if not isinstance(raw, dict) or set(raw) != {"sv", "en"}:
        raise CatalogueError(f"{where}: needs exactly the keys sv and en")
    for language in ("sv", "en"):
        value = raw[language]
        if not isinstance(value, str) or not value.strip():
            raise CatalogueError(f"{where}.{language}: must be a non-empty text")
    return Text(sv=raw["sv"].strip(), en=raw["en"].strip())


def _one_of(raw: dict, key: str, allowed: tuple[str, ...], where: str) -> str:
    value = raw.get(key)
    if value not in allowed:
        raise CatalogueError(f"{where}.{key}: {value!r} is not one of {', '.join(allowed)}")
    return value


def _names(raw: Any, where: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(v, str) and _SNAKE.match(v) for v in raw):
        raise CatalogueError(f"{where}: must be a list of snake_case names")
    if len(set(raw)) != len(raw):
        raise CatalogueError(f"{where}: lists a name twice")
    return tuple(raw)


def parse_dimensions(document: dict) -> tuple[Dimension, ...]:
    """Validated dimensions from the parsed dimensions.yml."""
    parsed, seen = [], set()
    for i, raw in enumerate(document.get("dimensions") or []):
        name = raw.get("name")
        where = f"dimensions.yml: {name or f'entry {i}'}"
        if not isinstance(name, str) or not _SNAKE.match(name):
            raise CatalogueError(f"{where}.name: must be snake_case")
        if name in seen:
            raise CatalogueError(f"{where}: duplicate dimension")
        seen.add(name)
        column = raw.get("column")
        if not isinstance(column, str) or not _SNAKE.match(column):
            raise CatalogueError(f"{where}.column: must be a snake_case column name")
        values = raw.get("values")
        if values is not None and (not isinstance(values, list) or not values):
            raise CatalogueError(f"{where}.values: must be a non-empty list")
        parsed.append(Dimension(
            name=name, kind=_one_of(raw, "kind", DIMENSION_KINDS, where), column=column,
            label=_text(raw.get("label"), f"{where}.label"),
            description=_text(raw.get("description"), f"{where}.description"),
            values=tuple(str(v) for v in values) if values else None))
    if not parsed:
        raise CatalogueError("dimensions.yml: no dimensions")
    return tuple(parsed)


def _metric(raw: dict, i: int, extra: set[str]) -> Metric:
    metric_id = raw.get("id")
    where = f"metrics.yml: {metric_id or f'entry {i}'}"
    if not isinstance(metric_id, str) or not _SNAKE.match(metric_id):
        raise CatalogueError(f"{where}.id: must be snake_case English")
    if not isinstance(raw.get("headline"), bool):
        raise CatalogueError(f"{where}.headline: must be true or false")
    mart = raw.get("mart")
    family = _one_of(raw, "family", FAMILIES, where)
    if family == "F":  # the effects share one table, keyed by metric_id = effect_of
        if not (isinstance(mart, str) and re.fullmatch(rf"{MART_SCHEMA}\.[a-z][a-z0-9_]*", mart)):
            raise CatalogueError(f"{where}.mart: must be {MART_SCHEMA}.<table>, not {mart!r}")
    elif mart != f"{MART_SCHEMA}.{metric_id}":
        raise CatalogueError(f"{where}.mart: must be {MART_SCHEMA}.{metric_id} (the id is the "
                             f"mart's table name), not {mart!r}")
    dims = _names(raw.get("dimensions"), f"{where}.dimensions")
    unknown = set(dims) - extra
    if unknown:
        raise CatalogueError(f"{where}.dimensions: {sorted(unknown)} not in dimensions.yml "
                             f"(kind: dimension)")
    detail = None
    if raw.get("detail") is not None:
        detail_raw = raw["detail"]
        detail_dims = _names(detail_raw.get("dimensions"), f"{where}.detail.dimensions")
        if set(detail_dims) - extra or not set(dims) <= set(detail_dims):
            raise CatalogueError(f"{where}.detail.dimensions: must be known dimensions and "
                                 f"include the metric's own")
        detail_mart = detail_raw.get("mart", "")
        if not (isinstance(detail_mart, str) and detail_mart.startswith(f"{MART_SCHEMA}.")
                and detail_mart != mart):
            raise CatalogueError(f"{where}.detail.mart: must be another {MART_SCHEMA}.<table>")
        detail = Detail(mart=detail_mart, dimensions=detail_dims)
    effect_of = raw.get("effect_of")
    if (family == "F") != (effect_of is not None):
        raise CatalogueError(f"{where}.effect_of: required for family F and only there")
    return Metric(
        id=metric_id, family=family, headline=raw["headline"],
        status=_one_of(raw, "status", STATUSES, where),
        name=_text(raw.get("name"), f"{where}.name"),
        definition=_text(raw.get("definition"), f"{where}.definition"),
        unit=_one_of(raw, "unit", UNITS, where),
        direction=_one_of(raw, "direction", DIRECTIONS, where),
        aggregation=_one_of(raw, "aggregation", AGGREGATIONS, where),
        time_grain=_one_of(raw, "time_grain", TIME_GRAINS, where),
        dimensions=dims,
        evidences=_text(raw.get("evidences"), f"{where}.evidences"),
        disclosure=_one_of(raw, "disclosure", DISCLOSURES, where),
        mart=mart,
        sources=_names(raw.get("sources"), f"{where}.sources"),
        parameters=_names(raw.get("parameters"), f"{where}.parameters"),
        detail=detail, effect_of=effect_of,
    )


def parse_metrics(document: dict, dims: tuple[Dimension, ...]) -> tuple[Metric, ...]:
    """Validated metrics from the parsed metrics.yml, checked against the dimensions."""
    extra = {d.name for d in dims if d.kind == "dimension"}
    parsed = [_metric(raw, i, extra) for i, raw in enumerate(document.get("metrics") or [])]
    ids = [m.id for m in parsed]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise CatalogueError(f"metrics.yml: duplicate ids {duplicates}")
    for m in parsed:
        if m.effect_of is not None and m.effect_of not in ids:
            raise CatalogueError(f"metrics.yml: {m.id}.effect_of: unknown metric {m.effect_of!r}")
    if not parsed:
        raise CatalogueError("metrics.yml: no metrics")
    return tuple(parsed)


def _load(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    if not isinstance(document, dict):
        raise CatalogueError(f"{path.name}: not a YAML mapping")
    return document


@cache
def _catalogue() -> tuple[tuple[Metric, ...], tuple[Dimension, ...]]:
    dims = parse_dimensions(_load(DIMENSIONS_FILE))
    return parse_metrics(_load(METRICS_FILE), dims), dims


def metrics() -> list[Metric]:
    """Every metric in catalogue order (families A-G)."""
    return list(_catalogue()[0])


def metric(metric_id: str) -> Metric:
    for m in _catalogue()[0]:
        if m.id == metric_id:
            return m
    raise KeyError(f"unknown metric {metric_id!r}")


def dimensions() -> list[Dimension]:
    """Every dimension, region and period columns included."""
    return list(_catalogue()[1])


# Column name -> DuckDB type of meta.metric_catalogue, in order.
CATALOGUE_TABLE_COLUMNS: dict[str, str] = {
    "metric_id": "VARCHAR", "family": "VARCHAR", "headline": "BOOLEAN", "status": "VARCHAR",
    "name_sv": "VARCHAR", "name_en": "VARCHAR",
    "definition_sv": "VARCHAR", "definition_en": "VARCHAR",
    "unit": "VARCHAR", "direction": "VARCHAR", "aggregation": "VARCHAR",
    "time_grain": "VARCHAR", "dimensions": "VARCHAR[]", "dimension_columns": "VARCHAR[]",
    "evidences_sv": "VARCHAR", "evidences_en": "VARCHAR", "disclosure": "VARCHAR",
    "mart": "VARCHAR", "detail_mart": "VARCHAR", "detail_dimensions": "VARCHAR[]",
    "sources": "VARCHAR[]", "parameters": "VARCHAR[]", "effect_of": "VARCHAR",
}


def catalogue_table_rows() -> list[dict[str, Any]]:
    """One row per metric for meta.metric_catalogue (columns: CATALOGUE_TABLE_COLUMNS)."""
    columns = {d.name: d.column for d in dimensions()}
    return [{
        "metric_id": m.id, "family": m.family, "headline": m.headline, "status": m.status,
        "name_sv": m.name.sv, "name_en": m.name.en,
        "definition_sv": m.definition.sv, "definition_en": m.definition.en,
        "unit": m.unit, "direction": m.direction, "aggregation": m.aggregation,
        "time_grain": m.time_grain, "dimensions": list(m.dimensions),
        "dimension_columns": [columns[d] for d in m.dimensions],
        "evidences_sv": m.evidences.sv, "evidences_en": m.evidences.en,
        "disclosure": m.disclosure, "mart": m.mart,
        "detail_mart": m.detail.mart if m.detail else None,
        "detail_dimensions": list(m.detail.dimensions) if m.detail else [],
        "sources": list(m.sources), "parameters": list(m.parameters),
        "effect_of": m.effect_of,
    } for m in metrics()]
