"""Which metrics the query layer serves, and how, from the metric catalogue.

The catalogue (DESIGN.md decision 8; `dbt/catalogue/*.yml`, validated by tidbok.catalogue)
is the single source of truth: every entry is listed, and its values are served once the
serving file holds its mart. Set TIDBOK_CATALOGUE_DIR to read another catalogue (tests
do); it is re-read when its files change.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tidbok import catalogue as catalogue_files
from tidbok.serving.errors import ServingContractBroken, UnknownMetric

log = logging.getLogger(__name__)

CATALOGUE_DIR_ENV = "TIDBOK_CATALOGUE_DIR"
# The dimension that names a care unit: served only to region and national scopes.
UNIT_DIMENSION = "unit"


@dataclass(frozen=True)
class DimensionSpec:
    name: str  # public name, used in `by` and as the row field
    column: str  # column in the marts
    label: Mapping[str, str] = field(default_factory=dict)  # {"sv": ..., "en": ...}


@dataclass(frozen=True)
class MetricSpec:
    id: str
    table: str  # schema-qualified mart in serving.duckdb
    # Public dimension name -> mart column. Region and period are always served,
    # so they are not dimensions a caller picks with `by`.
    dimensions: Mapping[str, str] = field(default_factory=dict)
    aggregation: str = "ratio"  # ratio | sum | none
    time_grain: str = "month"  # month | day: the mart's period column
    disclosure: str = "people"  # people | not_personal
    status: str = "available"  # available | planned (catalogued, mart to come)
    # A finer mart of the same metric (same measures, more dimensions), if any.
    detail_table: str | None = None
    detail_dimensions: Mapping[str, str] = field(default_factory=dict)
    effect_of: str | None = None  # family F: served by /effects, not as values
    family: str | None = None
    headline: bool = False
    name: Mapping[str, str] = field(default_factory=dict)
    definition: Mapping[str, str] = field(default_factory=dict)
    unit: str | None = None
    direction: str | None = None
    evidences: Mapping[str, str] = field(default_factory=dict)
    region_column: str = "region_code"
    numerator_column: str = "numerator"
    denominator_column: str = "denominator"
    value_column: str = "value"
    count_column: str = "n"  # `none` metrics: the observations behind the value

    @property
    def period_column(self) -> str:
        return self.time_grain  # `month` or `day`, DATE

    @property
    def month_column(self) -> str:  # the spine's name for it
        return self.period_column

    @property
    def controlled(self) -> bool:
        """Whether figures about people are disclosure-controlled for the public."""
        return self.disclosure == "people"

    @property
    def all_dimensions(self) -> Mapping[str, str]:
        """Every dimension the metric can be cut by: its own, then its detail mart's."""
        return {**self.dimensions, **self.detail_dimensions}


@dataclass(frozen=True)
class Catalogue:
    metrics: Mapping[str, MetricSpec]
    dimensions: Mapping[str, DimensionSpec]
    source: str  # where it was read from, for messages


def catalogue_dir() -> Path:
    return Path(os.environ.get(CATALOGUE_DIR_ENV) or catalogue_files.CATALOGUE_DIR)


_cache_lock = threading.Lock()
_cache: dict[tuple, Catalogue] = {}
_last_good: dict[str, Catalogue] = {}  # per directory: the last catalogue that was valid


def catalogue() -> Catalogue:
    """The current catalogue, re-read when its files change.

    The catalogue is edited while readers run (a new metric becomes available): a change
    that does not validate, e.g. a file caught half-written, keeps the last valid catalogue
    of the directory in use (logged) until the files change again, rather than failing
    every reader; with no valid catalogue yet, it is an error."""
    directory = catalogue_dir()
    metrics_file, dimensions_file = directory / "metrics.yml", directory / "dimensions.yml"
    key = (str(directory), _mtime(metrics_file), _mtime(dimensions_file))
    with _cache_lock:
        if key not in _cache:
            try:
                loaded = load_catalogue(metrics_file, dimensions_file)
            except ServingContractBroken as exc:
                previous = _last_good.get(str(directory))
                if previous is None:
                    raise
                log.warning("keeping the last valid metric catalogue: %s", exc)
                loaded = previous
            else:
                _last_good[str(directory)] = loaded
            _cache.clear()
            _cache[key] = loaded
        return _cache[key]


def _mtime(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return None


def load_catalogue(metrics_file: Path, dimensions_file: Path) -> Catalogue:
    """Parse and validate with tidbok.catalogue (one set of rules), then index for serving."""
    try:
        dims = catalogue_files.parse_dimensions(_read_yaml(dimensions_file))
        metrics = catalogue_files.parse_metrics(_read_yaml(metrics_file), dims)
    except catalogue_files.CatalogueError as exc:
        raise ServingContractBroken(f"The metric catalogue is invalid: {exc}") from exc
    dimensions = {
        d.name: DimensionSpec(d.name, d.column, {"sv": d.label.sv, "en": d.label.en})
        for d in dims
        if d.kind == "dimension"
    }
    specs = {m.id: metric_from_catalogue(m, dimensions) for m in metrics}
    return Catalogue(metrics=specs, dimensions=dimensions, source=str(metrics_file))


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ServingContractBroken(f"The metric catalogue {path} cannot be read: {exc}") from exc
    return loaded if isinstance(loaded, dict) else {}


def metric_from_catalogue(
    entry: catalogue_files.Metric, dimensions: Mapping[str, DimensionSpec]
) -> MetricSpec:
    def texts(text: catalogue_files.Text) -> dict[str, str]:
        return {"sv": text.sv, "en": text.en}

    detail = entry.detail
    return MetricSpec(
        id=entry.id,
        table=entry.mart,
        dimensions={d: dimensions[d].column for d in entry.dimensions},
        aggregation=entry.aggregation,
        time_grain=entry.time_grain,
        disclosure=entry.disclosure,
        status=entry.status,
        detail_table=detail.mart if detail else None,
        detail_dimensions={d: dimensions[d].column for d in detail.dimensions} if detail else {},
        effect_of=entry.effect_of,
        family=entry.family,
        headline=entry.headline,
        name=texts(entry.name),
        definition=texts(entry.definition),
        unit=entry.unit,
        direction=entry.direction,
        evidences=texts(entry.evidences),
    )


def metric_spec(metric_id: str) -> MetricSpec:
    metrics = catalogue().metrics
    try:
        return metrics[metric_id]
    except KeyError:
        known = ", ".join(sorted(metrics))
        raise UnknownMetric(
            f"Unknown metric {metric_id!r}; the catalogue's metrics are: {known} "
            "(GET /v1/metrics lists them with their definitions)."
        ) from None
