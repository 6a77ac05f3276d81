"""Liveness: the process answers, and says which serving version (if any) it would read."""

from __future__ import annotations

from fastapi import APIRouter

from aggregator_api.schemas import Health
from tidbok.serving import ServingError, publish_info

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    # Liveness must not fail because nothing is published yet: that is a state, not a fault.
    try:
        info = publish_info()
    except ServingError:
        return Health(published=False)
    return Health(published=True, version=info.version)
