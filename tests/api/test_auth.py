"""Bearer tokens (OIDC JWTs against a JWKS, hashed API keys), settings and rate limits."""

import dataclasses
import http.server
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
from fastapi.testclient import TestClient

from aggregator_api.app import create_app
from aggregator_api.ratelimit import RateLimiter
from aggregator_api.settings import OidcSettings, Settings, SettingsError, load_settings
from tests.api.conftest import AUDIENCE, ISSUER, ApiKeys, LocalIssuer, bearer

VALUES = "/v1/metrics/no_show_rate/values"


def scope_of(client: TestClient, headers: dict[str, str]) -> str:
    response = client.get(VALUES, params={"region": "13"}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["scope"]


def assert_unauthorized(response, hint: str) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith('Bearer realm="tidbok"')
    body = response.json()
    assert body["type"] == "urn:tidbok:problem:invalid-token"
    assert hint.lower() in body["detail"].lower()
    assert "rows" not in body


@pytest.mark.parametrize("scope", ["public", "region:13", "national"])
def test_a_valid_jwt_grants_its_scope(
    client: TestClient, serving_file: Path, issuer: LocalIssuer, scope: str
) -> None:
    assert scope_of(client, bearer(issuer.token(f"openid profile {scope}"))) == scope


def test_scopes_may_come_as_a_list_claim(
    client: TestClient, serving_file: Path, issuer: LocalIssuer
) -> None:
    token = issuer.token("", scp=["region:13"], scope=None)
    assert scope_of(client, bearer(token)) == "region:13"


def test_no_token_is_public(client: TestClient, serving_file: Path) -> None:
    assert scope_of(client, {}) == "public"


@pytest.mark.parametrize(
    ("make", "hint"),
    [
        (lambda i: i.token("national", exp=int(time.time()) - 3600), "expired"),
        (lambda i: i.token("national", aud="someone-else"), "audience"),
        (lambda i: i.token("national", iss="https://evil.example"), "issuer"),
        (lambda i: i.token("national", key=i.other_key), "Signature"),
        (lambda i: i.token("national", sub=None), "sub"),
        (lambda i: i.token("national", headers={"kid": "unknown"}), "no key 'unknown'"),
        (
            lambda i: jwt.encode(
                {
                    "iss": ISSUER,
                    "aud": AUDIENCE,
                    "sub": "x",
                    "scope": "national",
                    "exp": int(time.time()) + 60,
                },
                None,
                algorithm="none",
            ),
            "not valid",
        ),
        # The public key used as an HMAC secret: the classic algorithm confusion attack.
        (
            lambda i: jwt.api_jws.PyJWS().encode(
                json.dumps(
                    {
                        "iss": ISSUER,
                        "aud": AUDIENCE,
                        "sub": "x",
                        "scope": "national",
                        "exp": int(time.time()) + 60,
                    }
                ).encode(),
                b"any-secret",
                algorithm="HS256",
                headers={"kid": "test-key-1"},
            ),
            "not valid",
        ),
        (lambda i: "not.a.jwt", "not valid"),
    ],
)
def test_a_bad_jwt_is_401_never_public(
    client: TestClient, serving_file: Path, issuer: LocalIssuer, make, hint: str
) -> None:
    assert_unauthorized(client.get(VALUES, headers=bearer(make(issuer))), hint)


def test_other_schemes_and_empty_tokens_are_401(client: TestClient, serving_file: Path) -> None:
    for header in ("Basic dXNlcjpwYXNz", "Bearer", "Bearer    "):
        assert_unauthorized(client.get(VALUES, headers={"Authorization": header}), "Bearer <token>")


def test_api_keys_grant_their_scope_until_revoked(
    client: TestClient, serving_file: Path, api_keys: ApiKeys
) -> None:
    key = api_keys.by_scope["region:13"]
    assert scope_of(client, bearer(key)) == "region:13"
    assert_unauthorized(client.get(VALUES, headers=bearer(key[:-1] + "x")), "unknown or revoked")
    assert_unauthorized(client.get(VALUES, headers=bearer("tbk_00000000_nope")), "unknown")
    assert api_keys.store.revoke("client-region-13")
    assert_unauthorized(client.get(VALUES, headers=bearer(key)), "revoked")
    assert scope_of(client, bearer(api_keys.by_scope["national"])) == "national"


def test_keys_are_stored_hashed_and_private(api_keys: ApiKeys) -> None:
    text = api_keys.store.path.read_text()
    for key in api_keys.by_scope.values():
        assert key not in text and key.split("_", 2)[2] not in text
    assert api_keys.store.path.stat().st_mode & 0o777 == 0o600
    assert api_keys.store.path.parent.stat().st_mode & 0o777 == 0o700
    stored = json.loads(text)["keys"][0]
    assert set(stored) == {"id", "name", "scopes", "sha256", "created_at", "revoked"}


def test_a_token_with_two_region_scopes_is_refused(
    client: TestClient, serving_file: Path, issuer: LocalIssuer
) -> None:
    response = client.get(VALUES, headers=bearer(issuer.token("region:13 region:14")))
    assert response.status_code == 403
    assert "one region scope" in response.json()["detail"]


def test_without_an_issuer_jwts_are_refused_with_a_reason(
    serving_file: Path, issuer: LocalIssuer, settings: Settings
) -> None:
    client = TestClient(create_app(dataclasses.replace(settings, oidc=None)))
    assert_unauthorized(
        client.get(VALUES, headers=bearer(issuer.token("national"))), "no OIDC provider"
    )
    assert scope_of(client, {}) == "public"


def test_rotated_keys_in_the_jwks_file_are_picked_up(
    client: TestClient, serving_file: Path, issuer: LocalIssuer
) -> None:
    token = issuer.token("national", key=issuer.other_key, headers={"kid": "rotated"})
    assert client.get(VALUES, headers=bearer(token)).status_code == 401
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(issuer.other_key.public_key()))
    document = json.loads(issuer.jwks_path.read_text())
    document["keys"].append({**jwk, "kid": "rotated"})
    time.sleep(0.01)  # a new mtime
    issuer.jwks_path.write_text(json.dumps(document))
    assert scope_of(client, bearer(token)) == "national"


@pytest.fixture
def jwks_url(issuer: LocalIssuer) -> Iterator[str]:
    """The JWKS served over HTTP on loopback, as an OIDC provider would."""
    body = issuer.jwks_path.read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
    finally:
        server.shutdown()
        server.server_close()


def test_jwks_from_a_url(
    serving_file: Path, issuer: LocalIssuer, settings: Settings, jwks_url: str
) -> None:
    oidc = OidcSettings(issuer=ISSUER, audience=AUDIENCE, jwks_url=jwks_url)
    client = TestClient(create_app(dataclasses.replace(settings, oidc=oidc)))
    assert scope_of(client, bearer(issuer.token("region:13"))) == "region:13"


def test_an_unreachable_jwks_is_503_not_401(
    serving_file: Path, issuer: LocalIssuer, settings: Settings
) -> None:
    oidc = OidcSettings(issuer=ISSUER, audience=AUDIENCE, jwks_url="http://127.0.0.1:9/jwks")
    client = TestClient(create_app(dataclasses.replace(settings, oidc=oidc)))
    response = client.get(VALUES, headers=bearer(issuer.token("national")))
    assert response.status_code == 503
    assert response.json()["type"] == "urn:tidbok:problem:keys-unavailable"


def test_rate_limit_per_client_with_retry_after(
    serving_file: Path, settings: Settings, api_keys: ApiKeys
) -> None:
    client = TestClient(
        create_app(dataclasses.replace(settings, rate_per_second=0.5, rate_burst=2))
    )
    assert [client.get("/v1/regions").status_code for _ in range(2)] == [200, 200]
    limited = client.get("/v1/regions")
    assert limited.status_code == 429
    assert limited.headers["content-type"] == "application/problem+json"
    assert int(limited.headers["retry-after"]) >= 1
    # Another client has its own bucket; health probes are never limited.
    assert (
        client.get("/v1/regions", headers=bearer(api_keys.by_scope["national"])).status_code == 200
    )
    assert client.get("/healthz").status_code == 200


def test_token_bucket_refills() -> None:
    now = [0.0]
    limiter = RateLimiter(per_second=2, burst=2, clock=lambda: now[0])
    assert [limiter.acquire("a"), limiter.acquire("a")] == [None, None]
    assert limiter.acquire("a") == pytest.approx(0.5)
    now[0] = 0.5
    assert limiter.acquire("a") is None
    assert limiter.acquire("b") is None
    assert RateLimiter(per_second=0, burst=1).acquire("a") is None  # off


def test_settings_from_toml_and_environment(tmp_path: Path) -> None:
    path = tmp_path / "api.toml"
    path.write_text(
        '[oidc]\nissuer = "https://idp.example"\naudience = "tidbok"\n'
        'jwks_path = "/etc/jwks.json"\n[rate_limit]\nrequests_per_second = 5\nburst = 9\n'
    )
    settings = load_settings(
        {
            "TIDBOK_API_CONFIG": str(path),
            "TIDBOK_API_RATE_BURST": "11",
            "TIDBOK_HOME": str(tmp_path),
        }
    )
    assert settings.oidc == OidcSettings("https://idp.example", "tidbok", Path("/etc/jwks.json"))
    assert (settings.rate_per_second, settings.rate_burst) == (5.0, 11)
    assert load_settings({}).oidc is None  # no configuration: public only
    for bad in (
        '[oidc]\nissuer = "x"\n',
        '[oidc]\nissuer="x"\naudience="y"\n',
        '[oidc]\nissuer="x"\naudience="y"\njwks_path="j"\nalgorithms=["HS256"]\n',
    ):
        path.write_text(bad)
        with pytest.raises(SettingsError):
            load_settings({"TIDBOK_API_CONFIG": str(path)})
