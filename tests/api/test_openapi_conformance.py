"""Schemathesis against the OpenAPI document: no server error and no schema violation.

Every operation is called with generated requests, anonymously and with a national key
(which reaches the unit-level paths too); every response must be documented (status,
media type, headers) and match its schema.
"""

import os
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import PositiveDataAcceptanceConfig

from aggregator_api.app import create_app
from aggregator_api.keys import KeyStore
from aggregator_api.settings import Settings
from tests.api.conftest import bearer
from tidbok.serving.registry import CATALOGUE_DIR_ENV
from tidbok.serving.sample import write_sample_catalogue


def _app_and_key() -> tuple:
    # Built at import, because schemathesis reads the document to generate the tests; the
    # serving file comes per test from the `serving_file` fixture (read at request time).
    folder = Path(tempfile.mkdtemp(prefix="tidbok-openapi-"))
    before = os.environ.get(CATALOGUE_DIR_ENV)
    os.environ[CATALOGUE_DIR_ENV] = str(write_sample_catalogue(folder / "catalogue"))
    try:
        store = KeyStore(folder / "secrets" / "api_keys.json")
        key = store.create("schemathesis", ["national"])
        return create_app(Settings(api_keys_file=store.path, rate_per_second=0)), key
    finally:
        if before is None:
            del os.environ[CATALOGUE_DIR_ENV]
        else:
            os.environ[CATALOGUE_DIR_ENV] = before


APP, NATIONAL_KEY = _app_and_key()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
# Requests valid by the document may still ask for what the catalogue does not hold (an
# unknown metric, a grain or dimension that metric lacks, a region without data) or what
# the caller's scope does not cover: those are the documented 403, 404, 409 and 422
# problems, not rejected valid data.
schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig(
    expected_statuses=["2xx", "304", "403", "404", "409", "422"]
)
generated = settings(
    max_examples=30, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)


@schema.parametrize()
@generated
def test_anonymous_requests_conform(case: schemathesis.Case, serving_file: Path) -> None:
    case.call_and_validate()


@schema.parametrize()
@generated
def test_national_requests_conform(case: schemathesis.Case, serving_file: Path) -> None:
    case.call_and_validate(headers=bearer(NATIONAL_KEY))
