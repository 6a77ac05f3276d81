"""Every scope x every endpoint x own and other region (DESIGN.md decision 7), and every
endpoint x every state a token can be in.

Scopes come as no token, as API keys and as JWTs. A request outside its scope gets 403
and nothing else; inside it, figures are controlled unless the scope owns the region.
A token that is expired, forged, for another audience or issuer, revoked or unknown gets
401 and nothing else on every data endpoint, whatever scope it claims; only the liveness
and readiness probes take no token at all.
"""

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import jwt
import pytest
from fastapi.testclient import TestClient

from aggregator_api.app import create_app
from aggregator_api.keys import KeyStore
from aggregator_api.settings import OidcSettings, Settings
from tests.api.conftest import AUDIENCE, ISSUER, KEY_ID, LocalIssuer, bearer
from tidbok import config

OWN, OTHER = "13", "25"
# (scope, credential): no token, then each scope as an API key and as a JWT
CALLERS = [("anonymous", None)] + [
    (scope, credential)
    for scope in ("public", "region:13", "national")
    for credential in ("api_key", "jwt")
]

# name -> (url for a region, what it serves)
#   open:   every scope, same body
#   values: every scope; controlled unless the scope sees the region uncontrolled
#   units:  only the region's own scope (own region) and the national scope
ENDPOINTS: dict[str, tuple[Callable[[str], str], str]] = {
    "catalogue": (lambda r: "/v1/metrics", "open"),
    "metric": (lambda r: "/v1/metrics/no_show_rate", "open"),
    "regions": (lambda r: "/v1/regions", "open"),
    "freshness": (lambda r: "/v1/freshness", "open"),
    "effects": (lambda r: f"/v1/effects?region={r}", "open"),
    "ledger": (lambda r: f"/v1/ledger?region={r}", "open"),
    "coverage": (lambda r: f"/v1/coverage?region={r}", "open"),
    "values": (lambda r: f"/v1/metrics/no_show_rate/values?region={r}&by=channel", "values"),
    "values_sum": (lambda r: f"/v1/metrics/bokade_tider_views/values?region={r}", "values"),
    "values_statistic": (lambda r: f"/v1/metrics/lead_time_days/values?region={r}", "values"),
    "values_by_unit": (
        lambda r: f"/v1/metrics/digital_booking_share/values?region={r}&by=unit",
        "units",
    ),
    "coverage_by_unit": (lambda r: f"/v1/coverage?region={r}&level=unit", "units"),
    "healthz": (lambda r: "/healthz", "open"),
    "readyz": (lambda r: "/readyz", "open"),
}


# Endpoints that answer without looking at a token: the probes of an orchestrator.
PROBES = ("healthz", "readyz")
# name -> a bad credential (every one claims the strongest scope, national)
TOKEN_STATES: dict[str, Callable[[LocalIssuer, KeyStore], str]] = {
    "jwt_expired": lambda i, s: i.token("national", exp=int(time.time()) - 3600),
    "jwt_other_issuer": lambda i, s: i.token("national", iss="https://evil.example"),
    "jwt_other_audience": lambda i, s: i.token("national", aud="someone-else"),
    "jwt_forged_signature": lambda i, s: i.token("national", key=i.other_key),
    "jwt_unknown_kid": lambda i, s: i.token("national", headers={"kid": "rotated-away"}),
    "jwt_garbage": lambda i, s: "not.a.jwt",
    "key_revoked": lambda i, s: _revoked_key(s),
    "key_unknown": lambda i, s: "tbk_0badc0de_" + "x" * 43,
    "key_tampered": lambda i, s: s.create("tampered", ["national"])[:-2] + "zz",
}


def _revoked_key(store: KeyStore) -> str:
    key = store.create("revoked-client", ["national"])
    assert store.revoke("revoked-client")
    return key


@pytest.fixture(scope="module")
def matrix(
    tmp_path_factory: pytest.TempPathFactory,
    sample_files: Callable[..., Path],
    issuer_keys: tuple,
    catalogue_dir: Path,
) -> Iterator[tuple[TestClient, dict, dict]]:
    """One app and serving file for the whole matrix (it only reads), with every credential."""
    home = tmp_path_factory.mktemp("matrix")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TIDBOK_HOME", str(home))
        sample_files(config.serving_path())
        store = KeyStore(home / "secrets" / "api_keys.json")
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(issuer_keys[0].public_key()))
        jwks = home / "jwks.json"
        jwks.write_text(json.dumps({"keys": [{**jwk, "kid": KEY_ID}]}))
        issuer = LocalIssuer(issuer_keys[0], jwks, issuer_keys[1])
        headers = {("anonymous", None): {}}
        for scope, credential in CALLERS[1:]:
            token = (
                store.create(scope, [scope])
                if credential == "api_key"
                else issuer.token(f"openid {scope}")
            )
            headers[(scope, credential)] = bearer(token)
        bad = {state: bearer(make(issuer, store)) for state, make in TOKEN_STATES.items()}
        settings = Settings(
            oidc=OidcSettings(ISSUER, AUDIENCE, jwks_path=jwks),
            api_keys_file=store.path,
            rate_per_second=0,
        )
        yield TestClient(create_app(settings)), headers, bad


@pytest.fixture(autouse=True)
def close_serving_files() -> None:
    """Keep the matrix's serving file open across its tests (overrides conftest's)."""


def sees_uncontrolled(scope: str, region: str) -> bool:
    return scope == "national" or scope == f"region:{region}"


@pytest.mark.parametrize("region", [OWN, OTHER], ids=["own", "other"])
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
@pytest.mark.parametrize(("scope", "credential"), CALLERS)
def test_scope_endpoint_region(
    matrix: tuple[TestClient, dict, dict],
    scope: str,
    credential: str | None,
    endpoint: str,
    region: str,
) -> None:
    client, headers, _ = matrix
    make_url, kind = ENDPOINTS[endpoint]
    response = client.get(make_url(region), headers=headers[(scope, credential)])
    body = response.json()
    allowed = kind != "units" or sees_uncontrolled(scope, region)
    if not allowed:
        assert response.status_code == 403, body
        assert response.headers["content-type"] == "application/problem+json"
        assert set(body) == {"type", "title", "status", "detail", "instance"}  # nothing else
        assert body["type"] == "urn:tidbok:problem:out-of-scope"
        return
    assert response.status_code == 200, body
    if kind == "open":
        anonymous = client.get(make_url(region)).json()
        body.pop("scope", None), anonymous.pop("scope", None)
        assert body == anonymous  # the same figures for every scope
        return
    rows = body["rows"] if "rows" in body else [r for m in body["metrics"] for r in m["rows"]]
    assert rows and {r["region"] for r in rows} == {region}
    assert body["scope"] == ("public" if scope == "anonymous" else scope)
    if sees_uncontrolled(scope, region):
        assert not any(r["rounded"] or r["suppressed"] for r in rows)
    else:
        assert all(r["rounded"] or r["suppressed"] for r in rows)
        for r in rows:
            for part in ("numerator", "denominator"):
                assert r[part] is None or r[part] % 5 == 0


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
@pytest.mark.parametrize("state", list(TOKEN_STATES))
def test_endpoint_token_state(
    matrix: tuple[TestClient, dict, dict], state: str, endpoint: str
) -> None:
    client, _, bad = matrix
    make_url, _ = ENDPOINTS[endpoint]
    response = client.get(make_url(OTHER), headers=bad[state])
    if endpoint in PROBES:
        assert response.status_code == 200  # probes take no token, so none is checked
        assert set(response.json()) <= {"status", "published", "version", "published_at"}
        return
    assert response.status_code == 401, response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith('Bearer realm="tidbok"')
    body = response.json()
    assert set(body) == {"type", "title", "status", "detail", "instance"}  # nothing else
    assert body["type"] == "urn:tidbok:problem:invalid-token"


def test_cache_control_is_private_for_every_token(matrix: tuple[TestClient, dict, dict]) -> None:
    client, headers, _ = matrix
    url = "/v1/metrics/no_show_rate/values?region=13"
    for caller, sent in headers.items():
        visibility = "public" if caller[0] == "anonymous" else "private"
        assert client.get(url, headers=sent).headers["cache-control"].startswith(visibility)
