"""The API's configuration: a TOML file named by TIDBOK_API_CONFIG, then environment variables.

With no configuration at all the API serves the `public` scope without tokens; API keys
created with `python -m aggregator_api.keys` are accepted as soon as their file exists.

```toml
[oidc]                       # JWTs from an OIDC provider, checked against its JWKS
issuer = "https://login.example.se/realms/tidbok"
audience = "tidbok-api"
jwks_path = "/etc/tidbok/jwks.json"      # or jwks_url = "https://.../certs"
scope_claim = "scope"                    # space-separated string or list of scopes
algorithms = ["RS256", "ES256"]

[api_keys]
file = "/var/lib/tidbok/secrets/api_keys.json"   # default $TIDBOK_HOME/secrets/api_keys.json

[rate_limit]                 # per client: API key, token subject, or address if anonymous
requests_per_second = 50
burst = 100                  # 0 requests_per_second turns the limit off

[http]
max_age_seconds = 60         # Cache-Control max-age of data responses

[serving]
warm_switch = true           # a new published version takes over once its tables are built
```
Environment variables override single values: TIDBOK_API_OIDC_ISSUER, _OIDC_AUDIENCE,
_OIDC_JWKS_PATH, _OIDC_JWKS_URL, TIDBOK_API_KEYS_FILE, TIDBOK_API_RATE_LIMIT,
TIDBOK_API_RATE_BURST, TIDBOK_API_MAX_AGE.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tidbok import config

CONFIG_ENV = "TIDBOK_API_CONFIG"
DEFAULT_ALGORITHMS = ("RS256", "ES256", "PS256")  # asymmetric only: never HS* or none


class SettingsError(ValueError):
    """The configuration cannot be used; the message names the setting."""


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    audience: str
    jwks_path: Path | None = None
    jwks_url: str | None = None
    scope_claim: str = "scope"
    algorithms: tuple[str, ...] = DEFAULT_ALGORITHMS
    leeway_seconds: int = 30


@dataclass(frozen=True)
class Settings:
    oidc: OidcSettings | None = None
    api_keys_file: Path = field(default_factory=lambda: default_api_keys_file())
    rate_per_second: float = 50.0
    rate_burst: int = 100
    max_age_seconds: int = 60
    warm_switch: bool = True


def default_api_keys_file() -> Path:
    return config.home() / "secrets" / "api_keys.json"


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    raw: dict[str, Any] = {}
    if path := env.get(CONFIG_ENV):
        try:
            raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise SettingsError(f"{CONFIG_ENV}={path} cannot be read: {exc}") from exc
    oidc_raw = dict(raw.get("oidc", {}))
    for key in ("issuer", "audience", "jwks_path", "jwks_url"):
        if value := env.get(f"TIDBOK_API_OIDC_{key.upper()}"):
            oidc_raw[key] = value
    keys_raw = raw.get("api_keys", {})
    limit_raw = raw.get("rate_limit", {})
    http_raw = raw.get("http", {})
    serving_raw = raw.get("serving", {})
    try:
        return Settings(
            oidc=_oidc(oidc_raw),
            api_keys_file=Path(
                env.get("TIDBOK_API_KEYS_FILE") or keys_raw.get("file") or default_api_keys_file()
            ),
            rate_per_second=float(
                env.get("TIDBOK_API_RATE_LIMIT", limit_raw.get("requests_per_second", 50))
            ),
            rate_burst=int(env.get("TIDBOK_API_RATE_BURST", limit_raw.get("burst", 100))),
            max_age_seconds=int(env.get("TIDBOK_API_MAX_AGE", http_raw.get("max_age_seconds", 60))),
            warm_switch=bool(serving_raw.get("warm_switch", True)),
        )
    except ValueError as exc:
        raise SettingsError(f"A rate limit or max age setting is not a number: {exc}") from exc


def _oidc(raw: dict[str, Any]) -> OidcSettings | None:
    if not raw:
        return None
    missing = [k for k in ("issuer", "audience") if not raw.get(k)]
    if missing:
        raise SettingsError(f"[oidc] needs {' and '.join(missing)} to check tokens.")
    if bool(raw.get("jwks_path")) == bool(raw.get("jwks_url")):
        raise SettingsError("[oidc] needs exactly one of jwks_path and jwks_url.")
    algorithms = tuple(raw.get("algorithms", DEFAULT_ALGORITHMS))
    weak = [a for a in algorithms if not a.startswith(("RS", "ES", "PS"))]
    if weak:
        raise SettingsError(f"[oidc] algorithms must be asymmetric (RS/ES/PS); got {weak}.")
    return OidcSettings(
        issuer=raw["issuer"],
        audience=raw["audience"],
        jwks_path=Path(raw["jwks_path"]) if raw.get("jwks_path") else None,
        jwks_url=raw.get("jwks_url") or None,
        scope_claim=raw.get("scope_claim", "scope"),
        algorithms=algorithms,
        leeway_seconds=int(raw.get("leeway_seconds", 30)),
    )
