"""Which real adapter calls are sent again after a 503 and which never are (respx counts what was sent):
reads and batch reads yes; writes only with an idempotency key; a Stripe charge always carries one, a
detach carries none. A 4xx is an answer and is never repeated. The pause between attempts is real here
(25–50 ms): the guard's own tests inject it instead."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from decimal import Decimal

import httpx
import pytest
import respx

from adapters.errors import NotFound, Unavailable
from adapters.ports.money import Money
from adapters.resilience.guard import Guard
from adapters.stripe.gateway import HttpStripeGateway, StripeConfig, _operation_path, make_stripe_http
from adapters.wispgate.client import BackendConfig, CoreClient, keyed, make_http_client, operation_of

CORE = "http://billing.test"
STRIPE = "https://api.stripe.com"
DOWN = httpx.Response(503, json={"error": {"code": "UNAVAILABLE", "message": "try later"}})


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=True) as mock:
        yield mock


@pytest.fixture
async def core() -> AsyncIterator[CoreClient]:
    async with make_http_client(BackendConfig(base_url=CORE, api_key="k")) as http:
        yield CoreClient("billing", http, Guard("billing"))


@pytest.fixture
async def gateway() -> AsyncIterator[HttpStripeGateway]:
    async with make_stripe_http(StripeConfig(api_key="sk_test_4eC39HqLyjWDarjtT1zdp7dc")) as http:
        yield HttpStripeGateway(http)


async def test_a_read_is_sent_again_and_answers(router: respx.MockRouter, core: CoreClient) -> None:
    route = router.get(f"{CORE}/v1/wallets/SUB-1").mock(
        side_effect=[DOWN, httpx.Response(200, json={"a": 1})]
    )
    assert await core.call("GET", "/v1/wallets/SUB-1") == {"a": 1}
    assert route.call_count == 2


async def test_a_batch_read_is_a_read(router: respx.MockRouter, core: CoreClient) -> None:
    route = router.post(f"{CORE}/v1/invoices:batch").mock(
        side_effect=[DOWN, httpx.Response(200, json={"items": []})]
    )
    assert await core.batch("/v1/invoices:batch", ["INV-1"], dict) == []
    assert route.call_count == 2


async def test_a_write_without_a_key_is_sent_once(router: respx.MockRouter, core: CoreClient) -> None:
    route = router.post(f"{CORE}/v1/payments").mock(side_effect=[DOWN, httpx.Response(200, json={})])
    with pytest.raises(Unavailable):
        await core.call("POST", "/v1/payments", json_body={"amount": "1.00"})
    assert route.call_count == 1


async def test_a_keyed_write_is_sent_again_with_the_same_key(
    router: respx.MockRouter, core: CoreClient
) -> None:
    route = router.post(f"{CORE}/v1/payments").mock(
        side_effect=[DOWN, httpx.Response(200, json={"ok": True})]
    )
    answer = await core.call("POST", "/v1/payments", json_body={}, headers=keyed("evt_1:payment"))
    assert answer == {"ok": True} and route.call_count == 2
    assert {c.request.headers["idempotency-key"] for c in route.calls} == {"evt_1:payment"}


async def test_a_not_found_is_asked_once(router: respx.MockRouter, core: CoreClient) -> None:
    route = router.get(f"{CORE}/v1/invoices/INV-9").respond(404, json={"error": {"code": "NOT_FOUND"}})
    with pytest.raises(NotFound):
        await core.call("GET", "/v1/invoices/INV-9")
    assert route.call_count == 1


async def test_a_charge_is_asked_again_only_with_its_key(
    router: respx.MockRouter, gateway: HttpStripeGateway
) -> None:
    charge = router.post(f"{STRIPE}/v1/payment_intents").mock(side_effect=[DOWN, DOWN])
    with pytest.raises(Unavailable):
        await gateway.charge_off_session("cus_1", "pm_1", Money(Decimal("20.00"), "USD"), {}, "k-charge-7")
    assert (
        charge.call_count == 2
    )  # the key makes the repeat safe: the gateway answers it with the first result
    assert {c.request.headers["idempotency-key"] for c in charge.calls} == {"k-charge-7"}


async def test_a_detach_without_a_key_is_sent_once(
    router: respx.MockRouter, gateway: HttpStripeGateway
) -> None:
    detach = router.post(f"{STRIPE}/v1/payment_methods/pm_1/detach").mock(side_effect=[DOWN, DOWN])
    with pytest.raises(Unavailable):
        await gateway.detach_payment_method("pm_1")
    assert detach.call_count == 1


async def test_the_gateway_has_its_own_breaker(router: respx.MockRouter, gateway: HttpStripeGateway) -> None:
    route = router.get(f"{STRIPE}/v1/events/evt_1").mock(return_value=DOWN)
    failures = gateway.guard.policy.breaker.failures
    for _ in range(failures):
        with pytest.raises(Unavailable):
            await gateway.event("evt_1")
    sent = route.call_count
    with pytest.raises(Unavailable) as refused:
        await gateway.event("evt_1")
    assert refused.value.reason == "circuit_open" and route.call_count == sent


def test_calls_are_named_without_their_ids() -> None:
    assert operation_of("GET", "/v1/subscribers/SUB-1/subservices") == "GET /v1/subscribers/{id}/subservices"
    assert operation_of("POST", "/v1/invoices:batch") == "POST /v1/invoices:batch"
    assert operation_of("GET", "/v1/invoices/INV-2026-0001/pdf?x=1") == "GET /v1/invoices/{id}/pdf"
    assert _operation_path("/v1/customers/cus_NffrFeUfNV2Hib/payment_methods") == (
        "/v1/customers/{id}/payment_methods"
    )
    assert _operation_path("/v1/payment_intents") == "/v1/payment_intents"
    assert _operation_path("/v1/checkout/sessions/cs_test_a1b2") == "/v1/checkout/sessions/{id}"
