"""Who is calling (DESIGN.md decision 7): bearer tokens mapped to one access scope, and rate limits.

A request without a token is the `public` scope. A bearer token is either an API key
(`tbk_...`, checked against the hashed key file) or a JWT from the configured OIDC
provider, checked against its JWKS (signature, issuer, audience, expiry). A token that
fails any check is refused with 401: it never falls back to public. What each scope may
see is decided in the query layer (tidbok.serving.scope), not here.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from fastapi import Request

from aggregator_api.keys import PREFIX, KeyStore
from aggregator_api.problems import ApiProblem
from aggregator_api.ratelimit import RateLimiter, retry_after_header
from aggregator_api.settings import OidcSettings, Settings
from tidbok.serving import PUBLIC, Scope, ScopeNotSupported


@dataclass(frozen=True)
class Caller:
    client: str  # rate-limit identity: "key:<name>", "jwt:<sub>" or "ip:<address>"
    scope: Scope

    @property
    def anonymous(self) -> bool:
        return self.client.startswith("ip:")


class JwtVerifier:
    """Checks JWTs against a JWKS read from a file (re-read when it changes) or a URL."""

    def __init__(self, settings: OidcSettings):
        self.settings = settings
        self._lock = threading.Lock()
        self._file_stamp: int | None = None
        self._file_keys: jwt.PyJWKSet | None = None
        self._client = (
            jwt.PyJWKClient(settings.jwks_url, cache_keys=True, lifespan=300, timeout=5)
            if settings.jwks_url
            else None
        )

    def claims(self, token: str) -> dict[str, Any]:
        """The verified claims; raises jwt.PyJWTError (or its subclasses) otherwise."""
        key = self._signing_key(token)
        return jwt.decode(
            token,
            key,
            algorithms=list(self.settings.algorithms),
            audience=self.settings.audience,
            issuer=self.settings.issuer,
            leeway=self.settings.leeway_seconds,
            options={"require": ["exp", "iss", "aud", "sub"]},
        )

    def _signing_key(self, token: str) -> Any:
        if self._client is not None:
            return self._client.get_signing_key_from_jwt(token).key
        kid = jwt.get_unverified_header(token).get("kid")
        keys = self._keys_from_file(self.settings.jwks_path)
        matches = [k for k in keys.keys if kid is None or k.key_id == kid]
        if kid is None and len(keys.keys) != 1:
            raise jwt.InvalidTokenError("the token names no key (kid) and the JWKS has several")
        if not matches:
            raise jwt.InvalidTokenError(f"no key {kid!r} in the configured JWKS")
        return matches[0].key

    def _keys_from_file(self, path: Path | None) -> jwt.PyJWKSet:
        assert path is not None
        stamp = path.stat().st_mtime_ns
        with self._lock:
            if stamp != self._file_stamp:
                self._file_keys = jwt.PyJWKSet.from_dict(json.loads(path.read_text("utf-8")))
                self._file_stamp = stamp
            assert self._file_keys is not None
            return self._file_keys


class Authenticator:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.keys = KeyStore(settings.api_keys_file)
        self.jwt = JwtVerifier(settings.oidc) if settings.oidc else None
        self.limiter = RateLimiter(settings.rate_per_second, settings.rate_burst)

    def caller(self, request: Request) -> Caller:
        header = request.headers.get("authorization")
        if header is None:
            address = request.client.host if request.client else "unknown"
            return Caller(f"ip:{address}", PUBLIC)
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise _unauthorized(
                "invalid_request", "Send the token as 'Authorization: Bearer <token>'."
            )
        if token.startswith(f"{PREFIX}_"):
            stored = self.keys.lookup(token)
            if stored is None:
                raise _unauthorized("invalid_token", "The API key is unknown or revoked.")
            return Caller(f"key:{stored.name}", _scope(stored.scopes))
        if self.jwt is None:
            raise _unauthorized(
                "invalid_token",
                "This API accepts no JWTs (no OIDC provider is configured); it accepts API "
                "keys, or no token for public figures.",
            )
        try:
            claims = self.jwt.claims(token)
        except jwt.PyJWKClientConnectionError:
            raise ApiProblem(
                503,
                "keys-unavailable",
                "Token keys unavailable",
                "The token issuer's keys (JWKS) cannot be fetched right now; try again shortly.",
            ) from None
        except jwt.ExpiredSignatureError:
            raise _unauthorized("invalid_token", "The token has expired; get a new one.") from None
        except (jwt.PyJWTError, ValueError, OSError) as exc:
            raise _unauthorized("invalid_token", f"The token is not valid here: {exc}.") from None
        return Caller(f"jwt:{claims['sub']}", _scope(_claimed_scopes(claims, self.jwt.settings)))

    def check_rate(self, caller: Caller) -> None:
        wait = self.limiter.acquire(caller.client)
        if wait is not None:
            raise ApiProblem(
                429,
                "rate-limited",
                "Too many requests",
                f"At most {self.limiter.per_second:g} requests per second (bursts of "
                f"{self.limiter.burst}) per client; retry after the Retry-After seconds.",
                headers={"Retry-After": retry_after_header(wait)},
            )


def _claimed_scopes(claims: dict[str, Any], settings: OidcSettings) -> list[str]:
    value = claims.get(settings.scope_claim, claims.get("scp", ""))
    return value.split() if isinstance(value, str) else [str(v) for v in value]


def _scope(scopes: Any) -> Scope:
    try:
        return Scope.strongest(scopes)
    except ScopeNotSupported as exc:
        raise ApiProblem(403, "out-of-scope", "Outside your scope", str(exc)) from None


def _unauthorized(error: str, detail: str) -> ApiProblem:
    return ApiProblem(
        401,
        "invalid-token",
        "Unauthorized",
        detail,
        headers={"WWW-Authenticate": f'Bearer realm="tidbok", error="{error}"'},
    )
