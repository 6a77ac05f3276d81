"""Errors as RFC 9457 problem details (`application/problem+json`), one shape for every failure.

The query layer raises typed errors with messages meant for the caller; this module only
decides the HTTP status and problem type of each, so the API and the layer stay apart.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from tidbok.serving import (
    InvalidPeriod,
    InvalidQuery,
    InvalidRegion,
    NotYetPublished,
    OutOfScope,
    ScopeNotSupported,
    ServingContractBroken,
    ServingError,
    ServingNotPublished,
    UnknownDimension,
    UnknownMetric,
)

PROBLEM_JSON = "application/problem+json"
# Problem types are URNs: stable identifiers a client can branch on, not pages to fetch.
_TYPE_PREFIX = "urn:tidbok:problem:"

log = logging.getLogger(__name__)


class Problem(BaseModel):
    type: str = Field(default="about:blank", examples=[f"{_TYPE_PREFIX}invalid-period"])
    title: str = Field(examples=["Invalid period"])
    status: int = Field(examples=[422])
    detail: str | None = Field(
        default=None, examples=["'from' must be a month as YYYY-MM, e.g. 2025-03; got '2025-3'."]
    )
    instance: str | None = Field(default=None, examples=["/v1/metrics/no_show_rate/values"])


# The first class found along the error's MRO wins. Client errors pass the layer's message
# on (it says what to send instead); server-side ones get a fixed detail, because the
# layer's message names paths on the server, which an anonymous caller has no use for.
_SERVING_ERRORS: dict[type[ServingError], tuple[int, str, str]] = {
    UnknownMetric: (404, "unknown-metric", "Unknown metric"),
    UnknownDimension: (422, "unknown-dimension", "Unknown dimension"),
    InvalidRegion: (422, "invalid-region", "Invalid region"),
    InvalidPeriod: (422, "invalid-period", "Invalid period"),
    ScopeNotSupported: (403, "scope-not-supported", "Scope not supported"),
    OutOfScope: (403, "out-of-scope", "Outside your scope"),
    NotYetPublished: (409, "not-yet-published", "Not yet published"),
    InvalidQuery: (422, "invalid-query", "Invalid query"),
    ServingNotPublished: (503, "not-published", "No data published yet"),
    ServingContractBroken: (503, "serving-contract-broken", "Published data is unreadable"),
    ServingError: (503, "serving-unavailable", "Published data is unavailable"),
}


class ApiProblem(Exception):
    """An error the API itself raises (auth, rate limit, negotiation), with its problem type."""

    def __init__(
        self,
        status: int,
        slug: str,
        title: str,
        detail: str,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(detail)
        self.status, self.slug, self.title, self.detail = status, slug, title, detail
        self.headers = headers or {}


def problem_response(
    request: Request,
    status: int,
    detail: str | None,
    *,
    slug: str | None = None,
    title: str | None = None,
    **extensions: Any,
) -> JSONResponse:
    body = Problem(
        type=f"{_TYPE_PREFIX}{slug}" if slug else "about:blank",
        title=title or HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=request.url.path,
    ).model_dump()
    body.update(extensions)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries saying these statuses answer with a Problem.

    No `model=` here: FastAPI would list it under application/json as well, which the API
    never sends for errors. `add_problem_schema` puts the referenced schema in place.
    """
    return {
        status: {
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }


_SERVER_SIDE_DETAIL = {
    "not-published": "Nothing has been published yet; try again after the pipeline's next publish.",
}
_DEFAULT_SERVER_SIDE_DETAIL = "The published data could not be read; the operators have been told."


async def _serving_error(request: Request, exc: Exception) -> JSONResponse:
    status, slug, title = next(
        _SERVING_ERRORS[cls] for cls in type(exc).__mro__ if cls in _SERVING_ERRORS
    )
    detail = str(exc)
    if status >= 500:
        log.warning("serving error on %s: %s", request.url.path, exc)
        detail = _SERVER_SIDE_DETAIL.get(slug, _DEFAULT_SERVER_SIDE_DETAIL)
    return problem_response(request, status, detail, slug=slug, title=title)


async def _api_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiProblem)
    response = problem_response(request, exc.status, exc.detail, slug=exc.slug, title=exc.title)
    response.headers.update(exc.headers)
    return response


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(error.get("loc", ())), "msg": error.get("msg", "")} for error in exc.errors()
    ]
    detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
    return problem_response(
        request, 422, detail, slug="invalid-request", title="Invalid request", errors=errors
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else None
    if exc.status_code == 404 and detail == HTTPStatus.NOT_FOUND.phrase:
        detail = f"No resource at {request.url.path}; see /docs for the API's paths."
    response = problem_response(request, exc.status_code, detail)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s", request.url.path)
    # No exception text: it could carry internals (paths, SQL) to an anonymous caller.
    return problem_response(request, 500, "An unexpected error occurred; it has been logged.")


def add_problem_schema(app: FastAPI) -> None:
    """Make the OpenAPI document define the Problem schema that error responses refer to."""
    build_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = build_openapi()
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            schemas["Problem"] = Problem.model_json_schema()
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ServingError, _serving_error)
    app.add_exception_handler(ApiProblem, _api_problem)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
    add_problem_schema(app)
