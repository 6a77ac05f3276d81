"""The aggregator API application: `uvicorn aggregator_api.app:app`."""

from __future__ import annotations

from fastapi import FastAPI

import tidbok
from aggregator_api.problems import install_problem_handlers
from aggregator_api.routers import health, metrics

API_V1 = "/v1"


def create_app() -> FastAPI:
    app = FastAPI(
        title="tidbok aggregator API",
        version=tidbok.__version__,
        description=(
            "Disclosure-controlled statistics on 1177's booking services, read from the "
            "published serving file. Counts of 1-9 are withheld and other counts rounded "
            "to the nearest 5; errors are application/problem+json."
        ),
    )
    install_problem_handlers(app)
    app.include_router(health.router)
    app.include_router(metrics.router, prefix=API_V1)
    return app


app = create_app()
