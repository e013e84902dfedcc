"""`HttpPayPal` against PayPal's own response shapes (respx; bodies follow the examples of PayPal's Orders v2,
OAuth2 and webhooks-verification references): what is sent, which records come back, which
`adapters.errors` PayPal's errors become."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx

from adapters.errors import NotFound, Rejected, Unavailable
from adapters.paypal.client import HttpPayPal, PayPalConfig, make_paypal_http
from adapters.ports.gateway import InvalidPaymentReference, PaymentKind, PaymentReference
from adapters.ports.money import Money
from adapters.ports.paypal import WebhookHeaders, WebhookNotVerified, custom_id_of, reference_of

API = "https://api-m.sandbox.paypal.com"
CLIENT_ID = "AYSq3RDGsmBLJE-otTkBtM-jBRd1TCQwFf9RGfwddNXWz0uFU9ztymylOhRS"
SECRET = "EGnHDxD_qRPdaLdZz8iCr8N7_MzF-YHPTkjs6NKYQvQSBngp4PTTVWkPZRbL"
CUSTOM = "wg1|invoice|SUB-1001|INV-2026-0042|portal"

TOKEN = {
    "scope": "https://uri.paypal.com/services/invoicing https://uri.paypal.com/services/payments/payment",
    "access_token": "A21AAFEpH4PsADK7qSS7pSRsgzfENtu-Q1ysgEDVDESseMHBYXVJYE8ovjj68elIDy8nF26AwPhfXTIeWAZHSLIsQkSYz9ifg",
    "token_type": "Bearer",
    "app_id": "APP-80W284485P519543T",
    "expires_in": 31668,
    "nonce": "2020-04-03T15:35:36ZaYZlGvEkV4yVSz8g6bAKFoGSEzuy3CQcz3ljhibkOHg",
}
TOKEN_401 = {"error": "invalid_client", "error_description": "Client Authentication failed"}

ORDER_CREATED = {
    "id": "5O190127TN364715T",
    "intent": "CAPTURE",
    "status": "PAYER_ACTION_REQUIRED",
    "payment_source": {"paypal": {}},
    "purchase_units": [
        {
            "reference_id": "default",
            "amount": {"currency_code": "USD", "value": "49.99"},
            "payee": {"email_address": "merchant@example.com", "merchant_id": "C7CYMKZDG8D6E"},
            "description": "Invoice INV-2026-0042",
            "custom_id": CUSTOM,
        }
    ],
    "create_time": "2026-12-02T14:00:00Z",
    "links": [
        {"href": f"{API}/v2/checkout/orders/5O190127TN364715T", "rel": "self", "method": "GET"},
        {
            "href": "https://www.sandbox.paypal.com/checkoutnow?token=5O190127TN364715T",
            "rel": "payer-action",
            "method": "GET",
        },
    ],
}

CAPTURE = {
    "id": "3C679366HH908993F",
    "status": "COMPLETED",
    "amount": {"currency_code": "USD", "value": "49.99"},
    "final_capture": True,
    "seller_protection": {"status": "ELIGIBLE", "dispute_categories": ["ITEM_NOT_RECEIVED"]},
    "seller_receivable_breakdown": {
        "gross_amount": {"currency_code": "USD", "value": "49.99"},
        "paypal_fee": {"currency_code": "USD", "value": "2.24"},
        "net_amount": {"currency_code": "USD", "value": "47.75"},
    },
    "custom_id": CUSTOM,
    "links": [
        {"href": f"{API}/v2/payments/captures/3C679366HH908993F", "rel": "self", "method": "GET"},
        {"href": f"{API}/v2/payments/captures/3C679366HH908993F/refund", "rel": "refund", "method": "POST"},
    ],
    "create_time": "2026-12-02T14:01:10Z",
    "update_time": "2026-12-02T14:01:10Z",
}

ORDER_CAPTURED = {
    "id": "5O190127TN364715T",
    "intent": "CAPTURE",
    "status": "COMPLETED",
    "payment_source": {
        "paypal": {
            "name": {"given_name": "John", "surname": "Doe"},
            "email_address": "customer@example.com",
            "account_id": "QYR5Z8XDVJNXQ",
        }
    },
    "purchase_units": [
        {
            "reference_id": "default",
            "amount": {"currency_code": "USD", "value": "49.99"},
            "custom_id": CUSTOM,
            "payments": {"captures": [CAPTURE]},
        }
    ],
    "payer": {
        "name": {"given_name": "John", "surname": "Doe"},
        "email_address": "customer@example.com",
        "payer_id": "QYR5Z8XDVJNXQ",
    },
    "links": [{"href": f"{API}/v2/checkout/orders/5O190127TN364715T", "rel": "self", "method": "GET"}],
}


def unprocessable(issue: str, description: str) -> dict[str, Any]:
    return {
        "name": "UNPROCESSABLE_ENTITY",
        "details": [{"issue": issue, "description": description}],
        "message": "The requested action could not be performed, semantically incorrect, or failed business validation.",
        "debug_id": "f2c4ea5a9d3b1",
        "links": [
            {
                "href": f"https://developer.paypal.com/docs/api/orders/v2/#error-{issue}",
                "rel": "information_link",
                "method": "GET",
            }
        ],
    }


CAPTURED_EVENT = {
    "id": "WH-58D329510W468432D-8HN650336L201105X",
    "event_version": "1.0",
    "create_time": "2026-12-02T14:01:12.000Z",
    "resource_type": "capture",
    "resource_version": "2.0",
    "event_type": "PAYMENT.CAPTURE.COMPLETED",
    "summary": "Payment completed for $ 49.99 USD",
    "resource": {
        **CAPTURE,
        "supplementary_data": {"related_ids": {"order_id": "5O190127TN364715T"}},
    },
    "links": [
        {
            "href": f"{API}/v1/notifications/webhooks-events/WH-58D329510W468432D-8HN650336L201105X",
            "rel": "self",
            "method": "GET",
        }
    ],
}

HEADERS = WebhookHeaders(
    transmission_id="69cd13f0-d67a-11e5-baa3-778b53f4ae55",
    transmission_time="2026-12-02T14:01:12Z",
    transmission_sig="lmI95Jx3Y9nhR5SJWlHVIWpg4AgFk7n9bCHSRxbrd8A9zrhdu2rMyFrmz+Zjh3s3boXB07VXCXUZy/UFzUlnGJn0wDugt7FlSvdKeIJenLRemUxYCPVoEZzg9VFNqOa48gMkvF+XTpxBeUx/kWy6B5cp7GkT2+pOowfRK7OaynuxUoKW3JcMWw272VKjLTtTAShncla7tGF+55rxyt2KNZIIqxNMJ48RDZheGU5w1npu9dZHnPgTXB9iomeVRoD8O/jhRpnKsGrDschyNdkeh81BJJMH4Ctc6lnCCquoP/GzCzz33MMsNdid7vL/NIWaCsekQpW26FpWPi/tfj8nLA==",
    cert_url="https://api.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-1d93a270",
    auth_algo="SHA256withRSA",
)


@pytest.fixture
async def paypal() -> AsyncIterator[HttpPayPal]:
    config = PayPalConfig(CLIENT_ID, SECRET, base_url=API)
    async with make_paypal_http(config) as http:
        yield HttpPayPal(http, config)


def _token_route(router: respx.Router) -> respx.Route:
    return router.post(f"{API}/v1/oauth2/token").mock(return_value=httpx.Response(200, json=TOKEN))


@respx.mock(assert_all_called=True)
async def test_create_order_sends_capture_intent_exact_amount_reference_and_request_id(
    respx_mock: respx.Router, paypal: HttpPayPal
) -> None:
    token = _token_route(respx_mock)
    create = respx_mock.post(f"{API}/v2/checkout/orders").mock(
        return_value=httpx.Response(201, json=ORDER_CREATED)
    )
    order = await paypal.create_order(
        Money(Decimal("49.99"), "USD"),
        "Invoice INV-2026-0042",
        CUSTOM,
        "https://portal/r",
        "https://portal/c",
        "req-1",
    )
    assert order.id == "5O190127TN364715T"
    assert order.approve_url == "https://www.sandbox.paypal.com/checkoutnow?token=5O190127TN364715T"
    assert order.amount == Money(Decimal("49.99"), "USD")
    assert order.custom_id == CUSTOM
    # client credentials, HTTP Basic
    auth = token.calls.last.request.headers["authorization"]
    assert auth == "Basic " + base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode()
    assert token.calls.last.request.content == b"grant_type=client_credentials"
    request = create.calls.last.request
    assert request.headers["authorization"] == f"Bearer {TOKEN['access_token']}"
    assert request.headers["paypal-request-id"] == "req-1"
    sent = json.loads(request.content)
    assert sent["intent"] == "CAPTURE"
    unit = sent["purchase_units"][0]
    assert unit["amount"] == {"currency_code": "USD", "value": "49.99"}
    assert unit["custom_id"] == CUSTOM
    context = sent["payment_source"]["paypal"]["experience_context"]
    assert (context["return_url"], context["cancel_url"]) == ("https://portal/r", "https://portal/c")


@pytest.mark.parametrize(
    ("money", "value"),
    [
        (Money(Decimal("5000"), "JPY"), "5000"),
        (Money(Decimal("1.234"), "KWD"), "1.234"),
        (Money(Decimal("10"), "USD"), "10.00"),
        (Money(Decimal("1500"), "HUF"), "1500"),  # no decimals at PayPal, though ISO 4217 has 2
    ],
)
@respx.mock
async def test_amount_is_a_decimal_string_with_the_currencys_exponent(
    respx_mock: respx.Router, paypal: HttpPayPal, money: Money, value: str
) -> None:
    _token_route(respx_mock)
    create = respx_mock.post(f"{API}/v2/checkout/orders").mock(
        return_value=httpx.Response(201, json=ORDER_CREATED)
    )
    await paypal.create_order(money, "x", CUSTOM, "https://p/r", "https://p/c", "req")
    assert json.loads(create.calls.last.request.content)["purchase_units"][0]["amount"]["value"] == value


@respx.mock
async def test_finer_amount_is_refused_before_paypal_is_called(
    respx_mock: respx.Router, paypal: HttpPayPal
) -> None:
    create = respx_mock.post(f"{API}/v2/checkout/orders")
    with pytest.raises(Rejected) as refused:
        await paypal.create_order(
            Money(Decimal("1.005"), "USD"), "x", CUSTOM, "https://p/r", "https://p/c", "r"
        )
    assert refused.value.code == "invalid_amount"
    assert not create.called


@respx.mock
async def test_token_is_cached_across_calls(respx_mock: respx.Router, paypal: HttpPayPal) -> None:
    token = _token_route(respx_mock)
    respx_mock.get(f"{API}/v2/checkout/orders/5O190127TN364715T").mock(
        return_value=httpx.Response(200, json=ORDER_CREATED)
    )
    for _ in range(3):
        await paypal.order("5O190127TN364715T")
    assert token.call_count == 1


@respx.mock
async def test_token_is_fetched_again_after_expiry(respx_mock: respx.Router) -> None:
    now = [0.0]
    config = PayPalConfig(CLIENT_ID, SECRET, base_url=API)
    token = _token_route(respx_mock)
    respx_mock.get(f"{API}/v2/checkout/orders/5O190127TN364715T").mock(
        return_value=httpx.Response(200, json=ORDER_CREATED)
    )
    async with make_paypal_http(config) as http:
        paypal = HttpPayPal(http, config, clock=lambda: now[0])
        await paypal.order("5O190127TN364715T")
        now[0] = TOKEN["expires_in"] - 30  # inside the renewal margin
        await paypal.order("5O190127TN364715T")
    assert token.call_count == 2


@respx.mock
async def test_refused_client_credentials_are_unavailable_and_nothing_else_is_sent(
    respx_mock: respx.Router, paypal: HttpPayPal
) -> None:
    respx_mock.post(f"{API}/v1/oauth2/token").mock(return_value=httpx.Response(401, json=TOKEN_401))
    create = respx_mock.post(f"{API}/v2/checkout/orders")
    with pytest.raises(Unavailable) as failed:
        await paypal.create_order(Money(Decimal("1"), "USD"), "x", CUSTOM, "https://p/r", "https://p/c", "r")
    assert "invalid_client" in str(failed.value)
    assert SECRET not in str(failed.value)
    assert not create.called


@respx.mock
async def test_a_revoked_token_is_replaced_once(respx_mock: respx.Router, paypal: HttpPayPal) -> None:
    token = _token_route(respx_mock)
    read = respx_mock.get(f"{API}/v2/checkout/orders/5O190127TN364715T").mock(
        side_effect=[
            httpx.Response(401, json={"name": "AUTHENTICATION_FAILURE"}),
            httpx.Response(200, json=ORDER_CREATED),
        ]
    )
    assert (await paypal.order("5O190127TN364715T")).status == "PAYER_ACTION_REQUIRED"
    assert token.call_count == 2 and read.call_count == 2


@respx.mock
async def test_capture_completed(respx_mock: respx.Router, paypal: HttpPayPal) -> None:
    _token_route(respx_mock)
    capture = respx_mock.post(f"{API}/v2/checkout/orders/5O190127TN364715T/capture").mock(
        return_value=httpx.Response(201, json=ORDER_CAPTURED)
    )
    order = await paypal.capture("5O190127TN364715T", "capture-5O190127TN364715T")
    assert order.status == "COMPLETED"
    assert order.capture is not None
    assert order.capture.id == "3C679366HH908993F"
    assert order.capture.status == "COMPLETED"
    assert order.capture.amount == Money(Decimal("49.99"), "USD")
    assert order.capture.custom_id == CUSTOM
    assert order.capture.order_id == "5O190127TN364715T"
    assert capture.calls.last.request.headers["paypal-request-id"] == "capture-5O190127TN364715T"


@pytest.mark.parametrize(
    ("issue", "description"),
    [
        (
            "ORDER_ALREADY_CAPTURED",
            "Order already captured.If 'intent=CAPTURE' only one capture per order is allowed.",
        ),
        (
            "INSTRUMENT_DECLINED",
            "The instrument presented  was either declined by the processor or bank, or it can't be used for this payment.",
        ),
    ],
)
@respx.mock
async def test_capture_422_is_rejected_with_the_issue(
    respx_mock: respx.Router, paypal: HttpPayPal, issue: str, description: str
) -> None:
    _token_route(respx_mock)
    respx_mock.post(f"{API}/v2/checkout/orders/5O190127TN364715T/capture").mock(
        return_value=httpx.Response(422, json=unprocessable(issue, description))
    )
    with pytest.raises(Rejected) as refused:
        await paypal.capture("5O190127TN364715T", "r")
    assert (refused.value.code, refused.value.status) == (issue, 422)


@respx.mock
async def test_unknown_order_and_odd_ids(respx_mock: respx.Router, paypal: HttpPayPal) -> None:
    _token_route(respx_mock)
    respx_mock.get(f"{API}/v2/checkout/orders/NOPE").mock(
        return_value=httpx.Response(
            404,
            json={
                "name": "RESOURCE_NOT_FOUND",
                "details": [
                    {"issue": "INVALID_RESOURCE_ID", "description": "Specified resource ID does not exist."}
                ],
                "message": "The specified resource does not exist.",
            },
        )
    )
    with pytest.raises(NotFound):
        await paypal.order("NOPE")
    with pytest.raises(NotFound):
        await paypal.order("../v1/oauth2")


@respx.mock
async def test_5xx_is_unavailable(respx_mock: respx.Router, paypal: HttpPayPal) -> None:
    _token_route(respx_mock)
    respx_mock.get(f"{API}/v2/checkout/orders/X1").mock(
        return_value=httpx.Response(
            503, json={"name": "SERVICE_UNAVAILABLE", "message": "Service Unavailable."}
        )
    )
    with pytest.raises(Unavailable):
        await paypal.order("X1")


@respx.mock
async def test_verify_webhook_sends_headers_id_and_the_event_byte_for_byte(
    respx_mock: respx.Router, paypal: HttpPayPal
) -> None:
    _token_route(respx_mock)
    verify = respx_mock.post(f"{API}/v1/notifications/verify-webhook-signature").mock(
        return_value=httpx.Response(200, json={"verification_status": "SUCCESS"})
    )
    body = json.dumps(CAPTURED_EVENT, indent=1).encode()  # odd spacing must reach PayPal as it came
    event = await paypal.verify_webhook(HEADERS, body, "1JE4291016473214C")
    assert event.event_type == "PAYMENT.CAPTURE.COMPLETED"
    assert event.capture is not None and event.capture.order_id == "5O190127TN364715T"
    sent = verify.calls.last.request.content
    assert body in sent
    fields = json.loads(sent)
    assert fields["webhook_id"] == "1JE4291016473214C"
    assert fields["transmission_sig"] == HEADERS.transmission_sig
    assert fields["cert_url"] == HEADERS.cert_url
    assert fields["auth_algo"] == "SHA256withRSA"
    assert fields["transmission_id"] == HEADERS.transmission_id
    assert fields["transmission_time"] == HEADERS.transmission_time
    assert fields["webhook_event"] == CAPTURED_EVENT


@respx.mock
async def test_verify_failure_is_refused(respx_mock: respx.Router, paypal: HttpPayPal) -> None:
    _token_route(respx_mock)
    respx_mock.post(f"{API}/v1/notifications/verify-webhook-signature").mock(
        return_value=httpx.Response(200, json={"verification_status": "FAILURE"})
    )
    with pytest.raises(WebhookNotVerified):
        await paypal.verify_webhook(HEADERS, json.dumps(CAPTURED_EVENT).encode(), "1JE4291016473214C")


def test_custom_id_round_trip_and_bounds() -> None:
    reference = PaymentReference(
        kind=PaymentKind.INVOICE, subscriber_id="SUB-1001", invoice_id="INV-2026-0042"
    )
    assert custom_id_of(reference) == CUSTOM
    assert reference_of(CUSTOM) == reference
    assert reference_of("someone-elses-order") is None
    with pytest.raises(InvalidPaymentReference):
        reference_of("wg1|setup|SUB-1||portal")
    with pytest.raises(InvalidPaymentReference):
        custom_id_of(PaymentReference(kind=PaymentKind.TOPUP, subscriber_id="S" * 130))
    with pytest.raises(InvalidPaymentReference):
        custom_id_of(PaymentReference(kind=PaymentKind.SETUP, subscriber_id="SUB-1"))
