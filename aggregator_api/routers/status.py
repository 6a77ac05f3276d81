"""Data freshness and ledger status: GET /v1/freshness and /v1/ledger."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from aggregator_api.dependencies import DATA_PROBLEMS, CallerDep, media_content, reading
from aggregator_api.problems import problem_responses
from aggregator_api.schemas import Freshness, Ledger, LedgerRow
from tidbok.serving import InvalidRegion, freshness, ledger_status

router = APIRouter(tags=["status"])

LEDGER_COLUMNS = tuple(LedgerRow.model_fields)


@router.get(
    "/freshness",
    response_model=Freshness,
    responses={**media_content(Freshness, csv=False), **DATA_PROBLEMS},
    summary="The published version, each metric's latest period, each feed's last data",
)
def get_freshness(request: Request, caller: CallerDep) -> Response:
    with reading(request, caller, offered=("json",)) as r:
        if r.done is not None:
            return r.done
        fresh = freshness(r.snapshot)
    body = {"published": r.published_body(), "metrics": fresh["metrics"], "feeds": fresh["feeds"]}
    return r.respond(body)


@router.get(
    "/ledger",
    response_model=Ledger,
    responses={**media_content(Ledger), **DATA_PROBLEMS, **problem_responses(409)},
    summary="Per feed and region: files and rows read, loaded and quarantined",
)
def get_ledger(
    request: Request,
    caller: CallerDep,
    region: Annotated[str | None, Query(description="Two-digit county code.")] = None,
    format: Annotated[Literal["json", "csv"] | None, Query()] = None,
) -> Response:
    if region is not None and not (len(region) == 2 and region.isascii() and region.isdigit()):
        raise InvalidRegion(f"Region {region!r} is not a county code; use two digits, e.g. '13'.")
    with reading(request, caller) as r:
        if r.done is not None:
            return r.done
        rows = ledger_status(region, snapshot=r.snapshot)
    rows = [{c: row.get(c) for c in LEDGER_COLUMNS} for row in rows]
    return r.respond({"published": r.published_body(), "rows": rows}, rows, LEDGER_COLUMNS)
