"""`HttpStripeGateway` against Stripe's own response shapes (respx; bodies follow the examples in Stripe's API
reference) and faults: what is sent, which DTOs come back, which `adapters.errors` Stripe's own errors become.
The mapping every adapter shares (timeouts, refused connections, 5xx, bodies that are not JSON, 404, coded
4xx) is in `test_faults.py`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from adapters.errors import ContractViolation, NotFound, Rejected, Unavailable
from adapters.ports.gateway import CardDeclined
from adapters.ports.money import Money
from adapters.stripe.gateway import API_VERSION, HttpStripeGateway, StripeConfig, make_stripe_http

API = "https://api.stripe.com"
KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"

CHECKOUT_SESSION: dict[str, Any] = {
    "id": "cs_test_a11YYufWQzNY63zpQ6QSNRQhkUpVph4WRmzW0zWJO2znZKdVujZ0N0S22u",
    "object": "checkout.session",
    "after_expiration": None,
    "allow_promotion_codes": None,
    "amount_subtotal": 2198,
    "amount_total": 2198,
    "automatic_tax": {"enabled": False, "liability": None, "status": None},
    "billing_address_collection": None,
    "cancel_url": None,
    "client_reference_id": None,
    "consent": None,
    "consent_collection": None,
    "created": 1679600215,
    "currency": "usd",
    "custom_fields": [],
    "custom_text": {"shipping_address": None, "submit": None},
    "customer": None,
    "customer_creation": "if_required",
    "customer_details": None,
    "customer_email": None,
    "expires_at": 1679686615,
    "invoice": None,
    "livemode": False,
    "locale": None,
    "metadata": {},
    "mode": "payment",
    "payment_intent": None,
    "payment_link": None,
    "payment_method_collection": "always",
    "payment_method_options": {},
    "payment_method_types": ["card"],
    "payment_status": "unpaid",
    "phone_number_collection": {"enabled": False},
    "recovered_from": None,
    "setup_intent": None,
    "shipping_address_collection": None,
    "shipping_cost": None,
    "shipping_details": None,
    "shipping_options": [],
    "status": "open",
    "submit_type": None,
    "subscription": None,
    "success_url": "https://example.com/success",
    "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
    "url": "https://checkout.stripe.com/c/pay/cs_test_a11YYufWQzNY63zpQ6QSNRQhkUpVph4WRmzW0zWJO2znZKdVujZ0N0S22u",
}

PAYMENT_METHOD: dict[str, Any] = {
    "id": "pm_1MqM05LkdIwHu7ixlDxxO6Mc",
    "object": "payment_method",
    "billing_details": {
        "address": {
            "city": None,
            "country": None,
            "line1": None,
            "line2": None,
            "postal_code": None,
            "state": None,
        },
        "email": None,
        "name": None,
        "phone": None,
    },
    "card": {
        "brand": "visa",
        "checks": {"address_line1_check": None, "address_postal_code_check": None, "cvc_check": "pass"},
        "country": "US",
        "exp_month": 8,
        "exp_year": 2026,
        "fingerprint": "mToisGZ01V71BCos",
        "funding": "credit",
        "generated_from": None,
        "last4": "4242",
        "networks": {"available": ["visa"], "preferred": None},
        "three_d_secure_usage": {"supported": True},
        "wallet": None,
    },
    "created": 1679945985,
    "customer": "cus_NffrFeUfNV2Hib",
    "livemode": False,
    "metadata": {},
    "type": "card",
}

PAYMENT_INTENT: dict[str, Any] = {
    "id": "pi_3MtwBwLkdIwHu7ix28a3tqPa",
    "object": "payment_intent",
    "amount": 2000,
    "amount_capturable": 0,
    "amount_details": {"tip": {}},
    "amount_received": 2000,
    "application": None,
    "application_fee_amount": None,
    "automatic_payment_methods": {"enabled": True},
    "canceled_at": None,
    "cancellation_reason": None,
    "capture_method": "automatic",
    "client_secret": "pi_3MtwBwLkdIwHu7ix28a3tqPa_secret_YrKJUKribcBjcG8HVhfZluoGH",
    "confirmation_method": "automatic",
    "created": 1680800504,
    "currency": "usd",
    "customer": "cus_NffrFeUfNV2Hib",
    "description": None,
    "invoice": None,
    "last_payment_error": None,
    "latest_charge": "ch_3MtwBwLkdIwHu7ix0Ufe0BH3",
    "livemode": False,
    "metadata": {"invoice_id": "INV-7"},
    "next_action": None,
    "on_behalf_of": None,
    "payment_method": "pm_1MqM05LkdIwHu7ixlDxxO6Mc",
    "payment_method_options": {"card": {"installments": None, "mandate_options": None, "network": None}},
    "payment_method_types": ["card"],
    "processing": None,
    "receipt_email": None,
    "review": None,
    "setup_future_usage": None,
    "shipping": None,
    "source": None,
    "statement_descriptor": None,
    "statement_descriptor_suffix": None,
    "status": "succeeded",
    "transfer_data": None,
    "transfer_group": None,
}

CARD_ERROR: dict[str, Any] = {
    "error": {
        "charge": "ch_3LhAMu2eZvKYlo2C0Rk4Gsbd",
        "code": "card_declined",
        "decline_code": "insufficient_funds",
        "doc_url": "https://stripe.com/docs/error-codes/card-declined",
        "message": "Your card has insufficient funds.",
        "payment_intent": {
            **PAYMENT_INTENT,
            "amount_received": 0,
            "status": "requires_payment_method",
            "payment_method": None,
            "last_payment_error": {
                "charge": "ch_3LhAMu2eZvKYlo2C0Rk4Gsbd",
                "code": "card_declined",
                "decline_code": "insufficient_funds",
                "doc_url": "https://stripe.com/docs/error-codes/card-declined",
                "message": "Your card has insufficient funds.",
                "payment_method": PAYMENT_METHOD,
                "type": "card_error",
            },
        },
        "payment_method": PAYMENT_METHOD,
        "request_log_url": "https://dashboard.stripe.com/test/logs/req_lm3nMuAZ2ahIH1?t=1662999788",
        "type": "card_error",
    }
}

RATE_LIMIT: dict[str, Any] = {
    "error": {
        "code": "rate_limit",
        "doc_url": "https://stripe.com/docs/error-codes/rate-limit",
        "message": "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.",
        "type": "invalid_request_error",
    }
}

EVENT: dict[str, Any] = {
    "id": "evt_1NG8Du2eZvKYlo2CUI79vXWy",
    "object": "event",
    "api_version": "2019-02-19",
    "created": 1686089970,
    "data": {
        "object": {
            **CHECKOUT_SESSION,
            "status": "complete",
            "payment_status": "paid",
            "payment_intent": "pi_3MtwBwLkdIwHu7ix28a3tqPa",
            "url": None,
        }
    },
    "livemode": False,
    "pending_webhooks": 0,
    "request": {"id": None, "idempotency_key": None},
    "type": "checkout.session.completed",
}


@pytest.fixture
def stripe_api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=API, assert_all_called=True) as router:
        yield router


@pytest.fixture
async def gateway() -> AsyncIterator[HttpStripeGateway]:
    async with make_stripe_http(StripeConfig(api_key=KEY)) as http:
        yield HttpStripeGateway(http)


def form_of(request: httpx.Request) -> dict[str, list[str]]:
    return parse_qs(request.content.decode(), keep_blank_values=True)


async def test_payment_session_request_and_response(
    stripe_api: respx.MockRouter, gateway: HttpStripeGateway
) -> None:
    route = stripe_api.post("/v1/checkout/sessions").respond(200, json=CHECKOUT_SESSION)
    session = await gateway.create_payment_session(
        Money(Decimal("21.98"), "USD"),
        "Invoice INV-7",
        {"invoice_id": "INV-7"},
        "cus_NffrFeUfNV2Hib",
        "https://portal.test/ok?s={CHECKOUT_SESSION_ID}",
        "https://portal.test/cancel",
        "pay-INV-7",
    )
    request = route.calls.last.request
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["stripe-version"] == API_VERSION
    assert request.headers["idempotency-key"] == "pay-INV-7"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert form_of(request) == {
        "mode": ["payment"],
        "customer": ["cus_NffrFeUfNV2Hib"],
        "success_url": ["https://portal.test/ok?s={CHECKOUT_SESSION_ID}"],
        "cancel_url": ["https://portal.test/cancel"],
        "line_items[0][price_data][currency]": ["usd"],
        "line_items[0][price_data][unit_amount]": ["2198"],
        "line_items[0][price_data][product_data][name]": ["Invoice INV-7"],
        "line_items[0][quantity]": ["1"],
        "metadata[invoice_id]": ["INV-7"],
        "payment_intent_data[metadata][invoice_id]": ["INV-7"],
        "payment_intent_data[description]": ["Invoice INV-7"],
    }
    assert session.id == CHECKOUT_SESSION["id"] and session.url == CHECKOUT_SESSION["url"]
    assert session.amount == Money(Decimal("21.98"), "USD")
    assert (session.status, session.payment_status, session.mode) == ("open", "unpaid", "payment")
    assert session.created == datetime(2023, 3, 23, 19, 36, 55, tzinfo=UTC)
    assert session.reference == {} and session.payment_intent_id is None


async def test_checkout_session_reads_the_card_through_the_expanded_intent(
    stripe_api: respx.MockRouter, gateway: HttpStripeGateway
) -> None:
    body = {
        **CHECKOUT_SESSION,
        "status": "complete",
        "payment_status": "paid",
        "url": None,
        "payment_intent": PAYMENT_INTENT,
    }
    route = stripe_api.get(f"/v1/checkout/sessions/{CHECKOUT_SESSION['id']}").respond(200, json=body)
    session = await gateway.checkout_session(CHECKOUT_SESSION["id"])
    assert parse_qs(route.calls.last.request.url.query.decode()) == {
        "expand[0]": ["payment_intent"],
        "expand[1]": ["setup_intent"],
    }
    assert session.payment_intent_id == PAYMENT_INTENT["id"]
    assert session.payment_method_id == PAYMENT_METHOD["id"] and session.url is None


async def test_off_session_charge(stripe_api: respx.MockRouter, gateway: HttpStripeGateway) -> None:
    route = stripe_api.post("/v1/payment_intents").respond(200, json=PAYMENT_INTENT)
    intent = await gateway.charge_off_session(
        "cus_NffrFeUfNV2Hib",
        PAYMENT_METHOD["id"],
        Money(Decimal("20.00"), "USD"),
        {"invoice_id": "INV-7"},
        "k-7",
    )
    sent = form_of(route.calls.last.request)
    assert sent["amount"] == ["2000"] and sent["confirm"] == ["true"] and sent["off_session"] == ["true"]
    assert sent["metadata[invoice_id]"] == ["INV-7"] and sent["currency"] == ["usd"]
    assert (intent.status, intent.amount, intent.payment_method_id) == (
        "succeeded",
        Money(Decimal("20.00"), "USD"),
        PAYMENT_METHOD["id"],
    )
    assert intent.metadata == {"invoice_id": "INV-7"}


async def test_card_error_402_is_card_declined(
    stripe_api: respx.MockRouter, gateway: HttpStripeGateway
) -> None:
    stripe_api.post("/v1/payment_intents").respond(402, json=CARD_ERROR)
    with pytest.raises(CardDeclined) as declined:
        await gateway.charge_off_session(
            "cus_NffrFeUfNV2Hib", PAYMENT_METHOD["id"], Money(Decimal("20"), "USD"), {}, "k"
        )
    assert declined.value.code == "insufficient_funds" and declined.value.status == 402
    assert declined.value.payment_intent_id == PAYMENT_INTENT["id"]
    assert declined.value.message == "Your card has insufficient funds."


async def test_card_error_without_decline_code_is_card_declined(
    stripe_api: respx.MockRouter, gateway: HttpStripeGateway
) -> None:
    error = {"error": {"type": "card_error", "message": "Your card was declined."}}
    stripe_api.post("/v1/payment_intents").respond(402, json=error)
    with pytest.raises(CardDeclined) as declined:
        await gateway.charge_off_session("cus_1", "pm_1", Money(Decimal("20"), "USD"), {}, "k")
    assert declined.value.code == "card_declined" and declined.value.payment_intent_id is None


async def test_payment_methods_list_follows_the_cursor(
    stripe_api: respx.MockRouter, gateway: HttpStripeGateway
) -> None:
    second = {
        **PAYMENT_METHOD,
        "id": "pm_second",
        "card": {**PAYMENT_METHOD["card"], "last4": "4444", "brand": "mastercard"},
    }

    def page(request: httpx.Request) -> httpx.Response:
        query = parse_qs(request.url.query.decode())
        assert query["type"] == ["card"] and query["limit"] == ["100"]
        url = "/v1/customers/cus_NffrFeUfNV2Hib/payment_methods"
        if "starting_after" not in query:
            return httpx.Response(
                200, json={"object": "list", "url": url, "has_more": True, "data": [PAYMENT_METHOD]}
            )
        assert query["starting_after"] == [PAYMENT_METHOD["id"]]
        return httpx.Response(200, json={"object": "list", "url": url, "has_more": False, "data": [second]})

    route = stripe_api.get("/v1/customers/cus_NffrFeUfNV2Hib/payment_methods").mock(side_effect=page)
    methods = await gateway.payment_methods("cus_NffrFeUfNV2Hib")
    assert route.call_count == 2
    assert [(m.id, m.brand, m.last4, m.exp_month, m.exp_year) for m in methods] == [
        ("pm_1MqM05LkdIwHu7ixlDxxO6Mc", "visa", "4242", 8, 2026),
        ("pm_second", "mastercard", "4444", 8, 2026),
    ]
    assert methods[0].customer_id == "cus_NffrFeUfNV2Hib"


async def test_event_and_detach(stripe_api: respx.MockRouter, gateway: HttpStripeGateway) -> None:
    stripe_api.get(f"/v1/events/{EVENT['id']}").respond(200, json=EVENT)
    detach = stripe_api.post(f"/v1/payment_methods/{PAYMENT_METHOD['id']}/detach").respond(
        200, json={**PAYMENT_METHOD, "customer": None}
    )
    event = await gateway.event(EVENT["id"])
    assert event.type == "checkout.session.completed" and event.checkout_session is not None
    assert event.checkout_session.payment_intent_id == PAYMENT_INTENT["id"]
    assert event.checkout_session.payment_status == "paid"
    assert event.payment_intent is None and event.data["id"] == CHECKOUT_SESSION["id"]
    detached = await gateway.detach_payment_method(PAYMENT_METHOD["id"])
    assert detached.customer_id is None
    assert detach.calls.last.request.headers.get("idempotency-key") is None


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (httpx.Response(429, json=RATE_LIMIT), Unavailable),
        (
            httpx.Response(500, json={"error": {"type": "api_error", "message": "Something went wrong."}}),
            Unavailable,
        ),
        (
            httpx.Response(
                404,
                json={
                    "error": {
                        "code": "resource_missing",
                        "doc_url": "https://stripe.com/docs/error-codes/resource-missing",
                        "message": "No such checkout.session: 'cs_test_nope'",
                        "param": "session",
                        "type": "invalid_request_error",
                    }
                },
            ),
            NotFound,
        ),
        (httpx.Response(200, json=[CHECKOUT_SESSION]), ContractViolation),
        (httpx.Response(200, json={**CHECKOUT_SESSION, "status": None}), ContractViolation),
        (httpx.Response(200, json={**CHECKOUT_SESSION, "status": "weird"}), ContractViolation),
        (httpx.Response(200, json={**CHECKOUT_SESSION, "object": "payment_intent"}), ContractViolation),
        (httpx.Response(200, json={**CHECKOUT_SESSION, "amount_total": 21.98}), ContractViolation),
        (httpx.Response(200, json={**CHECKOUT_SESSION, "metadata": {"a": 1}}), ContractViolation),
        (httpx.Response(200, json={**CHECKOUT_SESSION, "payment_intent": 7}), ContractViolation),
    ],
)
async def test_response_faults(
    stripe_api: respx.MockRouter, gateway: HttpStripeGateway, response: httpx.Response, error: type[Exception]
) -> None:
    stripe_api.get(url__regex=r"/v1/checkout/sessions/.*").mock(return_value=response)
    with pytest.raises(error):
        await gateway.checkout_session("cs_test_nope")


@pytest.mark.parametrize(
    ("status", "body", "code"),
    [
        (
            400,
            {
                "error": {
                    "code": "parameter_missing",
                    "doc_url": "https://stripe.com/docs/error-codes/parameter-missing",
                    "message": "Missing required param: success_url.",
                    "param": "success_url",
                    "type": "invalid_request_error",
                }
            },
            "parameter_missing",
        ),
        (
            400,
            {
                "error": {
                    "message": "Keys for idempotent requests can only be used with the same parameters they were"
                    " first used with. Try using a key other than 'k' if you meant to execute a different request.",
                    "type": "idempotency_error",
                }
            },
            "idempotency_error",
        ),
        (
            401,
            {
                "error": {
                    "message": "Invalid API Key provided: sk_test_****dc",
                    "type": "invalid_request_error",
                }
            },
            "invalid_request_error",
        ),
        (
            409,
            {
                "error": {
                    "code": "idempotency_key_in_use",
                    "message": "in use",
                    "type": "invalid_request_error",
                }
            },
            "idempotency_key_in_use",
        ),
        (400, "<html>Bad Request</html>", "HTTP_400"),
    ],
)
async def test_client_errors_are_rejected_with_stripes_code(
    stripe_api: respx.MockRouter, gateway: HttpStripeGateway, status: int, body: Any, code: str
) -> None:
    response = (
        httpx.Response(status, json=body) if isinstance(body, dict) else httpx.Response(status, text=body)
    )
    stripe_api.post("/v1/checkout/sessions").mock(return_value=response)
    with pytest.raises(Rejected) as rejected:
        await gateway.create_setup_session("cus_1", "USD", "https://a.test/ok", "https://a.test/no", {}, "k")
    assert not isinstance(rejected.value, CardDeclined)
    assert rejected.value.code == code and rejected.value.status == status


async def test_customer_request(stripe_api: respx.MockRouter, gateway: HttpStripeGateway) -> None:
    customer: dict[str, Any] = {
        "id": "cus_NffrFeUfNV2Hib",
        "object": "customer",
        "address": None,
        "balance": 0,
        "created": 1680893993,
        "currency": None,
        "default_source": None,
        "delinquent": False,
        "description": None,
        "email": "jennyrosen@example.com",
        "invoice_prefix": "0759376C",
        "invoice_settings": {
            "custom_fields": None,
            "default_payment_method": None,
            "footer": None,
            "rendering_options": None,
        },
        "livemode": False,
        "metadata": {"subscriber_id": "SUB-1001"},
        "name": "Jenny Rosen",
        "next_invoice_sequence": 1,
        "phone": None,
        "preferred_locales": [],
        "shipping": None,
        "tax_exempt": "none",
        "test_clock": None,
    }
    route = stripe_api.post("/v1/customers").respond(200, json=customer)
    created = await gateway.create_customer(
        "jennyrosen@example.com", "Jenny Rosen", "SUB-1001", "cust-SUB-1001"
    )
    assert form_of(route.calls.last.request) == {
        "email": ["jennyrosen@example.com"],
        "name": ["Jenny Rosen"],
        "metadata[subscriber_id]": ["SUB-1001"],
    }
    assert (created.id, created.subscriber_id, created.name) == (
        "cus_NffrFeUfNV2Hib",
        "SUB-1001",
        "Jenny Rosen",
    )
    assert created.email == "jennyrosen@example.com"
