"""A backend newer than the portal: a Billing, CRM or OSS refusal whose code no enum lists becomes the mutation's
REFUSED, with the backend's message, a warning in the log and no top-level error."""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from graphql import build_schema as parse_sdl

from adapters.wispgate.billing import HttpBilling
from adapters.wispgate.client import BackendConfig, CoreClient, make_http_client
from bff.core.settings import SANDBOX_SERVICE_KEY, Settings
from bff.server.app import create_app
from sandbox.app import Sandbox, build_sandbox
from sandbox.settings import SandboxSettings
from schema.export import export_sdl
from tests.harness.portal import Portal
from tests.harness.transport import DispatchTransport
from tests.schema.helpers import error_enums, gid

NEW_CODE = "ACCOUNT_FROZEN"  # what a newer Billing or CRM might answer; no enum lists it
NEW_MESSAGE = "the account is frozen pending review"


class Refusing(httpx.AsyncBaseTransport):
    """The sandbox, except that the backend call matching (host, method, path) is refused with a code no
    enum lists — as a newer Billing or CRM would."""

    def __init__(self, inner: DispatchTransport) -> None:
        self.inner = inner
        self.rule: tuple[str, str, str] | None = None
        self.refused = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.rule is not None:
            host, method, path = self.rule
            if (request.url.host, request.method) == (host, method) and re.fullmatch(path, request.url.path):
                self.refused += 1
                return httpx.Response(409, json={"error": {"code": NEW_CODE, "message": NEW_MESSAGE}})
        return await self.inner.handle_async_request(request)


@pytest.fixture(scope="module")
def own_sandbox(today: date) -> Iterator[Sandbox]:
    """A sandbox of this module's own: the tests here add a card (nothing else reaches a backend)."""
    built = build_sandbox(SandboxSettings(today=today))
    yield built
    built.close()


@pytest.fixture
async def refusing(
    settings: Settings, own_sandbox: Sandbox
) -> AsyncIterator[tuple[Callable[[str], Any], Refusing]]:
    """(`await login(email)`, the transport whose `rule` picks the call to refuse), over one BFF app."""
    transport = Refusing(DispatchTransport({f"{s.name}.test": s.asgi() for s in own_sandbox.systems}))
    app = create_app(settings, backends_transport=transport)
    async with contextlib.AsyncExitStack() as stack:
        await stack.enter_async_context(app.router.lifespan_context(app))

        async def login(email: str) -> Portal:
            client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://portal.test")
            await stack.enter_async_context(client)
            return await Portal(client, app=app, transport=transport.inner).sign_in(email)

        yield login, transport


async def _anas_card(own_sandbox: Sandbox, today: date) -> str:
    """A saved, unexpired card of Ana's (the same one however often asked: the gateway token is its key)."""
    transport = DispatchTransport({f"{s.name}.test": s.asgi() for s in own_sandbox.systems})
    async with make_http_client(BackendConfig("http://billing.test", SANDBOX_SERVICE_KEY), transport) as http:
        card = await HttpBilling(CoreClient("billing", http)).add_payment_method(
            "SUB-1001",
            gateway_token="pm_test_codes",
            brand="visa",
            last4="4242",
            exp_month=12,
            exp_year=today.year + 1,
        )
    return gid("PaymentMethod", card.id)


SELECTION = "userErrors { __typename field message code }"
CASES: dict[str, tuple[str, str, dict[str, Any], tuple[str, str, str]]] = {
    "applyWalletToInvoice": (
        "ana@lima.example",
        f"mutation($input: ApplyWalletToInvoiceInput!) {{ applyWalletToInvoice(input: $input) {{ {SELECTION} }} }}",
        {"input": {"invoiceId": gid("Invoice", "INV-ANY"), "idempotencyKey": "k"}},
        ("billing.test", "POST", "/v1/wallet/apply"),
    ),
    "redeemGiftCard": (
        "ana@lima.example",
        f'mutation {{ redeemGiftCard(input: {{code: "WG-NEWER-1"}}) {{ {SELECTION} }} }}',
        {},
        ("billing.test", "POST", "/v1/gift-cards/redeem"),
    ),
    "renewService": (
        "cara@jensen.example",
        f"mutation($input: RenewServiceInput!) {{ renewService(input: $input) {{ {SELECTION} }} }}",
        {"input": {"subServiceId": gid("SubService", "SS-1003-2"), "idempotencyKey": "k"}},
        ("billing.test", "POST", "/v1/subservices/SS-1003-2/renew"),
    ),
    "changePlan": (
        "ana@lima.example",
        f"mutation($input: ChangePlanInput!) {{ changePlan(input: $input) {{ {SELECTION} }} }}",
        {
            "input": {
                "subServiceId": gid("SubService", "SS-1001-1"),
                "planCode": "fiber-1000",
                "idempotencyKey": "k",
            }
        },
        ("billing.test", "POST", "/v1/subservices/SS-1001-1/plan-change"),
    ),
    "buyAddOn": (
        "ana@lima.example",
        f"mutation($input: BuyAddOnInput!) {{ buyAddOn(input: $input) {{ {SELECTION} }} }}",
        {
            "input": {
                "subServiceId": gid("SubService", "SS-1001-1"),
                "addOnCode": "data-topup-10",
                "paymentMethod": "WALLET",
                "idempotencyKey": "k",
            }
        },
        ("billing.test", "POST", "/v1/subservices/SS-1001-1/add-ons"),
    ),
    "removePaymentMethod": (
        "ana@lima.example",
        f"mutation($id: ID!) {{ removePaymentMethod(input: {{paymentMethodId: $id}}) {{ {SELECTION} }} }}",
        {"id": "CARD"},
        ("billing.test", "DELETE", "/v1/subscribers/SUB-1001/payment-methods/[^/]+"),
    ),
    "setDefaultPaymentMethod": (
        "ana@lima.example",
        f"mutation($id: ID!) {{ setDefaultPaymentMethod(input: {{paymentMethodId: $id}}) {{ {SELECTION} }} }}",
        {"id": "CARD"},
        ("billing.test", "POST", "/v1/subscribers/SUB-1001/payment-methods/[^/]+/default"),
    ),
    "setAutopay": (
        "ana@lima.example",
        f"mutation {{ setAutopay(input: {{enabled: true}}) {{ {SELECTION} }} }}",
        {},
        ("billing.test", "PUT", "/v1/subscribers/SUB-1001/autopay"),
    ),
    "markNotificationsRead": (
        "ana@lima.example",
        f"mutation($ids: [ID!]!) {{ markNotificationsRead(input: {{ids: $ids}}) {{ unreadCount {SELECTION} }} }}",
        {"ids": [gid("Notification", "NTF-ANY")]},
        ("crm.test", "POST", "/v1/notifications/read"),
    ),
    "openTicket": (
        "ana@lima.example",
        f'mutation {{ openTicket(input: {{category: OTHER, subject: "s", description: "d"}}) {{ {SELECTION} }} }}',
        {},
        ("crm.test", "POST", "/v1/tickets"),
    ),
    "replyToTicket": (
        "ana@lima.example",
        f'mutation($id: ID!) {{ replyToTicket(input: {{ticketId: $id, body: "b"}}) {{ {SELECTION} }} }}',
        {"id": gid("Ticket", "TCK-1")},
        ("crm.test", "POST", "/v1/tickets/TCK-1/messages"),
    ),
    "closeTicket": (
        "ana@lima.example",
        f"mutation($id: ID!) {{ closeTicket(input: {{ticketId: $id}}) {{ {SELECTION} }} }}",
        {"id": gid("Ticket", "TCK-1")},
        ("crm.test", "POST", "/v1/tickets/TCK-1/close"),
    ),
    "reopenTicket": (
        "ana@lima.example",
        f"mutation($id: ID!) {{ reopenTicket(input: {{ticketId: $id}}) {{ {SELECTION} }} }}",
        {"id": gid("Ticket", "TCK-2")},
        ("crm.test", "POST", "/v1/tickets/TCK-2/reopen"),
    ),
    "rateTicket": (
        "ana@lima.example",
        f"mutation($id: ID!) {{ rateTicket(input: {{ticketId: $id, score: 4}}) {{ {SELECTION} }} }}",
        {"id": gid("Ticket", "TCK-2")},
        ("crm.test", "POST", "/v1/tickets/TCK-2/rating"),
    ),
    "setLocale": (
        "ana@lima.example",
        f"mutation {{ setLocale(input: {{locale: ES}}) {{ {SELECTION} }} }}",
        {},
        ("crm.test", "POST", "/v1/users/USR-1/locale"),
    ),
    "setWifiSettings": (
        "ana@lima.example",
        f"mutation($input: SetWifiSettingsInput!) {{ setWifiSettings(input: $input) {{ {SELECTION} }} }}",
        {"input": {"deviceId": gid("Device", "DEV-1001-1-2"), "index": 1, "ssid": "Casa"}},
        ("oss.test", "POST", "/v1/devices/DEV-1001-1-2/tasks"),
    ),
    "rebootDevice": (
        "ana@lima.example",
        f"mutation($id: ID!) {{ rebootDevice(input: {{deviceId: $id}}) {{ {SELECTION} }} }}",
        {"id": gid("Device", "DEV-1001-1-2")},
        ("oss.test", "POST", "/v1/devices/DEV-1001-1-2/tasks"),
    ),
    "updateContactDetails": (
        "ana@lima.example",
        f'mutation {{ updateContactDetails(input: {{phone: "+15550101999"}}) {{ {SELECTION} }} }}',
        {},
        ("crm.test", "POST", "/v1/subscribers/SUB-1001/contact"),
    ),
    "updateMyContactDetails": (
        "ana@lima.example",
        f'mutation {{ updateMyContactDetails(input: {{phone: "+15550101999"}}) {{ {SELECTION} }} }}',
        {},
        ("crm.test", "POST", "/v1/users/USR-1/phone"),
    ),
    "setNotificationPreferences": (
        "ana@lima.example",
        "mutation { setNotificationPreferences(input: {preferences: [{kind: USAGE, channel: EMAIL, enabled: false}]})"
        f" {{ {SELECTION} }} }}",
        {},
        ("crm.test", "POST", "/v1/users/USR-1/notification-preferences"),
    ),
}


def test_every_mutation_with_a_refused_member_is_exercised() -> None:
    enums = error_enums(parse_sdl(export_sdl()))
    assert set(CASES) == {m for m, e in enums.items() if "REFUSED" in e.values}


@pytest.mark.parametrize("mutation", sorted(CASES))
async def test_an_unknown_backend_code_becomes_refused_with_the_backends_message(
    refusing: tuple[Callable[[str], Any], Refusing],
    own_sandbox: Sandbox,
    today: date,
    caplog: pytest.LogCaptureFixture,
    mutation: str,
) -> None:
    login, transport = refusing
    email, query, variables, rule = CASES[mutation]
    if variables.get("id") == "CARD":
        variables = {"id": await _anas_card(own_sandbox, today)}
    portal = await login(email)
    transport.rule = rule

    with caplog.at_level(logging.WARNING, logger="wispgate.graphql"):
        result = await portal.execute(query, variables)  # asserts HTTP 200

    assert transport.refused == 1, "the refused call was never made"
    assert "errors" not in result, result["errors"]
    [error] = result["data"][mutation]["userErrors"]
    assert error == {
        "__typename": f"{mutation[0].upper()}{mutation[1:]}Error",
        "field": None,
        "message": NEW_MESSAGE,
        "code": "REFUSED",
    }
    if mutation == "markNotificationsRead":
        assert isinstance(result["data"][mutation]["unreadCount"], int)  # the count as it stands
    assert any(NEW_CODE in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)
