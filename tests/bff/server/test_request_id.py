"""A request id per request: taken from a well-formed `X-Request-Id` or made up, returned, passed to every
backend call, and in every log line of the request; log lines are JSON objects that parse, and none of them
carries a password, a token, a card number or a secret."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bff.core.logs import handler
from sandbox.app import Sandbox
from sandbox.world import DEMO_PASSWORD
from tests.harness.money import GOOD_CARD, Money
from tests.harness.portal import LOGIN, Portal, portal_settings, start_portal
from tests.harness.transport import RecordingTransport
from tests.schema.helpers import gid
from tests.schema.queries import DASHBOARD, PAY_INVOICE

GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """Everything logged (DEBUG and up, every logger) as the JSON lines production writes."""
    stream = io.StringIO()
    out = handler("json", stream)
    root = logging.getLogger()
    previous = root.level
    root.addHandler(out)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(out)
        root.setLevel(previous)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


async def test_every_answer_carries_a_request_id(portal: Portal) -> None:
    first = await portal.client.get("/healthz")
    second = await portal.client.post("/graphql", json={"query": "{ __typename }"})
    missing = await portal.client.get("/no-such-page")
    ids = [r.headers["x-request-id"] for r in (first, second, missing)]
    assert all(GENERATED.fullmatch(i) for i in ids)
    assert len(set(ids)) == 3


@pytest.mark.parametrize("incoming", ["abc-123", "Root=1-67891233-abcdef012345678912345678", "a.b_c:d"])
async def test_a_well_formed_incoming_id_is_kept(portal: Portal, incoming: str) -> None:
    response = await portal.client.get("/healthz", headers={"X-Request-Id": incoming})
    assert response.headers["x-request-id"] == incoming


@pytest.mark.parametrize(
    "incoming", ["", "has space", "x" * 65, "naïve".encode(), "-leading-dash", "a\tb", b"a\x01b", "a;b"]
)
async def test_a_malformed_incoming_id_is_replaced(portal: Portal, incoming: str | bytes) -> None:
    response = await portal.client.get("/healthz", headers={"X-Request-Id": incoming})
    assert GENERATED.fullmatch(response.headers["x-request-id"])


async def test_the_request_id_goes_with_every_backend_call(sandbox: Sandbox, tmp_path: Path) -> None:
    transport = RecordingTransport.to(sandbox.systems)
    async with start_portal(portal_settings(tmp_path), transport) as portal:
        variables = {"email": "ana@lima.example", "password": DEMO_PASSWORD, "delivery": "BODY"}
        login = await portal.client.post(
            "/graphql", json={"query": LOGIN, "variables": variables}, headers={"X-Request-Id": "login-1"}
        )
        token = login.json()["data"]["login"]["accessToken"]
        assert transport.seen and {h.get("x-request-id") for _, h in transport.seen} == {"login-1"}

        transport.seen.clear()
        dashboard = await portal.client.post(
            "/graphql", json={"query": DASHBOARD}, headers={"Authorization": f"Bearer {token}"}
        )
        assert "errors" not in dashboard.json()
        rid = dashboard.headers["x-request-id"]
        assert {host for host, _ in transport.seen} == {"crm.test", "billing.test", "aaa.test", "oss.test"}
        assert {h.get("x-request-id") for _, h in transport.seen} == {rid}


async def test_log_lines_are_json_with_the_request_id(portal: Portal, json_log: io.StringIO) -> None:
    renew = 'mutation Renew { renewService(input: {subServiceId: "x", idempotencyKey: "k"}) { userErrors { code } } }'
    await portal.client.post("/graphql", json={"query": renew}, headers={"X-Request-Id": "renew-1"})
    await portal.client.get("/healthz", headers={"X-Request-Id": "probe-1"})

    logged = lines(json_log)

    of_renew = [e for e in logged if e.get("request_id") == "renew-1"]
    access = [e for e in of_renew if e["logger"] == "wispgate.access"]
    assert access == [
        {
            **access[0],
            "level": "INFO",
            "method": "POST",
            "path": "/graphql",
            "status": 200,
            "message": f"POST /graphql 200 {access[0]['duration_ms']:.1f} ms",
        }
    ]
    # What the app logs while serving the request (the refused mutation) carries its id too.
    assert any(e["logger"] == "wispgate.graphql" and "UNAUTHENTICATED" in e["message"] for e in of_renew)
    assert all({"time", "level", "logger", "message", "pid"} <= e.keys() for e in logged)
    # Probes are logged below INFO.
    assert [e["level"] for e in logged if e.get("request_id") == "probe-1"] == ["DEBUG"]


async def test_no_password_token_card_or_secret_is_logged(
    money: Money, json_log: io.StringIO, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    instance = await money.instance()
    login = await instance.login("ana@lima.example", delivery="BODY")
    access, refresh = login["accessToken"], login["refreshToken"]
    instance.token = access
    cookie_login = await instance.another().login("ana@lima.example")  # tokens in cookies this time
    assert cookie_login["userErrors"] == []
    invoice_id = await money.invoice_of("SUB-1001", "OPEN")
    paid = await instance.data(
        PAY_INVOICE, {"input": {"invoiceId": gid("Invoice", invoice_id), "idempotencyKey": "k-log"}}
    )
    checkout_url = paid["payInvoice"]["checkoutUrl"]
    assert checkout_url, paid
    assert (await money.pay(checkout_url)).status_code < 400
    assert 200 in await money.deliver_all(instance)
    assert money.payments(invoice_id) == 1

    written = json_log.getvalue() + caplog.text
    assert "wispgate.access" in written  # the capture did see the requests
    forbidden = {
        "password": DEMO_PASSWORD,
        "access token": access,
        "refresh token": refresh,
        "card number": GOOD_CARD,
        "card digits": GOOD_CARD.replace(" ", ""),
        "JWT secret": money.settings.jwt_secret,
        "gateway key": money.settings.gateway.secret_key,
        "webhook secret": money.settings.gateway.webhook_secret,
        "backend API key": money.settings.billing.api_key,
    }
    leaked = [name for name, secret in forbidden.items() if secret and secret in written]
    assert leaked == []
