"""The official `stripe` SDK pointed at the sandbox gateway over a real loopback server: it creates a Checkout
Session, reads it back, and lists the customer's cards after the hosted page was used."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import stripe
import uvicorn

from sandbox.gateway.config import GatewayConfig
from sandbox.gateway.system import GatewaySystem
from tests.sandbox.test_gateway_support import SUCCESS


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, GatewaySystem]]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    system = GatewaySystem(GatewayConfig(db_path=str(tmp_path / "gateway.sqlite3"), public_base_url=base))
    server = uvicorn.Server(
        uvicorn.Config(system.asgi(), lifespan="off", ws="none", log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield base, system
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def test_stripe_sdk_against_sandbox(served: tuple[str, GatewaySystem]) -> None:
    base, system = served
    client = stripe.StripeClient(
        system.gateway_config.secret_key, base_addresses={"api": base}, max_network_retries=0
    )
    customer = client.v1.customers.create(
        params={"email": "ada@example.com", "metadata": {"subscriber_id": "SUB-1"}}
    )
    assert customer.id.startswith("cus_")
    assert customer.metadata is not None and customer.metadata["subscriber_id"] == "SUB-1"

    session = client.v1.checkout.sessions.create(
        params={
            "mode": "payment",
            "customer": customer.id,
            "success_url": SUCCESS,
            "cancel_url": "https://portal.test/cancel",
            "line_items": [
                {
                    "price_data": {
                        "currency": "usd",
                        "unit_amount": 4999,
                        "product_data": {"name": "Invoice INV-2026-0042"},
                    },
                    "quantity": 1,
                }
            ],
            "metadata": {"invoice_id": "INV-2026-0042"},
            "payment_intent_data": {"metadata": {"invoice_id": "INV-2026-0042"}},
        }
    )
    assert isinstance(session, stripe.checkout.Session)
    assert (session.status, session.payment_status, session.amount_total) == ("open", "unpaid", 4999)
    assert session.url == f"{base}/pay/{session.id}"

    # A shopper uses the hosted page in a browser (here: plain HTTP against the same server).
    with httpx.Client() as browser:
        page = browser.get(session.url)
        assert page.status_code == 200 and "$49.99" in page.text
        paid = browser.post(
            session.url,
            data={
                "card_number": "4242424242424242",
                "card_expiry": "12/34",
                "card_cvc": "123",
                "card_name": "Ada",
            },
        )
        assert paid.status_code == 303

    fetched = client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["payment_intent"]})
    assert (fetched.status, fetched.payment_status) == ("complete", "paid")
    intent = fetched.payment_intent
    assert isinstance(intent, stripe.PaymentIntent) and intent.status == "succeeded"

    methods = client.v1.customers.payment_methods.list(customer.id, params={"type": "card"})
    assert [m.card.last4 for m in methods.data if m.card] == ["4242"]
    assert methods.data[0].id == intent.payment_method

    charged = client.v1.payment_intents.create(
        params={
            "amount": 1500,
            "currency": "usd",
            "customer": customer.id,
            "payment_method": methods.data[0].id,
            "confirm": True,
            "off_session": True,
        }
    )
    assert charged.status == "succeeded"

    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.checkout.sessions.retrieve("cs_test_missing")
    assert missing.value.code == "resource_missing" and missing.value.http_status == 404

    wrong = stripe.StripeClient(
        "sk_test_wrong_0000000000", base_addresses={"api": base}, max_network_retries=0
    )
    with pytest.raises(stripe.AuthenticationError):
        wrong.v1.customers.retrieve(customer.id)
