"""The aggregation API application: `uvicorn aggregator_api.app:app` (`tidbok serve api`)."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

import tidbok
from aggregator_api.auth import Authenticator
from aggregator_api.problems import install_problem_handlers
from aggregator_api.representation import ResponseCache
from aggregator_api.routers import catalogue, coverage, effects, health, regions, status, values
from aggregator_api.schemas import metric_value_row_model, metric_values_model
from aggregator_api.settings import Settings, load_settings
from tidbok.serving import SERVING_FILES
from tidbok.serving import catalogue as metric_catalogue
from tidbok.serving.warm import start_helper, stop_helper, warm_like

API_V1 = "/v1"
SWITCH_INTERVAL_SECONDS = 0.001

DESCRIPTION = """\
Statistics on 1177's booking services, read from the published serving file.

**Open where it may be, closed where it must be.** Without a token you get the `public`
scope: counts of 1-9 are withheld and other counts rounded to the nearest 5, consistently
in every table served, so no withheld count can be subtracted out. A `region:<code>`
token (API key or OIDC JWT, `Authorization: Bearer ...`) also sees its own region's
figures uncontrolled and per care unit; a `national` token sees every region's. Anything
outside a token's scope is answered 403.

Every response names the published version it was read from (ETag and body); errors are
`application/problem+json`. Data routes answer JSON, or CSV with `Accept: text/csv`.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.warm_switch:
            SERVING_FILES.warmer = warm_like  # new versions take over warm (serving/warm.py)
            start_helper()
            # Installing warmed tables is Python in a thread: hand the GIL over every
            # millisecond (not every 5), so requests answered meanwhile wait little.
            sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
        try:
            yield
        finally:
            SERVING_FILES.warmer = None
            stop_helper()
            SERVING_FILES.close_all()  # nothing stays open after shutdown (DESIGN.md decision 2)

    app = FastAPI(
        title="tidbok aggregation API",
        version=tidbok.__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.authenticator = Authenticator(settings)
    app.state.responses = ResponseCache()
    install_problem_handlers(app)
    _document_optional_auth(app)
    row_model = metric_value_row_model(metric_catalogue().dimensions)
    app.include_router(health.router)
    for router in (
        catalogue.router,
        values.build_router(metric_values_model(row_model)),
        regions.router,
        coverage.router,
        effects.router,
        status.router,
    ):
        app.include_router(router, prefix=API_V1)
    return app


def _document_optional_auth(app: FastAPI) -> None:
    """Say in OpenAPI that a token is optional: `security: [{}, {bearer: []}]` (no token is
    the public scope). FastAPI would document the scheme as required."""
    build_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = build_openapi()
            for path in document.get("paths", {}).values():
                for operation in path.values():
                    if operation.get("security") == [{"bearer": []}]:
                        operation["security"] = [{}, {"bearer": []}]
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


app = create_app()
