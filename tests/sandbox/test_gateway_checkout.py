"""The hosted checkout page driven over HTTP as a browser would: GET the page, POST the card form, follow
the outcome, for each test card; and what the gateway keeps (never the card number)."""

from __future__ import annotations

import html
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from adapters.brand import Brand
from sandbox.gateway.system import GatewaySystem
from tests.sandbox.test_gateway_support import (
    CANCEL,
    client_for,
    create_customer,
    create_session,
    event_types,
    make_system,
    payment_form,
    setup_form,
    submit_card,
)


@pytest.fixture
def system(tmp_path: Path) -> GatewaySystem:
    return make_system(tmp_path)


@pytest.fixture
async def api(system: GatewaySystem) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(system) as client:
        yield client


@pytest.fixture
async def browser(system: GatewaySystem) -> AsyncIterator[httpx.AsyncClient]:
    """No API key: the hosted page is reached with nothing but the session id."""
    async with client_for(system, key=None) as client:
        yield client


async def test_page_shows_merchant_amount_and_card_fields(
    api: httpx.AsyncClient, browser: httpx.AsyncClient
) -> None:
    session = await create_session(api, payment_form(amount=4999))
    assert session["url"] == f"http://gw.test/pay/{session['id']}"
    page = await browser.get(f"/pay/{session['id']}")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-frame-options"] == "DENY"
    text = page.text
    assert "WISPGate Networks" in text and "$49.99" in text and "Invoice INV-2026-0042" in text
    for testid in ("card-number", "card-expiry", "card-cvc", "card-name", "pay-button"):
        assert f'data-testid="{testid}"' in text
    assert 'data-testid="card-error"' not in text
    assert f'href="{CANCEL}"' in text
    assert "MM / YY" in text and "Pay $49.99" in text
    assert 'method="post"' in text


async def test_successful_card_completes_session_and_redirects(
    api: httpx.AsyncClient, browser: httpx.AsyncClient
) -> None:
    customer = await create_customer(api)
    session = await create_session(api, payment_form(customer=customer))
    response = await submit_card(browser, session["id"])
    assert response.status_code == 303
    assert response.headers["location"] == f"https://portal.test/pay/done?session={session['id']}"

    done = (
        await api.get(
            f"/v1/checkout/sessions/{session['id']}", params={"expand[]": "payment_intent.payment_method"}
        )
    ).json()
    assert (done["status"], done["payment_status"], done["url"]) == ("complete", "paid", None)
    intent = done["payment_intent"]
    assert intent["status"] == "succeeded" and intent["amount_received"] == 4999
    assert intent["metadata"] == {"invoice_id": "INV-2026-0042"}
    method = intent["payment_method"]
    assert method["customer"] == customer
    assert {k: method["card"][k] for k in ("brand", "last4", "exp_month", "exp_year")} == {
        "brand": "visa",
        "last4": "4242",
        "exp_month": 12,
        "exp_year": 2034,
    }
    assert len(method["card"]["fingerprint"]) == 16
    types = await event_types(api)
    assert types[-3:] == ["payment_method.attached", "payment_intent.succeeded", "checkout.session.completed"]

    again = await browser.get(f"/pay/{session['id']}")
    assert again.status_code == 200 and 'data-testid="session-complete"' in again.text
    assert 'data-testid="pay-button"' not in again.text
    # A second submission of the form cannot pay twice.
    resubmit = await submit_card(browser, session["id"])
    assert resubmit.status_code == 200 and "Payment complete" in resubmit.text
    assert (await event_types(api)).count("payment_intent.succeeded") == 1


@pytest.mark.parametrize(
    ("number", "decline_code", "message"),
    [
        ("4000 0000 0000 0002", "generic_decline", "Your card was declined."),
        ("4000 0000 0000 9995", "insufficient_funds", "Your card has insufficient funds."),
    ],
)
async def test_declined_card_shows_message_and_leaves_session_open(
    api: httpx.AsyncClient, browser: httpx.AsyncClient, number: str, decline_code: str, message: str
) -> None:
    session = await create_session(api, payment_form())
    response = await submit_card(browser, session["id"], number)
    assert response.status_code == 402
    assert f'data-testid="card-error">{html.escape(message)}' in response.text
    assert number.replace(" ", "") not in response.text and number not in response.text
    assert 'value="Ada Lovelace"' in response.text  # the name is kept, the number and CVC are not

    state = (
        await api.get(f"/v1/checkout/sessions/{session['id']}", params={"expand[]": "payment_intent"})
    ).json()
    assert (state["status"], state["payment_status"]) == ("open", "unpaid")
    intent = state["payment_intent"]
    assert intent["status"] == "requires_payment_method" and intent["payment_method"] is None
    error = intent["last_payment_error"]
    assert (error["type"], error["code"], error["decline_code"]) == (
        "card_error",
        "card_declined",
        decline_code,
    )
    assert error["payment_method"]["card"]["last4"] == number[-4:]
    assert (await event_types(api))[-1] == "payment_intent.payment_failed"

    # The shopper tries another card on the same page: same PaymentIntent, now paid.
    retry = await submit_card(browser, session["id"])
    assert retry.status_code == 303
    after = (await api.get(f"/v1/checkout/sessions/{session['id']}")).json()
    assert after["payment_status"] == "paid" and after["payment_intent"] == intent["id"]


async def test_authentication_card_complete(api: httpx.AsyncClient, browser: httpx.AsyncClient) -> None:
    session = await create_session(api, payment_form())
    response = await submit_card(browser, session["id"], "4000 0025 0000 3155")
    assert response.status_code == 303
    assert response.headers["location"] == f"/pay/{session['id']}/authenticate"
    step = await browser.get(response.headers["location"])
    assert step.status_code == 200
    assert 'data-testid="3ds-complete"' in step.text and 'data-testid="3ds-fail"' in step.text
    pending = (
        await api.get(f"/v1/checkout/sessions/{session['id']}", params={"expand[]": "payment_intent"})
    ).json()
    assert pending["payment_intent"]["status"] == "requires_action"
    assert pending["status"] == "open"

    done = await browser.post(f"/pay/{session['id']}/authenticate", data={"outcome": "complete"})
    assert done.status_code == 303 and done.headers["location"].startswith("https://portal.test/pay/done")
    state = (
        await api.get(f"/v1/checkout/sessions/{session['id']}", params={"expand[]": "payment_intent"})
    ).json()
    assert state["payment_status"] == "paid" and state["payment_intent"]["status"] == "succeeded"


async def test_authentication_card_fail(api: httpx.AsyncClient, browser: httpx.AsyncClient) -> None:
    session = await create_session(api, payment_form())
    await submit_card(browser, session["id"], "4000 0025 0000 3155")
    failed = await browser.post(f"/pay/{session['id']}/authenticate", data={"outcome": "fail"})
    assert failed.status_code == 402
    assert 'data-testid="card-error">We are unable to authenticate your payment method' in failed.text
    state = (
        await api.get(f"/v1/checkout/sessions/{session['id']}", params={"expand[]": "payment_intent"})
    ).json()
    assert state["status"] == "open"
    assert state["payment_intent"]["last_payment_error"]["code"] == "payment_intent_authentication_failure"
    assert (await event_types(api))[-1] == "payment_intent.payment_failed"
    # Nothing is pending any more: the step page sends the shopper back to the card form.
    back = await browser.get(f"/pay/{session['id']}/authenticate")
    assert back.status_code == 303 and back.headers["location"] == f"/pay/{session['id']}"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"card_number": "4242 4242 4242 4241"}, "Your card number is invalid."),
        ({"card_number": ""}, "Your card number is incomplete."),
        ({"card_number": "4242abcd"}, "Your card number is invalid."),
        ({"card_expiry": "01 / 20"}, "Your card&#x27;s expiration year is in the past."),
        ({"card_expiry": "13 / 34"}, "Your card&#x27;s expiration month is invalid."),
        ({"card_expiry": "12"}, "Your card&#x27;s expiration date is incomplete."),
        ({"card_cvc": "12"}, "Your card&#x27;s security code is incomplete."),
        ({"card_cvc": "12a"}, "Your card&#x27;s security code is incomplete."),
        ({"card_number": "3782 822463 10005", "card_cvc": "123"}, "security code should be 4 digits"),
        ({"card_name": "  "}, "Enter the name on the card."),
    ],
)
async def test_invalid_card_input_is_explained(
    api: httpx.AsyncClient, browser: httpx.AsyncClient, fields: dict[str, str], message: str
) -> None:
    session = await create_session(api, payment_form())
    form = {
        "card_number": "4242 4242 4242 4242",
        "card_expiry": "12 / 34",
        "card_cvc": "123",
        "card_name": "Ada",
    }
    response = await browser.post(f"/pay/{session['id']}", data={**form, **fields})
    assert response.status_code == 400
    assert 'data-testid="card-error"' in response.text and message in response.text
    # Nothing was attempted: no PaymentIntent, no event.
    state = (await api.get(f"/v1/checkout/sessions/{session['id']}")).json()
    assert state["payment_intent"] is None and state["status"] == "open"
    assert await event_types(api) == []


async def test_expiry_formats_and_amex(api: httpx.AsyncClient, browser: httpx.AsyncClient) -> None:
    session = await create_session(api, payment_form())
    response = await submit_card(
        browser, session["id"], "3782 822463 10005", card_expiry="0934", card_cvc="1234"
    )
    assert response.status_code == 303
    state = (
        await api.get(f"/v1/checkout/sessions/{session['id']}", params={"expand[]": "payment_intent"})
    ).json()
    method = (await api.get(f"/v1/payment_methods/{state['payment_intent']['payment_method']}")).json()
    assert (method["card"]["brand"], method["card"]["exp_month"], method["card"]["exp_year"]) == (
        "amex",
        9,
        2034,
    )


async def test_unknown_live_card_is_declined_in_test_mode(
    api: httpx.AsyncClient, browser: httpx.AsyncClient
) -> None:
    session = await create_session(api, payment_form())
    response = await submit_card(browser, session["id"], "4111 1111 1111 1111")
    assert response.status_code == 402 and "non test card" in response.text


async def test_setup_mode_saves_card_to_customer(api: httpx.AsyncClient, browser: httpx.AsyncClient) -> None:
    customer = await create_customer(api)
    session = await create_session(api, setup_form(customer))
    assert session["payment_status"] == "no_payment_required" and session["amount_total"] is None
    page = await browser.get(f"/pay/{session['id']}")
    assert "Save card" in page.text and "Save a card" in page.text
    response = await submit_card(browser, session["id"], "5555 5555 5555 4444")
    assert response.status_code == 303
    state = (
        await api.get(f"/v1/checkout/sessions/{session['id']}", params={"expand[]": "setup_intent"})
    ).json()
    assert state["status"] == "complete"
    intent = state["setup_intent"]
    assert intent["status"] == "succeeded" and intent["customer"] == customer
    assert intent["metadata"] == {"subscriber_id": "SUB-1001"}
    listed = (await api.get(f"/v1/customers/{customer}/payment_methods", params={"type": "card"})).json()
    assert [m["card"]["last4"] for m in listed["data"]] == ["4444"]
    assert listed["data"][0]["card"]["brand"] == "mastercard"
    assert (await event_types(api))[-3:] == [
        "payment_method.attached",
        "setup_intent.succeeded",
        "checkout.session.completed",
    ]


async def test_setup_mode_without_customer_creates_one(
    api: httpx.AsyncClient, browser: httpx.AsyncClient
) -> None:
    session = await create_session(api, setup_form(None, customer_email="new@example.com"))
    assert (await submit_card(browser, session["id"])).status_code == 303
    state = (await api.get(f"/v1/checkout/sessions/{session['id']}", params={"expand[]": "customer"})).json()
    assert state["customer"]["email"] == "new@example.com"
    assert state["customer"]["name"] == "Ada Lovelace"
    assert state["customer_details"]["name"] == "Ada Lovelace"


async def test_setup_declined_card_fails_setup(api: httpx.AsyncClient, browser: httpx.AsyncClient) -> None:
    customer = await create_customer(api)
    session = await create_session(api, setup_form(customer))
    response = await submit_card(browser, session["id"], "4000 0000 0000 0002")
    assert response.status_code == 402
    assert (await event_types(api))[-1] == "setup_intent.setup_failed"
    listed = (await api.get(f"/v1/customers/{customer}/payment_methods")).json()
    assert listed["data"] == []


async def test_payment_without_customer_does_not_save_card(
    api: httpx.AsyncClient, browser: httpx.AsyncClient
) -> None:
    session = await create_session(api, payment_form())
    assert (await submit_card(browser, session["id"])).status_code == 303
    state = (
        await api.get(f"/v1/checkout/sessions/{session['id']}", params={"expand[]": "payment_intent"})
    ).json()
    method = (await api.get(f"/v1/payment_methods/{state['payment_intent']['payment_method']}")).json()
    assert method["customer"] is None and state["customer"] is None
    assert "payment_method.attached" not in await event_types(api)


async def test_expired_session_page(api: httpx.AsyncClient, browser: httpx.AsyncClient) -> None:
    session = await create_session(api, payment_form())
    expired = await api.post(f"/v1/checkout/sessions/{session['id']}/expire")
    assert (
        expired.status_code == 200 and expired.json()["status"] == "expired" and expired.json()["url"] is None
    )
    page = await browser.get(f"/pay/{session['id']}")
    assert page.status_code == 410 and 'data-testid="session-expired"' in page.text
    assert f'href="{CANCEL}"' in page.text
    attempt = await submit_card(browser, session["id"])
    assert attempt.status_code == 410
    assert (await event_types(api))[-1] == "checkout.session.expired"
    again = await api.post(f"/v1/checkout/sessions/{session['id']}/expire")
    assert again.status_code == 400


async def test_session_expires_when_its_time_is_up(
    system: GatewaySystem, api: httpx.AsyncClient, browser: httpx.AsyncClient
) -> None:
    session = await create_session(api, payment_form())
    system.service.clock = lambda: session["expires_at"] + 1
    page = await browser.get(f"/pay/{session['id']}")
    assert page.status_code == 410
    state = (await api.get(f"/v1/checkout/sessions/{session['id']}")).json()
    assert state["status"] == "expired"
    assert (await event_types(api)).count("checkout.session.expired") == 1


async def test_unknown_session_page(browser: httpx.AsyncClient) -> None:
    page = await browser.get("/pay/cs_test_nope")
    assert page.status_code == 404 and 'data-testid="session-missing"' in page.text
    assert (await submit_card(browser, "cs_test_nope")).status_code == 404


def database_bytes(path: str) -> bytes:
    """The SQLite file and its write-ahead log, where recent writes may still sit."""
    files = [Path(path + suffix) for suffix in ("", "-wal", "-shm")]
    return b"".join(f.read_bytes() for f in files if f.exists())


async def test_card_numbers_never_stored_or_logged(
    system: GatewaySystem,
    api: httpx.AsyncClient,
    browser: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    numbers = ["4242424242424242", "4000000000000002", "4000000000009995", "4000002500003155"]
    customer = await create_customer(api)
    for number in numbers:
        session = await create_session(api, payment_form(customer=customer))
        response = await submit_card(browser, session["id"], number, card_cvc="987")
        if response.status_code == 303 and response.headers["location"].endswith("/authenticate"):
            await browser.post(f"/pay/{session['id']}/authenticate", data={"outcome": "complete"})
    everything = database_bytes(system.db.path)
    assert everything  # the database really was written
    for number in numbers:
        assert number.encode() not in everything
        assert number not in caplog.text
    events = (await api.get("/v1/events", params={"limit": "100"})).text
    assert not any(number in events for number in numbers)


async def test_works_mounted_under_a_prefix(system: GatewaySystem) -> None:
    """As in the combined sandbox: auth, form actions and redirects keep the mount prefix."""
    outer = Starlette(routes=[Mount("/_sandbox/gateway", app=system.asgi())])
    transport = httpx.ASGITransport(app=outer)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://gw.test/_sandbox/gateway"
    ) as anonymous:
        assert (await anonymous.get("/v1/events")).status_code == 401
        async with httpx.AsyncClient(
            transport=transport,
            base_url="http://gw.test/_sandbox/gateway",
            headers={"authorization": f"Bearer {system.gateway_config.secret_key}"},
        ) as api:
            session = await create_session(api, payment_form())
        page = await anonymous.get(f"/pay/{session['id']}")
        assert f'action="/_sandbox/gateway/pay/{session["id"]}"' in page.text
        step = await submit_card(anonymous, session["id"], "4000 0025 0000 3155")
        assert step.headers["location"] == f"/_sandbox/gateway/pay/{session['id']}/authenticate"
        shown = await anonymous.get(f"/pay/{session['id']}/authenticate")
        assert f'action="/_sandbox/gateway/pay/{session["id"]}/authenticate"' in shown.text


async def test_the_hosted_page_wears_the_merchants_brand(tmp_path: Path) -> None:
    """Issue 12: the page was the gateway's purple; it now carries the operator's colour, logo and name (as
    Stripe's account branding settings do), on the card form and on every other page of the checkout."""
    brand = Brand(name="Acme Fiber", primary_color="#7a1f5c", logo=b"\x89PNG-acme", logo_type="image/png")
    system = make_system(tmp_path, merchant_name=brand.name, brand=brand)
    async with client_for(system) as api, client_for(system, key=None) as browser:
        session = await create_session(api, payment_form(amount=4999))
        pages = [await browser.get(f"/pay/{session['id']}"), await browser.get("/pay/cs_test_nope")]
    for page in pages:
        text = page.text
        assert "--brand:#7a1f5c" in text and "#635bff" not in text
        assert f'<img class="logo" src="{brand.logo_data_uri()}"' in text
        assert "img-src data:" in page.headers["content-security-policy"]
    assert "Pay Acme Fiber" in pages[0].text and "WISPGate" not in pages[0].text


async def test_by_default_the_page_is_in_wispgate_blue_with_its_mark(
    api: httpx.AsyncClient, browser: httpx.AsyncClient
) -> None:
    session = await create_session(api, payment_form(amount=4999))
    text = (await browser.get(f"/pay/{session['id']}")).text
    assert "--brand:#0f4c81" in text and "#635bff" not in text
    assert 'src="data:image/svg+xml;base64,' in text
