"""Effect estimates with their intervals: GET /v1/effects (METRICS.md F)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from aggregator_api.dependencies import DATA_PROBLEMS, CallerDep, media_content, reading
from aggregator_api.problems import problem_responses
from aggregator_api.schemas import EffectEstimate, Effects
from tidbok.serving import effect_estimates

router = APIRouter(tags=["effects"])

CSV_COLUMNS = tuple(EffectEstimate.model_fields)


@router.get(
    "/effects",
    response_model=Effects,
    responses={**media_content(Effects), **DATA_PROBLEMS, **problem_responses(404, 409)},
    summary="Effect of units going live, with confidence interval and pre-trend check",
)
def get_effects(
    request: Request,
    caller: CallerDep,
    metric: Annotated[
        str | None, Query(description="Metric id.", examples=["no_show_rate"])
    ] = None,
    region: Annotated[
        str | None, Query(description="County code, or '00' for the national estimate.")
    ] = None,
    format: Annotated[Literal["json", "csv"] | None, Query()] = None,
) -> Response:
    with reading(request, caller) as r:
        if r.done is not None:
            return r.done
        rows = effect_estimates(metric, region, snapshot=r.snapshot)
    rows = [{c: row.get(c) for c in CSV_COLUMNS} for row in rows]
    return r.respond({"published": r.published_body(), "estimates": rows}, rows, CSV_COLUMNS)
