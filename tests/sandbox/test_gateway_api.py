"""The sandbox gateway's Stripe-compatible API over HTTP: auth, objects, validation errors in Stripe's
shape, idempotency, off-session charges and their events, payment method lists, events, expansion."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from sandbox.gateway.system import GatewaySystem
from tests.sandbox.test_gateway_support import (
    SECRET,
    client_for,
    create_customer,
    create_session,
    event_types,
    make_system,
    payment_form,
    saved_card,
)


@pytest.fixture
def system(tmp_path: Path) -> GatewaySystem:
    return make_system(tmp_path)


@pytest.fixture
async def api(system: GatewaySystem) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(system) as client:
        yield client


# ---- auth ----------------------------------------------------------------------------------------------


async def test_api_needs_the_secret_key(system: GatewaySystem) -> None:
    async with client_for(system, key=None) as anonymous:
        response = await anonymous.get("/v1/events")
        assert response.status_code == 401
        assert response.json()["error"]["type"] == "invalid_request_error"
        assert "did not provide an API key" in response.json()["error"]["message"]
    async with client_for(system, key="sk_test_wrong_key_123456789") as wrong:
        response = await wrong.get("/v1/events")
        assert response.status_code == 401
        message = response.json()["error"]["message"]
        assert message.startswith("Invalid API Key provided") and "123456789" not in message
    async with client_for(system, key=system.gateway_config.publishable_key) as publishable:
        response = await publishable.post("/v1/customers", data={})
        assert response.status_code == 401 and "publishable" in response.json()["error"]["message"]


async def test_basic_auth_with_key_as_user_works(system: GatewaySystem) -> None:
    token = base64.b64encode(f"{SECRET}:".encode()).decode()
    async with client_for(system, key=None) as client:
        response = await client.get("/v1/events", headers={"authorization": f"Basic {token}"})
        assert response.status_code == 200 and response.json()["object"] == "list"


async def test_unknown_url_is_stripe_shaped_404(api: httpx.AsyncClient) -> None:
    response = await api.get("/v1/charges")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "Unrecognized request URL (GET: /v1/charges)."


# ---- customers -----------------------------------------------------------------------------------------


async def test_customer_create_and_read(api: httpx.AsyncClient) -> None:
    created = await api.post(
        "/v1/customers",
        data={"email": "ada@example.com", "name": "Ada", "metadata[subscriber_id]": "SUB-1001"},
    )
    assert created.status_code == 200
    body = created.json()
    assert body["id"].startswith("cus_") and body["object"] == "customer" and body["livemode"] is False
    assert isinstance(body["created"], int)
    assert body["metadata"] == {"subscriber_id": "SUB-1001"}
    assert created.headers["request-id"].startswith("req_")
    assert created.headers["stripe-version"]
    read = await api.get(f"/v1/customers/{body['id']}")
    assert read.json() == body
    assert (await event_types(api)) == ["customer.created"]


async def test_unknown_customer_is_resource_missing(api: httpx.AsyncClient) -> None:
    response = await api.get("/v1/customers/cus_nope")
    assert response.status_code == 404
    error = response.json()["error"]
    assert (error["type"], error["code"], error["param"]) == (
        "invalid_request_error",
        "resource_missing",
        "id",
    )
    assert error["message"] == "No such customer: 'cus_nope'"


@pytest.mark.parametrize(
    ("form", "code", "param"),
    [
        ({"emali": "x"}, "parameter_unknown", "emali"),
        ({"metadata[" + "k" * 41 + "]": "v"}, None, "metadata"),
        ({"a]b": "x"}, None, "a]b"),
        ({"email": "x" * 600}, "string_length_exceeds_maximum", "email"),
    ],
)
async def test_customer_validation(
    api: httpx.AsyncClient, form: dict[str, str], code: str | None, param: str
) -> None:
    response = await api.post("/v1/customers", data=form)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error.get("code") == code and error["param"] == param


async def test_bad_encodings_are_400(api: httpx.AsyncClient) -> None:
    twice = await api.post(
        "/v1/customers",
        content=b"email=a&email=b",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert twice.status_code == 400
    binary = await api.post(
        "/v1/customers",
        content=b"email=\xff\xfe",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert binary.status_code == 400
    clash = await api.post("/v1/customers", content=b"metadata=a&metadata[b]=c")
    assert clash.status_code == 400


# ---- checkout sessions ---------------------------------------------------------------------------------


async def test_payment_session_shape(api: httpx.AsyncClient) -> None:
    customer = await create_customer(api)
    session = await create_session(api, payment_form(customer=customer, client_reference_id="INV-2026-0042"))
    assert session["id"].startswith("cs_test_") and len(session["id"]) > 40
    assert session["object"] == "checkout.session"
    assert (session["mode"], session["status"], session["payment_status"]) == ("payment", "open", "unpaid")
    assert (session["amount_total"], session["amount_subtotal"], session["currency"]) == (4999, 4999, "usd")
    assert session["customer"] == customer and session["client_reference_id"] == "INV-2026-0042"
    assert session["metadata"] == {"invoice_id": "INV-2026-0042"}
    assert session["payment_intent"] is None  # created when the shopper confirms, as Stripe does
    assert session["expires_at"] - session["created"] == 24 * 3600
    assert session["url"].endswith(f"/pay/{session['id']}")
    items = (await api.get(f"/v1/checkout/sessions/{session['id']}/line_items")).json()
    assert items["object"] == "list" and items["data"][0]["amount_total"] == 4999
    assert items["data"][0]["description"] == "Invoice INV-2026-0042"


async def test_session_totals_multiply_quantities(api: httpx.AsyncClient) -> None:
    form = payment_form(amount=1250)
    form["line_items[0][quantity]"] = "3"
    form["line_items[1][price_data][currency]"] = "usd"
    form["line_items[1][price_data][unit_amount]"] = "100"
    form["line_items[1][price_data][product_data][name]"] = "Static IP"
    form["line_items[1][quantity]"] = "1"
    session = await create_session(api, form)
    assert session["amount_total"] == 3850


@pytest.mark.parametrize(
    ("change", "status", "code", "param"),
    [
        ({"mode": None}, 400, "parameter_missing", "mode"),
        ({"mode": "subscription"}, 400, None, "mode"),
        ({"mode": "donation"}, 400, None, "mode"),
        ({"success_url": None}, 400, "parameter_missing", "success_url"),
        ({"success_url": "javascript:alert(1)"}, 400, "url_invalid", "success_url"),
        (
            {"line_items[0][price_data][unit_amount]": "49.99"},
            400,
            "parameter_invalid_integer",
            "line_items[0][price_data][unit_amount]",
        ),
        ({"line_items[0][price_data][unit_amount]": "10"}, 400, "amount_too_small", "line_items"),
        ({"line_items[0][quantity]": None}, 400, "parameter_missing", "line_items[0][quantity]"),
        (
            {
                "line_items[0][price_data][product_data][name]": None,
                "line_items[0][price_data][product_data][description]": "no name",
            },
            400,
            "parameter_missing",
            "line_items[0][price_data][product_data][name]",
        ),
        ({"line_items[0][price]": "price_123"}, 400, None, "line_items[0][price]"),
        ({"customer": "cus_missing"}, 404, "resource_missing", "customer"),
        ({"currency": "eur"}, 400, None, "currency"),
        ({"setup_intent_data[metadata][a]": "b"}, 400, None, "setup_intent_data"),
        ({"expires_at": "1"}, 400, None, "expires_at"),
    ],
)
async def test_session_validation(
    api: httpx.AsyncClient, change: dict[str, str | None], status: int, code: str | None, param: str
) -> None:
    form = {k: v for k, v in {**payment_form(), **change}.items() if v is not None}
    response = await api.post("/v1/checkout/sessions", data=form)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error.get("code") == code and error["param"] == param
    assert error["type"] == "invalid_request_error" and error["message"]


async def test_session_without_line_items(api: httpx.AsyncClient) -> None:
    form = {k: v for k, v in payment_form().items() if not k.startswith("line_items")}
    response = await api.post("/v1/checkout/sessions", data=form)
    assert response.status_code == 400 and response.json()["error"]["param"] == "line_items"


async def test_zero_decimal_currency_session(api: httpx.AsyncClient) -> None:
    session = await create_session(api, payment_form(amount=5000, currency="jpy"))
    assert (session["amount_total"], session["currency"]) == (5000, "jpy")
    page = await api.get(f"/pay/{session['id']}")
    assert "¥5,000" in page.text


async def test_expand_and_bad_expand(api: httpx.AsyncClient) -> None:
    customer = await create_customer(api)
    session = await create_session(api, payment_form(customer=customer))
    expanded = await api.get(
        f"/v1/checkout/sessions/{session['id']}",
        params=[("expand[]", "customer"), ("expand[]", "line_items")],
    )
    assert expanded.json()["customer"]["id"] == customer
    assert expanded.json()["line_items"]["data"][0]["quantity"] == 1
    bad = await api.get(f"/v1/checkout/sessions/{session['id']}", params={"expand[]": "success_url"})
    assert bad.status_code == 400 and "cannot be expanded" in bad.json()["error"]["message"]
    unknown = await api.get(f"/v1/checkout/sessions/{session['id']}", params={"foo": "bar"})
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "parameter_unknown"


# ---- idempotency ---------------------------------------------------------------------------------------


async def test_same_key_same_params_replays(api: httpx.AsyncClient) -> None:
    headers = {"idempotency-key": "pay-INV-2026-0042-1"}
    first = await api.post("/v1/checkout/sessions", data=payment_form(), headers=headers)
    second = await api.post("/v1/checkout/sessions", data=payment_form(), headers=headers)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert "idempotent-replayed" not in first.headers and second.headers["idempotent-replayed"] == "true"
    listed = await api.get("/v1/checkout/sessions/" + first.json()["id"])
    assert listed.status_code == 200


async def test_same_key_other_params_or_endpoint_is_idempotency_error(api: httpx.AsyncClient) -> None:
    headers = {"idempotency-key": "key-1"}
    assert (await api.post("/v1/checkout/sessions", data=payment_form(), headers=headers)).status_code == 200
    other = await api.post("/v1/checkout/sessions", data=payment_form(amount=5000), headers=headers)
    assert other.status_code == 400
    assert other.json()["error"]["type"] == "idempotency_error"
    elsewhere = await api.post("/v1/customers", data={}, headers=headers)
    assert elsewhere.status_code == 400 and elsewhere.json()["error"]["type"] == "idempotency_error"
    too_long = await api.post("/v1/customers", data={}, headers={"idempotency-key": "k" * 256})
    assert too_long.status_code == 400


async def test_validation_failure_does_not_burn_the_key(api: httpx.AsyncClient) -> None:
    headers = {"idempotency-key": "key-2"}
    bad = await api.post("/v1/customers", data={"emali": "x"}, headers=headers)
    assert bad.status_code == 400
    good = await api.post("/v1/customers", data={"email": "x@example.com"}, headers=headers)
    assert good.status_code == 200 and good.json()["email"] == "x@example.com"


# ---- off-session payment intents -----------------------------------------------------------------------


def charge_form(customer: str, method: str, amount: int = 2999) -> dict[str, str]:
    return {
        "amount": str(amount),
        "currency": "usd",
        "customer": customer,
        "payment_method": method,
        "confirm": "true",
        "off_session": "true",
        "metadata[invoice_id]": "INV-2026-0050",
    }


async def test_off_session_charge_succeeds(api: httpx.AsyncClient) -> None:
    customer = await create_customer(api)
    method = await saved_card(api, customer)
    response = await api.post("/v1/payment_intents", data=charge_form(customer, method))
    assert response.status_code == 200
    intent = response.json()
    assert intent["object"] == "payment_intent" and intent["id"].startswith("pi_")
    assert (intent["status"], intent["amount"], intent["amount_received"]) == ("succeeded", 2999, 2999)
    assert (intent["customer"], intent["payment_method"]) == (customer, method)
    assert intent["metadata"] == {"invoice_id": "INV-2026-0050"}
    assert intent["latest_charge"].startswith("ch_")
    assert (await api.get(f"/v1/payment_intents/{intent['id']}")).json() == intent
    assert (await event_types(api))[-1] == "payment_intent.succeeded"
    event = (await api.get("/v1/events", params={"type": "payment_intent.succeeded", "limit": "1"})).json()
    assert event["data"][0]["data"]["object"]["id"] == intent["id"]


@pytest.mark.parametrize(
    ("number", "code", "decline_code"),
    [
        ("4000000000000341", "card_declined", "generic_decline"),
        ("4000002760003184", "authentication_required", "authentication_required"),
    ],
)
async def test_off_session_decline_is_402_card_error(
    api: httpx.AsyncClient, number: str, code: str, decline_code: str
) -> None:
    customer = await create_customer(api)
    method = await saved_card(api, customer, number)
    headers = {"idempotency-key": "charge-INV-2026-0050"}
    response = await api.post("/v1/payment_intents", data=charge_form(customer, method), headers=headers)
    assert response.status_code == 402
    error = response.json()["error"]
    assert (error["type"], error["code"], error["decline_code"]) == ("card_error", code, decline_code)
    assert error["message"] and error["charge"].startswith("ch_")
    intent = error["payment_intent"]
    assert intent["status"] == "requires_payment_method"
    assert intent["last_payment_error"]["decline_code"] == decline_code
    assert error["payment_method"]["id"] == method
    assert (await event_types(api))[-1] == "payment_intent.payment_failed"
    # A retry with the same key replays the decline: no second attempt, no second event.
    replay = await api.post("/v1/payment_intents", data=charge_form(customer, method), headers=headers)
    assert replay.status_code == 402 and replay.json() == response.json()
    assert (await event_types(api)).count("payment_intent.payment_failed") == 1


async def test_three_ds_card_saved_then_charged_off_session(api: httpx.AsyncClient) -> None:
    customer = await create_customer(api)
    method = await saved_card(api, customer, "4000002500003155")
    response = await api.post("/v1/payment_intents", data=charge_form(customer, method))
    assert response.status_code == 200 and response.json()["status"] == "succeeded"


async def test_charge_validation(api: httpx.AsyncClient) -> None:
    customer = await create_customer(api)
    other = await create_customer(api, "SUB-2001")
    method = await saved_card(api, customer)
    foreign = await api.post("/v1/payment_intents", data=charge_form(other, method))
    assert foreign.status_code == 400 and foreign.json()["error"]["param"] == "payment_method"
    small = await api.post("/v1/payment_intents", data=charge_form(customer, method, amount=10))
    assert small.status_code == 400 and small.json()["error"]["code"] == "amount_too_small"
    missing_method = await api.post("/v1/payment_intents", data=charge_form(customer, "pm_nope"))
    assert missing_method.status_code == 404 and missing_method.json()["error"]["param"] == "payment_method"
    no_confirm = {**charge_form(customer, method), "confirm": "false"}
    assert (await api.post("/v1/payment_intents", data=no_confirm)).status_code == 400
    not_bool = {**charge_form(customer, method), "confirm": "yes"}
    assert (await api.post("/v1/payment_intents", data=not_bool)).status_code == 400
    unconfirmed = {
        k: v for k, v in charge_form(customer, method).items() if k not in ("confirm", "off_session")
    }
    pending = await api.post("/v1/payment_intents", data=unconfirmed)
    assert pending.status_code == 200 and pending.json()["status"] == "requires_confirmation"
    assert "payment_intent.succeeded" not in await event_types(api)


# ---- payment methods -----------------------------------------------------------------------------------


async def test_payment_method_lists_and_pagination(api: httpx.AsyncClient) -> None:
    customer = await create_customer(api)
    first = await saved_card(api, customer, "4242424242424242")
    second = await saved_card(api, customer, "5555555555554444")
    listed = (await api.get(f"/v1/customers/{customer}/payment_methods", params={"type": "card"})).json()
    assert listed["object"] == "list" and listed["has_more"] is False
    assert listed["url"] == f"/v1/customers/{customer}/payment_methods"
    assert [m["id"] for m in listed["data"]] == [second, first]  # newest first
    flat = (await api.get("/v1/payment_methods", params={"customer": customer, "type": "card"})).json()
    assert [m["id"] for m in flat["data"]] == [second, first] and flat["url"] == "/v1/payment_methods"
    page = (await api.get(f"/v1/customers/{customer}/payment_methods", params={"limit": "1"})).json()
    assert [m["id"] for m in page["data"]] == [second] and page["has_more"] is True
    rest = (
        await api.get(
            f"/v1/customers/{customer}/payment_methods", params={"limit": "1", "starting_after": second}
        )
    ).json()
    assert [m["id"] for m in rest["data"]] == [first] and rest["has_more"] is False
    before = (
        await api.get(
            f"/v1/customers/{customer}/payment_methods", params={"limit": "5", "ending_before": first}
        )
    ).json()
    assert [m["id"] for m in before["data"]] == [second]
    no_customer = await api.get("/v1/payment_methods", params={"type": "card"})
    assert no_customer.status_code == 400 and no_customer.json()["error"]["code"] == "parameter_missing"
    unknown = await api.get("/v1/customers/cus_nope/payment_methods")
    assert unknown.status_code == 404
    bad_limit = await api.get(f"/v1/customers/{customer}/payment_methods", params={"limit": "500"})
    assert bad_limit.status_code == 400


async def test_payment_method_read_and_detach(api: httpx.AsyncClient) -> None:
    customer = await create_customer(api)
    method = await saved_card(api, customer)
    read = (await api.get(f"/v1/payment_methods/{method}")).json()
    assert read["object"] == "payment_method" and read["type"] == "card" and read["customer"] == customer
    assert "number" not in read["card"] and "cvc" not in read["card"]
    detached = await api.post(f"/v1/payment_methods/{method}/detach")
    assert detached.status_code == 200 and detached.json()["customer"] is None
    assert (await event_types(api))[-1] == "payment_method.detached"
    listed = (await api.get(f"/v1/customers/{customer}/payment_methods")).json()
    assert listed["data"] == []
    again = await api.post(f"/v1/payment_methods/{method}/detach")
    assert again.status_code == 400 and again.json()["error"]["code"] == "payment_method_unexpected_state"
    charge = await api.post("/v1/payment_intents", data=charge_form(customer, method))
    assert charge.status_code == 400  # a detached card cannot be charged off-session
    assert (await api.get("/v1/payment_methods/pm_nope")).status_code == 404


# ---- events --------------------------------------------------------------------------------------------


async def test_events_read_and_filter(api: httpx.AsyncClient) -> None:
    customer = await create_customer(api)
    await saved_card(api, customer)
    listed = (await api.get("/v1/events")).json()
    assert listed["object"] == "list" and listed["url"] == "/v1/events"
    newest = listed["data"][0]
    assert newest["type"] == "checkout.session.completed"
    assert newest["object"] == "event" and newest["livemode"] is False and newest["api_version"]
    assert newest["data"]["object"]["object"] == "checkout.session"
    assert (await api.get(f"/v1/events/{newest['id']}")).json() == newest
    only = (await api.get("/v1/events", params={"type": "setup_intent.*"})).json()
    assert [e["type"] for e in only["data"]] == ["setup_intent.succeeded"]
    assert (await api.get("/v1/events/evt_nope")).status_code == 404
