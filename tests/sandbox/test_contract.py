"""The sandbox against its written contract (adapters/wispgate/openapi.yaml), with schemathesis.

Every operation gets generated requests (valid and invalid, with the operator key so nothing is refused
for auth); the sandbox must never answer 5xx, and every answer must match the documented status codes,
content types and response schemas.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.applications import Starlette

from adapters.wispgate import contract
from sandbox.app import Sandbox, build_sandbox, mount
from sandbox.settings import SandboxSettings

pytestmark = pytest.mark.contract

OPERATOR_KEY = "contract-operator-key"


def test_contract_file_is_built_from_the_fragments() -> None:
    assert contract.CONTRACT.read_text() == contract.render(), (
        "adapters/wispgate/openapi.yaml is stale: run `python -m adapters.wispgate.contract`"
    )


def _app() -> tuple[Starlette, Sandbox]:
    sandbox = build_sandbox(SandboxSettings(operator_key=OPERATOR_KEY, today=date(2026, 11, 25)))
    inner = sandbox.asgi()
    return Starlette(routes=[mount("/_sandbox", inner)]), sandbox


_APP, _SANDBOX = _app()
schema = schemathesis.openapi.from_asgi("/_sandbox/openapi.yaml", _APP)


@pytest.fixture(scope="module", autouse=True)
def _close_sandbox() -> Iterator[None]:
    yield
    _SANDBOX.close()


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_sandbox_honours_its_contract(case: schemathesis.Case) -> None:
    case.call_and_validate(
        headers={"X-API-Key": OPERATOR_KEY},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
