"""`bff.core.payments.checkout`: starting a checkout against the real Billing and the sandbox gateway — ownership, states,
amounts, return-URL allowlist, the gateway customer, idempotent replays, outages."""

from __future__ import annotations

import base64
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from adapters.errors import Unavailable
from bff.core.backends import open_backends
from bff.core.payments.checkout import (
    PaymentError,
    start_card_setup,
    start_invoice_payment,
    start_wallet_topup,
)
from bff.core.settings import SettingsError, load_settings
from bff.server.cli import demo_environment, demo_sandbox_settings
from sandbox.settings import SandboxSettings
from tests.harness.money import (
    GATEWAY,
    PORTAL,
    VIEWERS,
    Money,
    money_settings,
)

ANA = VIEWERS["SUB-1001"]
BEN = VIEWERS["SUB-1002"]


def session_row(money: Money, session_id: str) -> dict[str, str]:
    row = money.gateway.db.one("SELECT * FROM checkout_sessions WHERE id = ?", (session_id,))
    assert row is not None
    return dict(row)


async def test_an_invoice_payment_opens_a_checkout_for_the_balance(money: Money) -> None:
    invoice_id = await money.invoice_of("SUB-1001", "OPEN")
    invoice = await money.backends.billing.invoice(invoice_id)
    started = await start_invoice_payment(
        money.backends,
        money.settings,
        ANA,
        invoice_id,
        idempotency_key="k-1",
        return_url=None,
        cancel_url=None,
    )
    assert started.checkout_url == f"{GATEWAY}/pay/{started.session_id}"
    session = await money.backends.gateway.checkout_session(started.session_id)
    assert session.mode == "payment" and session.amount == invoice.balance
    assert session.reference == {
        "wg_kind": "invoice",
        "wg_subscriber_id": "SUB-1001",
        "wg_invoice_id": invoice_id,
        "wg_origin": "portal",
    }
    row = session_row(money, started.session_id)
    success = urlsplit(row["success_url"])
    assert f"{success.scheme}://{success.netloc}{success.path}" == f"{PORTAL}/payments/return"
    query = parse_qs(success.query)
    assert query["kind"] == ["invoice"] and query["session_id"] == ["{CHECKOUT_SESSION_ID}"]
    decoded = base64.urlsafe_b64decode(query["invoice"][0] + "==").decode()
    assert decoded == f"Invoice:{invoice_id}"
    assert row["cancel_url"] == f"{PORTAL}/invoices?cancelled=1"
    assert row["client_reference_id"] == "SUB-1001"
    # The PaymentIntent carries the same reference (autopay-style events can be matched too).
    assert "wg_invoice_id" in row["intent_data"]
    # The page really is there.
    page = await money.browser.get(f"/pay/{started.session_id}")
    assert page.status_code == 200 and f"{invoice.balance.amount}" in page.text


async def test_the_gateway_customer_is_created_once_and_remembered(money: Money) -> None:
    account = (await money.backends.billing.accounts(["SUB-1001"]))["SUB-1001"]
    assert account.gateway_customer_id is None
    invoice_id = await money.invoice_of("SUB-1001", "OPEN")
    first = await start_invoice_payment(
        money.backends, money.settings, ANA, invoice_id, idempotency_key="a", return_url=None, cancel_url=None
    )
    second = await start_wallet_topup(
        money.backends,
        money.settings,
        ANA,
        Decimal("10"),
        idempotency_key="b",
        return_url=None,
        cancel_url=None,
    )
    account = (await money.backends.billing.accounts(["SUB-1001"]))["SUB-1001"]
    assert account.gateway_customer_id is not None
    customer = await money.backends.gateway.customer(account.gateway_customer_id)
    assert (customer.subscriber_id, customer.email) == ("SUB-1001", "ana@lima.example")
    assert money.gateway.db.scalar("SELECT COUNT(*) FROM customers") == 1
    for started in (first, second):
        assert session_row(money, started.session_id)["customer"] == account.gateway_customer_id


async def test_the_same_key_replays_the_same_checkout(money: Money) -> None:
    invoice_id = await money.invoice_of("SUB-1001", "OPEN")

    async def start(key: str, viewer_invoice: str = invoice_id) -> str:
        started = await start_invoice_payment(
            money.backends,
            money.settings,
            ANA,
            viewer_invoice,
            idempotency_key=key,
            return_url=None,
            cancel_url=None,
        )
        return started.session_id

    assert await start("same") == await start("same")
    assert await start("same") != await start("other")
    # One client key used by two subscribers never shares a session.
    ben_invoice = await money.invoice_of("SUB-1002", "OVERDUE")
    ben = await start_invoice_payment(
        money.backends,
        money.settings,
        BEN,
        ben_invoice,
        idempotency_key="same",
        return_url=None,
        cancel_url=None,
    )
    assert ben.session_id != await start("same")


@pytest.mark.parametrize("which", ["foreign", "missing"])
async def test_a_foreign_invoice_looks_like_a_missing_one(money: Money, which: str) -> None:
    invoice_id = await money.invoice_of("SUB-1002", "OVERDUE") if which == "foreign" else "INV-NOPE"
    with pytest.raises(PaymentError) as refused:
        await start_invoice_payment(
            money.backends,
            money.settings,
            ANA,
            invoice_id,
            idempotency_key="k",
            return_url=None,
            cancel_url=None,
        )
    assert (refused.value.code, refused.value.field) == ("NOT_FOUND", "invoiceId")
    assert str(refused.value) == "No such invoice."
    assert money.gateway.db.scalar("SELECT COUNT(*) FROM checkout_sessions") == 0


async def test_a_paid_or_void_invoice_cannot_be_paid(money: Money) -> None:
    paid = await money.invoice_of("SUB-1001", "PAID")
    with pytest.raises(PaymentError) as refused:
        await start_invoice_payment(
            money.backends, money.settings, ANA, paid, idempotency_key="k", return_url=None, cancel_url=None
        )
    assert refused.value.code == "ALREADY_PAID"
    open_id = await money.invoice_of("SUB-1001", "OPEN")
    money.sandbox.billing.db.execute("UPDATE invoices SET status = 'VOID' WHERE id = ?", (open_id,))
    with pytest.raises(PaymentError) as void:
        await start_invoice_payment(
            money.backends,
            money.settings,
            ANA,
            open_id,
            idempotency_key="k",
            return_url=None,
            cancel_url=None,
        )
    assert void.value.code == "INVOICE_VOID"


@pytest.mark.parametrize(
    "amount", ["4.99", "1000.01", "1.234", "10.001", "0", "-5", "NaN", "Infinity", "sNaN"]
)
async def test_top_up_amount_rules(money: Money, amount: str) -> None:
    with pytest.raises(PaymentError) as refused:
        await start_wallet_topup(
            money.backends,
            money.settings,
            ANA,
            Decimal(amount),
            idempotency_key="k",
            return_url=None,
            cancel_url=None,
        )
    assert (refused.value.code, refused.value.field) == ("AMOUNT_INVALID", "amount")


@pytest.mark.parametrize("amount", ["5.00", "5", "1000.00", "49.9"])
async def test_top_up_amounts_at_the_limits_are_accepted(money: Money, amount: str) -> None:
    started = await start_wallet_topup(
        money.backends,
        money.settings,
        ANA,
        Decimal(amount),
        idempotency_key=amount,
        return_url=None,
        cancel_url=None,
    )
    session = await money.backends.gateway.checkout_session(started.session_id)
    assert session.amount is not None and session.amount.amount == Decimal(amount)
    assert session.reference == {"wg_kind": "topup", "wg_subscriber_id": "SUB-1001", "wg_origin": "portal"}
    row = session_row(money, started.session_id)
    assert row["cancel_url"] == f"{PORTAL}/wallet"
    assert parse_qs(urlsplit(row["success_url"]).query)["kind"] == ["topup"]


@pytest.mark.parametrize(
    ("return_url", "cancel_url", "field"),
    [
        ("https://evil.example/pay", None, "returnUrl"),
        (None, "https://evil.example/", "cancelUrl"),
        ("http://portal.test@evil.example/", None, "returnUrl"),
        ("https://portal.test/x", None, "returnUrl"),  # another scheme is another origin
        ("javascript:alert(1)", None, "returnUrl"),
        ("//evil.example/x", None, "returnUrl"),
        ("http://portal.test:8443/x", None, "returnUrl"),
        ("http://portal.test/x y", None, "returnUrl"),
    ],
)
async def test_return_urls_must_be_on_an_allowed_origin(
    money: Money, return_url: str | None, cancel_url: str | None, field: str
) -> None:
    with pytest.raises(PaymentError) as refused:
        await start_card_setup(
            money.backends,
            money.settings,
            ANA,
            idempotency_key="k",
            return_url=return_url,
            cancel_url=cancel_url,
        )
    assert (refused.value.code, refused.value.field) == ("RETURN_URL_NOT_ALLOWED", field)


async def test_allowed_return_urls_are_used_as_given(money: Money, tmp_path: Path) -> None:
    settings = money_settings(tmp_path, RETURN_URL_ORIGINS="https://app.example, http://portal.test")
    started = await start_card_setup(
        money.backends,
        settings,
        ANA,
        idempotency_key="k",
        return_url="https://app.example/cards/done?s={CHECKOUT_SESSION_ID}",
        cancel_url="http://portal.test/payment-methods?x=1",
    )
    row = session_row(money, started.session_id)
    assert row["mode"] == "setup"
    assert row["success_url"] == "https://app.example/cards/done?s={CHECKOUT_SESSION_ID}"
    assert row["cancel_url"] == "http://portal.test/payment-methods?x=1"
    session = await money.backends.gateway.checkout_session(started.session_id)
    assert session.reference == {"wg_kind": "setup", "wg_subscriber_id": "SUB-1001", "wg_origin": "portal"}


async def test_a_gateway_outage_is_an_outage_not_a_business_error(money: Money) -> None:
    invoice_id = await money.invoice_of("SUB-1001", "OPEN")
    money.transport.down.add("gateway.test")
    with pytest.raises(Unavailable):
        await start_invoice_payment(
            money.backends,
            money.settings,
            ANA,
            invoice_id,
            idempotency_key="k",
            return_url=None,
            cancel_url=None,
        )
    money.transport.down.discard("gateway.test")
    money.transport.down.add("billing.test")
    with pytest.raises(Unavailable):
        await start_card_setup(
            money.backends, money.settings, ANA, idempotency_key="k", return_url=None, cancel_url=None
        )


async def test_production_without_gateway_credentials_refuses_to_start(money: Money, tmp_path: Path) -> None:
    settings = money_settings(
        tmp_path,
        WISPGATE_ENV="production",
        JWT_SECRET="p" * 40,
        FILES_SIGNING_KEY="q" * 40,
        CORE_EVENTS_SECRET="c" * 40,
    )
    assert settings.gateway.secret_key == "" and settings.gateway.webhook_secret == ""
    async with open_backends(settings, money.transport) as backends:
        with pytest.raises(Unavailable):
            await start_card_setup(
                backends, settings, ANA, idempotency_key="k", return_url=None, cancel_url=None
            )


def test_payment_settings_defaults_and_validation(tmp_path: Path) -> None:
    dev = load_settings({})
    assert dev.gateway.url == "http://127.0.0.1:8000/_sandbox/gateway"
    assert dev.gateway.secret_key.startswith("sk_test_") and dev.gateway.webhook_secret.startswith("whsec_")
    assert dev.allowed_return_origins == ("http://127.0.0.1:8000",)
    prod = load_settings(
        {
            "WISPGATE_ENV": "production",
            "JWT_SECRET": "j" * 32,
            "FILES_SIGNING_KEY": "f" * 32,
            "CORE_EVENTS_SECRET": "c" * 32,
            "PUBLIC_URL": "https://my.isp.example/",
        }
    )
    assert prod.gateway.url == "https://api.stripe.com"
    assert (prod.gateway.secret_key, prod.gateway.webhook_secret) == ("", "")
    assert prod.allowed_return_origins == ("https://my.isp.example",)
    custom = money_settings(tmp_path, RETURN_URL_ORIGINS="https://a.example:8443/, http://b.example")
    assert custom.allowed_return_origins == ("https://a.example:8443", "http://b.example")
    with pytest.raises(SettingsError, match="RETURN_URL_ORIGINS"):
        load_settings({"RETURN_URL_ORIGINS": "https://a.example/path"})
    with pytest.raises(SettingsError, match="GATEWAY_URL"):
        load_settings({"GATEWAY_URL": "ftp://gateway"})


def test_the_demo_wires_the_sandbox_and_the_bff_to_each_other() -> None:
    sandbox = demo_sandbox_settings(SandboxSettings(), "0.0.0.0", 8123)  # noqa: S104
    assert sandbox.events_url == "http://127.0.0.1:8123/hooks/core"
    assert sandbox.gateway_webhook_url == "http://127.0.0.1:8123/webhooks/gateway"
    assert sandbox.public_url == "http://127.0.0.1:8123/_sandbox"
    settings = load_settings(
        demo_environment(
            "0.0.0.0",  # noqa: S104
            8123,
            sandbox.service_key,
            {},
            gateway_secret_key=sandbox.gateway_secret_key,
            gateway_webhook_secret=sandbox.gateway_webhook_secret,
            events_secret=sandbox.events_secret,
        )
    )
    assert settings.gateway.url == "http://127.0.0.1:8123/_sandbox/gateway"
    assert settings.gateway.secret_key == sandbox.gateway_secret_key
    assert settings.gateway.webhook_secret == sandbox.gateway_webhook_secret
    assert settings.core_events_secret == sandbox.events_secret
