"""The regions figures are cut by: GET /v1/regions."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from aggregator_api.dependencies import DATA_PROBLEMS, CallerDep, media_content, reading
from aggregator_api.schemas import Regions
from tidbok.serving import regions

router = APIRouter(tags=["catalogue"])

CSV_COLUMNS = ("code", "name", "population")


@router.get(
    "/regions",
    response_model=Regions,
    responses={**media_content(Regions), **DATA_PROBLEMS},
    summary="County codes and names ('00' in rows is the whole country)",
)
def get_regions(
    request: Request,
    caller: CallerDep,
    format: Annotated[Literal["json", "csv"] | None, Query()] = None,
) -> Response:
    with reading(request, caller) as r:
        if r.done is not None:
            return r.done
        rows = [
            {"code": x.code, "name": x.name, "population": x.population}
            for x in regions(r.snapshot)
        ]
    return r.respond({"published": r.published_body(), "regions": rows}, rows, CSV_COLUMNS)
