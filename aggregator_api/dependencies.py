"""What every data route needs: the caller (authenticated and rate-limited) and a reading of
one published version with its caching headers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from aggregator_api import representation
from aggregator_api.auth import Authenticator, Caller
from aggregator_api.problems import problem_responses
from tidbok.serving import PublishInfo, Snapshot, publish_info, serving_snapshot

# Statuses any data route can answer with, as problem+json.
DATA_PROBLEMS = problem_responses(401, 403, 406, 422, 429, 503)


def authenticator(request: Request) -> Authenticator:
    return request.app.state.authenticator


# Documents the bearer scheme in OpenAPI (and the Authorize button of /docs); the token
# itself is checked by the Authenticator, which also accepts no token at all (public).
_bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="An API key (tbk_...) or a JWT from the configured OIDC provider. Leave "
    "out for the public scope.",
)


def current_caller(
    request: Request,
    _: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer_scheme)] = None,
) -> Caller:
    auth = authenticator(request)
    caller = auth.caller(request)
    auth.check_rate(caller)
    return caller


CallerDep = Annotated[Caller, Depends(current_caller)]


def published_body(info: PublishInfo) -> dict[str, Any]:
    """The version and publish time; the serving file stores the time as naive UTC."""
    moment = info.published_at
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return {"version": info.version, "published_at": moment}


@dataclass
class Reading:
    """One request's reading of one published version.

    `done` is the whole answer when there is nothing to compute: 304 when the client's
    copy is current, or the body already rendered for the same ETag.
    """

    snapshot: Snapshot
    published: PublishInfo
    media: str
    headers: dict[str, str]
    cache: representation.ResponseCache
    cache_key: tuple[str, str]
    done: Response | None

    def published_body(self) -> dict[str, Any]:
        return published_body(self.published)

    def respond(
        self,
        body: dict[str, Any],
        rows: list[dict[str, Any]] | None = None,
        columns: Sequence[str] | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> Response:
        extra = extra_headers or {}
        response = representation.render(self.media, body, rows, columns, {**self.headers, **extra})
        self.cache.put(self.cache_key, response, extra)
        return response


@contextmanager
def reading(
    request: Request, caller: Caller, offered: Sequence[str] = ("json", "csv")
) -> Iterator[Reading]:
    """Negotiate the media type, then read one published version for the whole request."""
    media = representation.negotiate(request, offered)
    max_age = request.app.state.settings.max_age_seconds
    cache: representation.ResponseCache = request.app.state.responses
    with serving_snapshot() as snap:
        info = publish_info(snap)
        tag = representation.etag(request, info.version, caller, media)
        headers = representation.caching_headers(tag, caller, max_age)
        key = (tag, request.headers.get("host", ""))
        if representation.not_modified(request, tag):
            done: Response | None = Response(status_code=304, headers=headers)
        else:
            done = cache.get(key, headers)
        yield Reading(
            snapshot=snap,
            published=info,
            media=media,
            headers=headers,
            cache=cache,
            cache_key=key,
            done=done,
        )


def media_content(model_ref: type, csv: bool = True) -> dict[int | str, dict[str, Any]]:
    """OpenAPI 200 entry: the JSON model, and CSV text when offered."""
    content: dict[str, Any] = {}
    if csv:
        content["text/csv"] = {"schema": {"type": "string"}}
    return {200: {"model": model_ref, "content": content}, 304: {"description": "Not Modified"}}
