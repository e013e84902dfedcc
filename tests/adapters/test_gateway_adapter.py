"""Every `HttpStripeGateway` method against the sandbox gateway in-process (httpx.ASGITransport)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from adapters.errors import NotFound, Rejected
from adapters.ports.gateway import CardDeclined, PaymentGatewayPort
from adapters.ports.money import Money
from adapters.stripe.gateway import HttpStripeGateway, StripeConfig, make_stripe_http
from sandbox.gateway.system import GatewaySystem
from tests.sandbox.test_gateway_support import BASE, CANCEL, SUCCESS, make_system, submit_card


@dataclass
class Rig:
    system: GatewaySystem
    gateway: HttpStripeGateway
    browser: httpx.AsyncClient


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    system = make_system(tmp_path)
    app = system.asgi()
    config = StripeConfig(api_key=system.gateway_config.secret_key, base_url=BASE)
    async with (
        make_stripe_http(config, transport=httpx.ASGITransport(app=app)) as http,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as browser,
    ):
        yield Rig(system, HttpStripeGateway(http), browser)


def test_adapter_satisfies_the_port() -> None:
    def accepts(port: PaymentGatewayPort) -> PaymentGatewayPort:
        return port

    assert accepts(HttpStripeGateway(httpx.AsyncClient()))


async def saved_card(rig: Rig, customer_id: str, number: str = "4242424242424242") -> str:
    session = await rig.gateway.create_setup_session(
        customer_id, "USD", SUCCESS, CANCEL, {"subscriber_id": "SUB-1001"}, f"setup-{customer_id}-{number}"
    )
    cvc = "1234" if number.startswith(("34", "37")) else "123"
    response = await submit_card(rig.browser, session.id, number, card_cvc=cvc)
    if response.headers.get("location", "").endswith("/authenticate"):
        response = await rig.browser.post(f"/pay/{session.id}/authenticate", data={"outcome": "complete"})
    assert response.status_code == 303
    done = await rig.gateway.checkout_session(session.id)
    assert done.payment_method_id is not None
    return done.payment_method_id


async def test_create_customer_is_idempotent_and_readable(rig: Rig) -> None:
    first = await rig.gateway.create_customer("ada@example.com", "Ada", "SUB-1001", "customer-SUB-1001")
    again = await rig.gateway.create_customer("ada@example.com", "Ada", "SUB-1001", "customer-SUB-1001")
    assert again == first
    assert (first.email, first.name, first.subscriber_id) == ("ada@example.com", "Ada", "SUB-1001")
    assert first.created.tzinfo is not None
    assert await rig.gateway.customer(first.id) == first
    with pytest.raises(Rejected) as reused:
        await rig.gateway.create_customer("eve@example.com", "Eve", "SUB-2", "customer-SUB-1001")
    assert reused.value.code == "idempotency_error" and reused.value.status == 400
    with pytest.raises(NotFound):
        await rig.gateway.customer("cus_missing")


async def test_payment_session_round_trip(rig: Rig) -> None:
    customer = await rig.gateway.create_customer(None, None, "SUB-1001", "c-1")
    session = await rig.gateway.create_payment_session(
        Money(Decimal("49.99"), "USD"),
        "Invoice INV-2026-0042",
        {"kind": "invoice", "invoice_id": "INV-2026-0042"},
        customer.id,
        SUCCESS,
        CANCEL,
        "pay-INV-2026-0042-1",
    )
    assert (session.mode, session.status, session.payment_status) == ("payment", "open", "unpaid")
    assert session.amount == Money(Decimal("49.99"), "USD") and session.currency == "USD"
    assert session.reference == {"kind": "invoice", "invoice_id": "INV-2026-0042"}
    assert session.customer_id == customer.id and session.url == f"{BASE}/pay/{session.id}"
    assert session.payment_intent_id is None and session.payment_method_id is None
    assert session.expires_at > session.created
    retried = await rig.gateway.create_payment_session(
        Money(Decimal("49.99"), "USD"),
        "Invoice INV-2026-0042",
        {"kind": "invoice", "invoice_id": "INV-2026-0042"},
        customer.id,
        SUCCESS,
        CANCEL,
        "pay-INV-2026-0042-1",
    )
    assert retried.id == session.id

    assert (await submit_card(rig.browser, session.id)).status_code == 303
    paid = await rig.gateway.checkout_session(session.id)
    assert (paid.status, paid.payment_status, paid.url) == ("complete", "paid", None)
    assert paid.payment_intent_id is not None and paid.payment_method_id is not None
    method = await rig.gateway.payment_method(paid.payment_method_id)
    assert (method.brand, method.last4, method.exp_month, method.exp_year) == ("visa", "4242", 12, 2034)
    assert method.customer_id == customer.id


async def test_payment_session_without_customer_and_zero_decimal_currency(rig: Rig) -> None:
    session = await rig.gateway.create_payment_session(
        Money(Decimal("5000"), "JPY"), "Top-up", {"kind": "topup"}, None, SUCCESS, CANCEL, "topup-1"
    )
    assert session.amount == Money(Decimal("5000"), "JPY") and session.customer_id is None
    raw = (await rig.browser.get(f"/pay/{session.id}")).text
    assert "¥5,000" in raw


async def test_amount_finer_than_currency_is_refused_before_sending(rig: Rig) -> None:
    with pytest.raises(Rejected) as finer:
        await rig.gateway.create_payment_session(
            Money(Decimal("10.001"), "USD"), "x", {}, None, SUCCESS, CANCEL, "bad-1"
        )
    assert finer.value.code == "invalid_amount"
    assert rig.system.db.scalar("SELECT COUNT(*) FROM checkout_sessions") == 0


async def test_gateway_validation_error_is_rejected_with_stripe_code(rig: Rig) -> None:
    with pytest.raises(Rejected) as small:
        await rig.gateway.create_payment_session(
            Money(Decimal("0.10"), "USD"), "x", {}, None, SUCCESS, CANCEL, "s-1"
        )
    assert small.value.code == "amount_too_small" and small.value.status == 400
    with pytest.raises(NotFound):
        await rig.gateway.create_setup_session("cus_missing", "USD", SUCCESS, CANCEL, {}, "s-2")


async def test_setup_session_saves_a_card(rig: Rig) -> None:
    customer = await rig.gateway.create_customer(None, "Ada", "SUB-1001", "c-2")
    session = await rig.gateway.create_setup_session(
        customer.id, "USD", SUCCESS, CANCEL, {"subscriber_id": "SUB-1001"}, "s-3"
    )
    assert (session.mode, session.payment_status, session.amount) == ("setup", "no_payment_required", None)
    assert session.currency == "USD"
    assert (await submit_card(rig.browser, session.id, "5555555555554444")).status_code == 303
    done = await rig.gateway.checkout_session(session.id)
    assert done.status == "complete" and done.setup_intent_id is not None
    methods = await rig.gateway.payment_methods(customer.id)
    assert [(m.id, m.brand, m.last4) for m in methods] == [(done.payment_method_id, "mastercard", "4444")]


async def test_payment_methods_pages_through_everything(rig: Rig) -> None:
    customer = await rig.gateway.create_customer(None, None, "SUB-1001", "c-3")
    ids = [
        await saved_card(rig, customer.id, n)
        for n in ("4242424242424242", "5555555555554444", "378282246310005")
    ]
    import adapters.stripe.gateway as module

    original = module.PAGE_SIZE
    module.PAGE_SIZE = 2  # force two pages through the cursor
    try:
        methods = await rig.gateway.payment_methods(customer.id)
    finally:
        module.PAGE_SIZE = original
    assert [m.id for m in methods] == list(reversed(ids))
    assert (
        await rig.gateway.payment_methods((await rig.gateway.create_customer(None, None, "S2", "c-4")).id)
        == []
    )
    with pytest.raises(NotFound):
        await rig.gateway.payment_methods("cus_missing")


async def test_charge_off_session_success_and_idempotency(rig: Rig) -> None:
    customer = await rig.gateway.create_customer(None, None, "SUB-1001", "c-5")
    method = await saved_card(rig, customer.id)
    amount = Money(Decimal("29.99"), "USD")
    intent = await rig.gateway.charge_off_session(
        customer.id, method, amount, {"invoice_id": "INV-9"}, "charge-INV-9"
    )
    assert (intent.status, intent.amount, intent.customer_id, intent.payment_method_id) == (
        "succeeded",
        amount,
        customer.id,
        method,
    )
    assert intent.metadata == {"invoice_id": "INV-9"} and intent.failure_code is None
    again = await rig.gateway.charge_off_session(
        customer.id, method, amount, {"invoice_id": "INV-9"}, "charge-INV-9"
    )
    assert again.id == intent.id
    charges = rig.system.db.scalar("SELECT COUNT(*) FROM payment_intents WHERE customer = ?", (customer.id,))
    assert charges == 1


@pytest.mark.parametrize(
    ("number", "code"),
    [("4000000000000341", "generic_decline"), ("4000002760003184", "authentication_required")],
)
async def test_charge_off_session_decline_raises_card_declined(rig: Rig, number: str, code: str) -> None:
    customer = await rig.gateway.create_customer(None, None, "SUB-1001", f"c-{number}")
    method = await saved_card(rig, customer.id, number)
    with pytest.raises(CardDeclined) as declined:
        await rig.gateway.charge_off_session(
            customer.id, method, Money(Decimal("10.00"), "USD"), {}, f"k-{number}"
        )
    assert isinstance(declined.value, Rejected)
    assert declined.value.code == code and declined.value.status == 402
    assert declined.value.payment_intent_id is not None and declined.value.payment_intent_id.startswith("pi_")


async def test_charge_with_someone_elses_card_is_rejected(rig: Rig) -> None:
    owner = await rig.gateway.create_customer(None, None, "SUB-1", "c-6")
    other = await rig.gateway.create_customer(None, None, "SUB-2", "c-7")
    method = await saved_card(rig, owner.id)
    with pytest.raises(Rejected) as foreign:
        await rig.gateway.charge_off_session(
            other.id, method, Money(Decimal("10.00"), "USD"), {}, "k-foreign"
        )
    assert foreign.value.code == "payment_method_invalid_parameter"


async def test_detach_payment_method(rig: Rig) -> None:
    customer = await rig.gateway.create_customer(None, None, "SUB-1001", "c-8")
    method = await saved_card(rig, customer.id)
    detached = await rig.gateway.detach_payment_method(method)
    assert detached.id == method and detached.customer_id is None
    assert await rig.gateway.payment_methods(customer.id) == []
    with pytest.raises(Rejected) as twice:
        await rig.gateway.detach_payment_method(method)
    assert twice.value.code == "payment_method_unexpected_state"
    with pytest.raises(NotFound):
        await rig.gateway.payment_method("pm_missing")
    with pytest.raises(NotFound):
        await rig.gateway.payment_method("../v1/customers")  # never reaches the gateway as a path


async def test_event_is_parsed(rig: Rig) -> None:
    customer = await rig.gateway.create_customer(None, None, "SUB-1001", "c-9")
    await saved_card(rig, customer.id)
    listed = (
        await rig.browser.get(
            "/v1/events", headers={"authorization": f"Bearer {rig.system.gateway_config.secret_key}"}
        )
    ).json()
    by_type = {e["type"]: e["id"] for e in listed["data"]}
    completed = await rig.gateway.event(by_type["checkout.session.completed"])
    assert completed.object_type == "checkout.session" and completed.checkout_session is not None
    assert completed.checkout_session.mode == "setup" and completed.object_id == completed.checkout_session.id
    succeeded = await rig.gateway.event(by_type["setup_intent.succeeded"])
    assert succeeded.setup_intent is not None and succeeded.setup_intent.customer_id == customer.id
    attached = await rig.gateway.event(by_type["payment_method.attached"])
    assert attached.payment_method is not None and attached.payment_method.last4 == "4242"
    created = await rig.gateway.event(by_type["customer.created"])
    assert created.customer is not None and created.customer.subscriber_id == "SUB-1001"
    with pytest.raises(NotFound):
        await rig.gateway.event("evt_missing")
