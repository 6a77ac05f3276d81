"""Coverage per region, and per unit for region and national scopes: GET /v1/coverage."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from aggregator_api.dependencies import DATA_PROBLEMS, CallerDep, media_content, reading
from aggregator_api.problems import problem_responses
from aggregator_api.schemas import Coverage
from tidbok.serving import coverage

router = APIRouter(tags=["coverage"])

CSV_COLUMNS = (
    "metric",
    "period",
    "region",
    "service",
    "unit",
    "numerator",
    "denominator",
    "value",
    "suppressed",
    "rounded",
)


@router.get(
    "/coverage",
    response_model=Coverage,
    responses={**media_content(Coverage), **DATA_PROBLEMS, **problem_responses(409)},
    summary="How much of each region's care is connected and visible, at the latest month",
)
def get_coverage(
    request: Request,
    caller: CallerDep,
    region: Annotated[
        str | None, Query(description="Two-digit county code; every region when left out.")
    ] = None,
    period: Annotated[
        str | None, Query(description="Month, YYYY-MM; the latest published when left out.")
    ] = None,
    level: Annotated[
        Literal["region", "unit"],
        Query(description="`unit` needs a region token (own region) or a national token."),
    ] = "region",
    format: Annotated[Literal["json", "csv"] | None, Query()] = None,
) -> Response:
    with reading(request, caller) as r:
        if r.done is not None:
            return r.done
        entries = coverage(region, period, level, scope=caller.scope, snapshot=r.snapshot)
    rows = [{"metric": e["metric"], **row} for e in entries for row in e["rows"]]
    body = {
        "published": r.published_body(),
        "scope": str(caller.scope),
        "level": level,
        "metrics": entries,
    }
    return r.respond(body, rows, CSV_COLUMNS)
