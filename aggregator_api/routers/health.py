"""Liveness and readiness: the process answers; a published version can be read."""

from __future__ import annotations

from fastapi import APIRouter

from aggregator_api.dependencies import published_body
from aggregator_api.problems import problem_responses
from aggregator_api.schemas import Health, Ready
from tidbok.serving import ServingError, publish_info, regions, serving_snapshot

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="Liveness")
def healthz() -> Health:
    # Liveness must not fail because nothing is published yet: that is a state, not a fault.
    try:
        info = publish_info()
    except ServingError:
        return Health(published=False)
    return Health(published=True, version=info.version)


@router.get(
    "/readyz",
    response_model=Ready,
    responses=problem_responses(503),
    summary="Readiness: a published version is readable and holds the serving contract",
)
def readyz() -> Ready:
    with serving_snapshot() as snap:
        info = publish_info(snap)
        regions(snap)
    return Ready(**published_body(info))
