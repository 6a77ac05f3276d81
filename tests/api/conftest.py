"""The API under test: a sample serving file and catalogue, a local OIDC test issuer (RSA keys
and a JWKS file, nothing on the network), and API keys for every scope."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from aggregator_api.app import create_app
from aggregator_api.keys import KeyStore
from aggregator_api.settings import OidcSettings, Settings
from tidbok import config
from tidbok.serving import SERVING_FILES
from tidbok.serving.registry import CATALOGUE_DIR_ENV
from tidbok.serving.sample import SampleFiles, write_sample_catalogue

ISSUER = "http://127.0.0.1/test-issuer"
AUDIENCE = "tidbok-api"
KEY_ID = "test-key-1"
SCOPES = ("public", "region:13", "region:25", "national")


@pytest.fixture(scope="session")
def catalogue_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sample_catalogue(tmp_path_factory.mktemp("catalogue"))


@pytest.fixture(autouse=True)
def sample_catalogue(catalogue_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(CATALOGUE_DIR_ENV, str(catalogue_dir))
    return catalogue_dir


@pytest.fixture(autouse=True)
def close_serving_files() -> Iterator[None]:
    yield
    SERVING_FILES.close_all()


@pytest.fixture(scope="session")
def sample_files(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    return SampleFiles(tmp_path_factory.mktemp("samples")).publish


@pytest.fixture
def tidbok_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("TIDBOK_HOME", str(home))
    return home


@pytest.fixture
def serving_file(tidbok_home: Path, sample_files: Callable[..., Path]) -> Path:
    return sample_files(config.serving_path())


@dataclass
class LocalIssuer:
    """A local OIDC issuer: signs JWTs with its RSA key; its JWKS is a file."""

    private_key: Any
    jwks_path: Path
    other_key: Any = field(repr=False)

    def token(
        self,
        scopes: str | list[str],
        *,
        sub: str = "tester",
        key: Any = None,
        algorithm: str = "RS256",
        headers: dict | None = None,
        **claims: Any,
    ) -> str:
        now = int(time.time())
        payload = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": sub,
            "iat": now,
            "exp": now + 300,
            "scope": scopes if isinstance(scopes, str) else " ".join(scopes),
            **claims,
        }
        payload = {k: v for k, v in payload.items() if v is not None}
        return jwt.encode(
            payload,
            key or self.private_key,
            algorithm=algorithm,
            headers={"kid": KEY_ID, **(headers or {})},
        )


@pytest.fixture(scope="session")
def issuer_keys() -> tuple[Any, Any]:
    return (
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
    )


@pytest.fixture
def issuer(issuer_keys: tuple[Any, Any], tmp_path: Path) -> LocalIssuer:
    private_key, other_key = issuer_keys
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private_key.public_key()))
    jwks_path = tmp_path / "jwks.json"
    jwks_path.write_text(
        json.dumps({"keys": [{**jwk, "kid": KEY_ID, "use": "sig", "alg": "RS256"}]})
    )
    return LocalIssuer(private_key, jwks_path, other_key)


@dataclass
class ApiKeys:
    store: KeyStore
    by_scope: dict[str, str]


@pytest.fixture(scope="session")
def key_file_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    path = tmp_path_factory.mktemp("keys") / "api_keys.json"
    store = KeyStore(path)
    keys = {scope: store.create(f"client-{scope.replace(':', '-')}", [scope]) for scope in SCOPES}
    return path, keys


@pytest.fixture
def api_keys(key_file_template: tuple[Path, dict[str, str]], tmp_path: Path) -> ApiKeys:
    template, keys = key_file_template
    path = tmp_path / "secrets" / "api_keys.json"
    path.parent.mkdir(mode=0o700)
    shutil.copy2(template, path)  # keeps its 0600
    return ApiKeys(KeyStore(path), dict(keys))


@pytest.fixture
def settings(issuer: LocalIssuer, api_keys: ApiKeys) -> Settings:
    return Settings(
        oidc=OidcSettings(issuer=ISSUER, audience=AUDIENCE, jwks_path=issuer.jwks_path),
        api_keys_file=api_keys.store.path,
        rate_per_second=0,  # off, except in the tests of the limit
        rate_burst=1,
        max_age_seconds=60,
    )


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
