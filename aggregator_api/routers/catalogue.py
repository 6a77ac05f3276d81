"""The metric catalogue: GET /v1/metrics and /v1/metrics/{metric_id} (DESIGN.md decision 8)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response

from aggregator_api.dependencies import DATA_PROBLEMS, CallerDep, media_content, reading
from aggregator_api.problems import problem_responses
from aggregator_api.schemas import MetricDetailResponse, MetricList
from tidbok.serving import MetricSpec, Snapshot, catalogue, grains_of, is_published, metric_spec
from tidbok.serving.catalogue_status import latest_period
from tidbok.serving.periods import label
from tidbok.serving.registry import UNIT_DIMENSION

router = APIRouter(prefix="/metrics", tags=["catalogue"])

CSV_COLUMNS = (
    "id",
    "family",
    "headline",
    "status",
    "name_sv",
    "name_en",
    "unit",
    "direction",
    "aggregation",
    "time_grain",
    "grains",
    "dimensions",
    "disclosure",
    "published",
    "latest_period",
)


def summary(spec: MetricSpec, snap: Snapshot) -> dict[str, Any]:
    latest = latest_period(snap, spec)
    return {
        "id": spec.id,
        "family": spec.family,
        "headline": spec.headline,
        "status": spec.status,
        "name": {"sv": spec.name.get("sv"), "en": spec.name.get("en")},
        "unit": spec.unit,
        "direction": spec.direction,
        "aggregation": spec.aggregation,
        "time_grain": spec.time_grain,
        "grains": list(grains_of(spec)),
        "dimensions": list(spec.all_dimensions),
        "disclosure": spec.disclosure,
        "published": is_published(snap, spec),
        "latest_period": None if latest is None else label(latest, spec.time_grain),
    }


@router.get(
    "",
    response_model=MetricList,
    responses={**media_content(MetricList), **DATA_PROBLEMS},
    summary="Every metric of the catalogue, published or not yet",
)
def list_metrics(request: Request, caller: CallerDep) -> Response:
    with reading(request, caller) as r:
        if r.done is not None:
            return r.done
        metrics = [summary(spec, r.snapshot) for spec in catalogue().metrics.values()]
    rows = [
        {
            **m,
            "name_sv": m["name"]["sv"],
            "name_en": m["name"]["en"],
            "grains": " ".join(m["grains"]),
            "dimensions": " ".join(m["dimensions"]),
        }
        for m in metrics
    ]
    return r.respond({"published": r.published_body(), "metrics": metrics}, rows, CSV_COLUMNS)


@router.get(
    "/{metric_id}",
    response_model=MetricDetailResponse,
    responses={
        **media_content(MetricDetailResponse, csv=False),
        **DATA_PROBLEMS,
        **problem_responses(404),
    },
    summary="One metric: definition, unit, grains, dimensions, disclosure rule",
)
def get_metric(
    request: Request,
    caller: CallerDep,
    metric_id: Annotated[str, Path(description="Metric id.", examples=["no_show_rate"])],
) -> Response:
    with reading(request, caller, offered=("json",)) as r:
        spec = metric_spec(metric_id)
        if r.done is not None:
            return r.done
        detail = summary(spec, r.snapshot)
    dimensions = catalogue().dimensions
    detail.update(
        definition={"sv": spec.definition.get("sv"), "en": spec.definition.get("en")},
        evidences={"sv": spec.evidences.get("sv"), "en": spec.evidences.get("en")},
        dimension_labels=[
            {
                "name": name,
                "label": {
                    "sv": dimensions[name].label.get("sv") if name in dimensions else None,
                    "en": dimensions[name].label.get("en") if name in dimensions else None,
                },
                "public": name != UNIT_DIMENSION,
            }
            for name in spec.all_dimensions
        ],
    )
    return r.respond({"published": r.published_body(), "metric": detail})
