"""Each mutation's errors have a type and a code enum of their own, and a code no enum lists never breaks a
mutation.

That a resolver cannot answer a code its enum lacks is checked by mypy, not here: `CodedError.of` (and
every helper in `schema.core.mutation`) accepts only members of the error's own enum.
"""

from __future__ import annotations

import ast
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from graphql import GraphQLEnumType, GraphQLInterfaceType, GraphQLObjectType, GraphQLSchema, get_named_type
from graphql import build_schema as parse_sdl

from adapters.wispgate.billing import HttpBilling
from adapters.wispgate.client import BackendConfig, CoreClient, make_http_client
from bff.core.settings import SANDBOX_SERVICE_KEY, Settings
from bff.server.app import create_app
from sandbox.app import Sandbox, build_sandbox
from sandbox.settings import SandboxSettings
from schema.core.errors import known_code
from schema.export import export_sdl
from tests.harness.transport import DispatchTransport
from tests.schema.conftest import Portal
from tests.schema.helpers import gid

ROOT = Path(__file__).resolve().parents[2]

# ------------------------------------------------------------------------------------------ the SDL's shape


@pytest.fixture(scope="module")
def sdl() -> GraphQLSchema:
    return parse_sdl(export_sdl())


def error_enums(schema: GraphQLSchema) -> dict[str, GraphQLEnumType]:
    """Mutation name → the code enum of its payload's userErrors."""
    assert schema.mutation_type is not None
    found = {}
    for name, field in schema.mutation_type.fields.items():
        payload = get_named_type(field.type)
        assert isinstance(payload, GraphQLObjectType)
        if "userErrors" in payload.fields:
            error = get_named_type(payload.fields["userErrors"].type)
            assert isinstance(error, GraphQLObjectType)
            enum = get_named_type(error.fields["code"].type)
            assert isinstance(enum, GraphQLEnumType)
            found[name] = enum
    return found


def members(schema: GraphQLSchema, mutation: str) -> set[str]:
    return set(error_enums(schema)[mutation].values)


def test_every_payload_has_an_error_type_and_a_code_enum_of_its_own(sdl: GraphQLSchema) -> None:
    assert sdl.mutation_type is not None
    interface = sdl.get_type("UserError")
    assert isinstance(interface, GraphQLInterfaceType)
    assert set(interface.fields) == {"field", "message"}
    without = []
    for name, field in sdl.mutation_type.fields.items():
        payload = get_named_type(field.type)
        assert isinstance(payload, GraphQLObjectType)
        if "userErrors" not in payload.fields:
            without.append(name)
            continue
        error_name = f"{name[0].upper()}{name[1:]}Error"
        assert str(payload.fields["userErrors"].type) == f"[{error_name}!]!", name
        error = sdl.get_type(error_name)
        assert isinstance(error, GraphQLObjectType)
        assert list(error.interfaces) == [interface]
        assert set(error.fields) == {"field", "message", "code"}
        assert str(error.fields["code"].type) == f"{error_name}Code!"
        # The mutation's description points at its enum instead of listing codes in prose.
        assert f"`{error_name}Code`" in (field.description or ""), name
        assert "Codes:" not in (field.description or "")
    assert without == ["logout"]  # answers `ok` whatever happened: nothing to refuse


def test_every_member_says_when_it_happens(sdl: GraphQLSchema) -> None:
    enums = error_enums(sdl)
    assert len({e.name for e in enums.values()}) == len(enums)  # no two mutations share an enum
    for mutation, enum in enums.items():
        assert enum.description, mutation
        undocumented = [name for name, value in enum.values.items() if not value.description]
        assert not undocumented, (mutation, undocumented)


def test_no_error_code_is_a_free_string(sdl: GraphQLSchema) -> None:
    for type_ in sdl.type_map.values():
        if isinstance(type_, GraphQLObjectType) and type_.name.endswith("Error"):
            assert isinstance(get_named_type(type_.fields["code"].type), GraphQLEnumType), type_.name


# ------------------------------------------------------------------ the enums list what really happens

# Billing's calls and the codes their contract documents (409/422 in the operation's description).
CONTRACT = {
    "billingApplyWallet": "applyWalletToInvoice",
    "billingRedeemGiftCard": "redeemGiftCard",
    "billingRenewSubService": "renewService",
    "billingRemovePaymentMethod": "removePaymentMethod",
    "billingSetAutopay": "setAutopay",
}
# Mutations that pass a backend's refusal through (`schema.core.mutation.refusal`): a code their enum does
# not list becomes REFUSED.
PASSED_THROUGH = {
    "applyWalletToInvoice",
    "redeemGiftCard",
    "renewService",
    "removePaymentMethod",
    "setDefaultPaymentMethod",
    "setAutopay",
    "markNotificationsRead",
}
# Codes translated by name from `bff.core` (which cannot know the schema's enums): each flow's exact set.
CHECKOUT_SHARED = {"NOT_FOUND", "RETURN_URL_NOT_ALLOWED", "IDEMPOTENCY_KEY_INVALID", "IDEMPOTENCY_CONFLICT"}
FLOWS = {
    # bff.core.payments.checkout: start_invoice_payment, start_wallet_topup, start_card_setup; and
    # schema.payments.mutations._checkout (GATEWAY_UNAVAILABLE for a gateway refusal).
    "payInvoice": {*CHECKOUT_SHARED, "ALREADY_PAID", "INVOICE_VOID", "GATEWAY_UNAVAILABLE"},
    "topUpWallet": {*CHECKOUT_SHARED, "AMOUNT_INVALID", "GATEWAY_UNAVAILABLE"},
    "addPaymentMethod": {*CHECKOUT_SHARED, "GATEWAY_UNAVAILABLE"},
    # bff.core.auth.service: AuthService.login and AuthService.refresh
    "login": {"INVALID_CREDENTIALS", "USER_DISABLED", "RATE_LIMITED"},
    "refreshSession": {"INVALID_REFRESH_TOKEN", "USER_DISABLED"},
}


def _operations() -> dict[str, dict[str, Any]]:
    spec = yaml.safe_load((ROOT / "adapters/wispgate/openapi.yaml").read_text(encoding="utf-8"))
    return {
        op["operationId"]: op
        for path in spec["paths"].values()
        for op in path.values()
        if isinstance(op, dict) and "operationId" in op
    }


@pytest.mark.parametrize(("operation", "mutation"), sorted(CONTRACT.items()))
def test_each_enum_lists_the_refusals_its_billing_call_documents(
    sdl: GraphQLSchema, operation: str, mutation: str
) -> None:
    documented = set(re.findall(r"\b4(?:09|22) ([A-Z][A-Z0-9_]+)", _operations()[operation]["description"]))
    assert documented, f"{operation} documents no codes"
    assert documented <= members(sdl, mutation)


def test_passed_through_refusals_have_a_generic_member(sdl: GraphQLSchema) -> None:
    enums = error_enums(sdl)
    assert {m for m, e in enums.items() if "REFUSED" in e.values} == PASSED_THROUGH


@pytest.mark.parametrize("mutation", sorted(FLOWS))
def test_the_codes_translated_by_name_are_exactly_the_enum(sdl: GraphQLSchema, mutation: str) -> None:
    assert members(sdl, mutation) == FLOWS[mutation]


@pytest.mark.parametrize(
    ("source", "exception"),
    [("bff/core/payments/checkout.py", "PaymentError"), ("bff/core/auth/service.py", "AuthFailure")],
)
def test_every_code_bff_core_raises_has_a_member(source: str, exception: str) -> None:
    # A new `PaymentError("…")` or `AuthFailure("…")` must reach some enum, or clients would see the
    # fallback member instead.
    tree = ast.parse((ROOT / source).read_text(encoding="utf-8"))
    raised = {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == exception
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }
    assert raised
    assert raised <= set().union(*FLOWS.values())


class _Codes(Enum):
    KNOWN = "KNOWN"
    REFUSED = "REFUSED"


def test_known_code_maps_by_name_and_logs_what_it_does_not_know(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="wispgate.graphql"):
        assert known_code("KNOWN", _Codes.REFUSED, source="billing") is _Codes.KNOWN
        assert not caplog.records
        assert known_code("ACCOUNT_FROZEN", _Codes.REFUSED, source="billing") is _Codes.REFUSED
    [record] = caplog.records
    assert "ACCOUNT_FROZEN" in record.getMessage() and "_Codes" in record.getMessage()


# ----------------------------------------------------- a backend newer than the portal: an unknown code

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
            return await Portal(client, transport.inner).login(email)

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
}


def test_every_passed_through_refusal_is_exercised() -> None:
    assert set(CASES) == PASSED_THROUGH


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
