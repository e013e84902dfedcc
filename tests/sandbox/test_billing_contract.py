"""Billing against its OpenAPI contract: schemathesis generates requests (valid and invalid) for every billing
operation and checks the answers: no 5xx, only documented statuses and content types, bodies match schemas."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.billing.system import BillingSystem
from sandbox.common.system import SystemConfig
from sandbox.world import demo_world

CONTRACT = Path(__file__).parents[2] / "adapters" / "wispgate" / "openapi.yaml"
TODAY = date(2026, 11, 25)

pytestmark = pytest.mark.contract


PREFIX = "/_sandbox/billing"


def _app() -> ASGIApp:
    path = Path(tempfile.mkdtemp(prefix="billing-contract-")) / "billing.sqlite3"
    system = BillingSystem(SystemConfig(db_path=str(path)), today=TODAY)
    system.seed(demo_world(TODAY))
    inner = system.asgi()

    # Serve under the contract's prefix via root_path rather than a Starlette Mount: a Mount's `.*` does
    # not match ids holding a newline and would answer a plain-text 404 the contract cannot describe.
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope = {**scope, "root_path": PREFIX}
        await inner(scope, receive, send)

    return app


schema = schemathesis.openapi.from_path(CONTRACT).include(path_regex="^/billing/")
schema.app = _app()


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_billing_conforms_to_contract(case: schemathesis.Case) -> None:
    # The operator key opens every route, so generated requests reach the handlers.
    case.call_and_validate(
        headers={"X-API-Key": "sandbox-operator-key"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
