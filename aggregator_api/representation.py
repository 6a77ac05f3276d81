"""How a result is sent: JSON or CSV by content negotiation, pages, and caching headers.

The ETag names the serving file's version together with everything else that shapes the
body (path, query, scope, media type): a client revalidating with If-None-Match gets 304
until the next publish. Cache-Control is `public` only for anonymous requests; anything
answered to a token is `private`, and every response varies on Accept and Authorization.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from fastapi import Request, Response

from aggregator_api.auth import Caller
from aggregator_api.problems import ApiProblem

JSON = "application/json"
CSV = "text/csv"
MEDIA_TYPES = {"json": JSON, "csv": CSV}
DEFAULT_LIMIT = 1000
MAX_LIMIT = 10_000


def negotiate(request: Request, offered: Sequence[str] = ("json", "csv")) -> str:
    """'json' or 'csv': the `format` query parameter if given, else the Accept header."""
    chosen = request.query_params.get("format")
    if chosen is not None:
        if chosen not in offered:
            raise ApiProblem(
                406,
                "not-acceptable",
                "Not acceptable",
                f"format={chosen!r} is not offered here; use one of {', '.join(offered)}.",
            )
        return chosen
    best, best_q = None, 0.0
    for item in (request.headers.get("accept") or "*/*").split(","):
        media, *params = [p.strip() for p in item.split(";")]
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        for name in offered:
            if _matches(media.lower(), MEDIA_TYPES[name]) and q > best_q:
                best, best_q = name, q
    if best is None:
        raise ApiProblem(
            406,
            "not-acceptable",
            "Not acceptable",
            f"This resource is offered as {', '.join(MEDIA_TYPES[o] for o in offered)}; "
            f"the Accept header asked for {request.headers.get('accept')!r}.",
        )
    return best


def _matches(pattern: str, media: str) -> bool:
    if pattern in ("*/*", media):
        return True
    return pattern.endswith("/*") and media.startswith(pattern[:-1])


def etag(request: Request, version: str, caller: Caller, media: str) -> str:
    shape = "|".join(
        (
            request.url.path,
            str(sorted(request.query_params.multi_items())),
            str(caller.scope),
            media,
        )
    )
    return f'"{version}-{hashlib.sha256(shape.encode()).hexdigest()[:20]}"'


def not_modified(request: Request, tag: str) -> bool:
    header = request.headers.get("if-none-match")
    if not header:
        return False
    candidates = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in candidates or tag in candidates


def caching_headers(tag: str, caller: Caller, max_age: int) -> dict[str, str]:
    visibility = "public" if caller.anonymous else "private"
    return {
        "ETag": tag,
        "Cache-Control": f"{visibility}, max-age={max_age}, must-revalidate",
        "Vary": "Accept, Authorization",
    }


def page(rows: list[Any], limit: int, offset: int) -> list[Any]:
    return rows[offset : offset + limit]


def page_info(request: Request, total: int, limit: int, offset: int) -> dict[str, Any]:
    following = None
    if offset + limit < total:
        following = str(request.url.include_query_params(offset=offset + limit, limit=limit))
    return {"offset": offset, "limit": limit, "total": total, "next": following}


def link_header(page_meta: dict[str, Any]) -> dict[str, str]:
    headers = {"X-Total-Count": str(page_meta["total"])}
    if page_meta["next"]:
        headers["Link"] = f'<{page_meta["next"]}>; rel="next"'
    return headers


class ResponseCache:
    """Bodies already rendered, by ETag (and host, which `next` links name): a version never
    changes, so neither does a body the ETag names. Only the content is kept; caching
    headers are made per request. Bounded, least recently used out first."""

    def __init__(self, max_entries: int = 2048, max_body_bytes: int = 512 * 1024):
        self.max_entries, self.max_body_bytes = max_entries, max_body_bytes
        self._entries: OrderedDict[tuple[str, str], tuple[bytes, str, dict[str, str]]] = (
            OrderedDict()
        )
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str], headers: dict[str, str]) -> Response | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
        body, media_type, extra = entry
        return Response(body, media_type=media_type, headers={**headers, **extra})

    def put(self, key: tuple[str, str], response: Response, extra: dict[str, str]) -> None:
        if len(response.body) > self.max_body_bytes:
            return
        with self._lock:
            self._entries[key] = (bytes(response.body), response.media_type or JSON, extra)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)


def render(
    media: str,
    body: dict[str, Any],
    rows: list[dict[str, Any]] | None,
    columns: Sequence[str] | None,
    headers: dict[str, str],
) -> Response:
    """JSON of `body`, or CSV of `rows` in `columns` (a header line, then one line per row)."""
    if media == "csv":
        assert rows is not None and columns is not None
        return Response(_csv(rows, columns), media_type="text/csv; charset=utf-8", headers=headers)
    content = json.dumps(body, default=_json_default, ensure_ascii=False, separators=(",", ":"))
    return Response(content, media_type=JSON, headers=headers)


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _csv(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row.get(c)) for c in columns])
    return out.getvalue()


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value
