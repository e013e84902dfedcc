"""Starting a payment: the gateway's hosted Checkout page for an invoice, a wallet top-up or saving a card.

These functions only open the page. Nothing is paid, credited or stored until the gateway's webhook says so
(`bff.core.payments.settlement`): the `PaymentReference` set here as the session's metadata is how the webhook finds what a
payment was for.

Business refusals raise `PaymentError` (a userError in the mutation). Outages are not business refusals:
`adapters.errors.Unavailable` propagates and the schema reports BACKEND_UNAVAILABLE.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from urllib.parse import quote, urlencode

from adapters.errors import NotFound, Rejected, Unavailable
from adapters.ports.billing import AddOnOffer, Invoice
from adapters.ports.gateway import (
    MAX_INVOICES_PER_CHECKOUT,
    CheckoutSession,
    InvoiceShare,
    PaymentKind,
    PaymentReference,
    carriable_invoice_id,
)
from adapters.ports.money import Money, exponent, quantum
from bff.core.auth.viewer import Viewer
from bff.core.backends import Backends
from bff.core.ids import encode_global_id
from bff.core.payments import paypal
from bff.core.settings import Settings, origin_of

TOPUP_MIN = Decimal("5.00")
TOPUP_MAX = Decimal("1000.00")
MAX_URL_LENGTH = 2000
SESSION_PLACEHOLDER = "{CHECKOUT_SESSION_ID}"


@dataclass(frozen=True)
class CheckoutStart:
    checkout_url: str
    session_id: str
    invoice_ids: tuple[str, ...] = ()  # what a checkout of several invoices pays, in order


class PaymentError(Exception):
    """A business refusal: `code` is NOT_FOUND, ALREADY_PAID, INVOICE_VOID, AMOUNT_INVALID,
    RETURN_URL_NOT_ALLOWED, IDEMPOTENCY_CONFLICT or GATEWAY_NOT_OFFERED (and for several invoices NO_INVOICES, TOO_MANY_INVOICES,
    DUPLICATE_INVOICE, SELECTION_INVALID, MIXED_CURRENCIES); `field` names the input at fault, when one is."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


def gateway_key(viewer: Viewer, purpose: str, client_key: str) -> str:
    """The gateway idempotency key for a client's key: scoped to the subscriber and the purpose, so two
    subscribers (or an invoice payment and a top-up) sending the same key never share a session."""
    digest = hashlib.sha256(f"{viewer.subscriber_id}\n{purpose}\n{client_key}".encode()).hexdigest()
    return f"wg-{purpose}-{digest[:48]}"


def _portal(settings: Settings) -> str:
    if not settings.portal_url:
        raise Unavailable("gateway", "PUBLIC_URL is not configured: gateway return pages have no address")
    return settings.portal_url


def _allowed_url(settings: Settings, url: str | None, default: str, field: str) -> str:
    if url is None or url == "":
        return default
    plain = len(url) <= MAX_URL_LENGTH and url.isprintable() and " " not in url and "\\" not in url
    origin = origin_of(url) if plain else ""
    # `https://portal.example@evil.example` has the portal's name in it but is not on its origin.
    if not origin or origin not in settings.allowed_return_origins or "@" in url.split("/", 3)[2]:
        raise PaymentError(
            "RETURN_URL_NOT_ALLOWED",
            "This return address is not on the portal's list of allowed sites.",
            field,
        )
    return url


# PayPal's return endpoint checks where it sends the browser on by the same rule.
allowed_url = _allowed_url


def chosen_gateway(settings: Settings, gateway: str | None) -> str:
    """The gateway a payment goes through: the one asked for if the portal offers it, else the first offered
    (`GATEWAYS`). PayPal pays invoices and top-ups; add-ons and saved cards stay Stripe's."""
    if gateway is None:
        return settings.gateways[0]
    if gateway not in settings.gateways:
        raise PaymentError(
            "GATEWAY_NOT_OFFERED", "This portal does not take payments through that gateway.", "gateway"
        )
    return gateway


async def _start_paypal(
    backends: Backends,
    settings: Settings,
    amount: Money,
    description: str,
    reference: dict[str, str],
    success: str,
    cancel: str,
    request_id: str,
) -> CheckoutStart:
    if not settings.paypal.client_id:
        raise Unavailable("paypal", "PAYPAL_CLIENT_ID is not configured")
    try:
        url, order_id = await paypal.create_order(
            backends, settings, amount, description, reference, success, cancel, request_id
        )
    except Rejected as exc:
        raise _conflict(exc) or exc from None
    return CheckoutStart(checkout_url=url, session_id=order_id)


def _urls(
    settings: Settings,
    kind: str,
    extra: dict[str, str],
    cancel_path: str,
    return_url: str | None,
    cancel_url: str | None,
) -> tuple[str, str]:
    base = _portal(settings)
    query = urlencode({"kind": kind, **extra})
    success_default = f"{base}/payments/return?{query}&session_id={SESSION_PLACEHOLDER}"
    return (
        _allowed_url(settings, return_url, success_default, "returnUrl"),
        _allowed_url(settings, cancel_url, f"{base}{cancel_path}", "cancelUrl"),
    )


def _reference(viewer: Viewer, kind: PaymentKind, invoice_id: str | None = None) -> dict[str, str]:
    return PaymentReference(
        kind=kind, subscriber_id=viewer.subscriber_id, invoice_id=invoice_id
    ).to_metadata()


def _require_settings(settings: Settings) -> None:
    if not settings.gateway.secret_key:
        raise Unavailable("gateway", "GATEWAY_SECRET_KEY is not configured")


async def ensure_customer(backends: Backends, viewer: Viewer) -> tuple[str, str]:
    """(gateway customer id, account currency): the subscriber's customer at the gateway, created once
    (the idempotency key makes a concurrent or retried creation return the same customer) and remembered in
    Billing."""
    subscriber_id = viewer.subscriber_id
    accounts = await backends.billing.accounts([subscriber_id])
    account = accounts.get(subscriber_id)
    if account is None:
        raise PaymentError("NOT_FOUND", "There is no billing account for this subscriber.")
    if account.gateway_customer_id:
        return account.gateway_customer_id, account.currency
    subscriber = await backends.crm.subscriber(subscriber_id)
    customer = await backends.gateway.create_customer(
        subscriber.email, subscriber.name, subscriber_id, idempotency_key=f"customer-{subscriber_id}"
    )
    await backends.billing.set_gateway_customer(subscriber_id, customer.id)
    return customer.id, account.currency


def _started(session: CheckoutSession) -> CheckoutStart:
    if not session.url:
        # A replayed key whose session has since completed or expired has no page to show.
        raise PaymentError(
            "IDEMPOTENCY_CONFLICT", "This checkout has already been used; start again with a new key."
        )
    return CheckoutStart(checkout_url=session.url, session_id=session.id)


def _conflict(exc: Rejected) -> PaymentError | None:
    if exc.code in ("idempotency_error", "idempotency_key_in_use", "DUPLICATE_REQUEST_ID"):
        return PaymentError(
            "IDEMPOTENCY_CONFLICT", "This idempotency key was already used for a different request."
        )
    return None


async def _invoice_of(backends: Backends, viewer: Viewer, invoice_id: str) -> Invoice:
    try:
        invoice = await backends.billing.invoice(invoice_id)
    except NotFound:
        invoice = None
    # A foreign invoice and a missing one look the same.
    if invoice is None or invoice.subscriber_id != viewer.subscriber_id:
        raise PaymentError("NOT_FOUND", "No such invoice.", "invoiceId")
    if invoice.status == "VOID":
        raise PaymentError("INVOICE_VOID", f"Invoice {invoice.number} was cancelled.", "invoiceId")
    if invoice.status == "PAID" or invoice.balance.amount <= 0:
        raise PaymentError("ALREADY_PAID", f"Invoice {invoice.number} is already paid.", "invoiceId")
    return invoice


async def start_invoice_payment(
    backends: Backends,
    settings: Settings,
    viewer: Viewer,
    invoice_id: str,
    *,
    idempotency_key: str,
    return_url: str | None,
    cancel_url: str | None,
    save_card: bool = False,
    gateway: str | None = None,
) -> CheckoutStart:
    """A hosted page that pays the invoice's current balance (Stripe's Checkout, or PayPal's approval page);
    with `save_card`, the card paid with becomes the default card autopay charges (settlement stores it;
    Stripe only: PayPal keeps no card)."""
    via = chosen_gateway(settings, gateway)
    if via == "stripe":
        _require_settings(settings)
    elif save_card:
        raise PaymentError(
            "GATEWAY_NOT_OFFERED", "Saving a card needs a card payment, not PayPal.", "gateway"
        )
    invoice = await _invoice_of(backends, viewer, invoice_id)
    success, cancel = _urls(
        settings,
        "invoice",
        {"invoice": encode_global_id("Invoice", invoice.id)},
        "/invoices?cancelled=1",
        return_url,
        cancel_url,
    )
    if via == "paypal":
        return await _start_paypal(
            backends,
            settings,
            invoice.balance,
            f"Invoice {invoice.number}",
            _reference(viewer, PaymentKind.INVOICE, invoice.id),
            success,
            cancel,
            gateway_key(viewer, f"paypal-invoice-{invoice.id}", idempotency_key),
        )
    customer_id, _currency = await ensure_customer(backends, viewer)
    try:
        session = await backends.gateway.create_payment_session(
            invoice.balance,
            f"Invoice {invoice.number}",
            PaymentReference(
                kind=PaymentKind.INVOICE,
                subscriber_id=viewer.subscriber_id,
                invoice_id=invoice.id,
                save_card=save_card,
            ).to_metadata(),
            customer_id,
            success,
            cancel,
            # Saving or not is part of the request: the same client key for both is two sessions.
            idempotency_key=gateway_key(
                viewer, f"invoice-{invoice.id}{'-save' if save_card else ''}", idempotency_key
            ),
            client_reference_id=viewer.subscriber_id,
            save_card=save_card,
        )
    except Rejected as exc:
        raise _conflict(exc) or exc from None
    return _started(session)


def topup_amount(amount: Decimal, currency: str) -> Decimal:
    """The amount, exact in the account's currency (no finer than its minor unit), or AMOUNT_INVALID."""
    step = quantum(currency)
    try:
        valid = amount.is_finite() and TOPUP_MIN <= amount <= TOPUP_MAX and amount == amount.quantize(step)
    except InvalidOperation:
        valid = False
    if not valid:
        places = exponent(currency)
        raise PaymentError(
            "AMOUNT_INVALID",
            f"Top up between {TOPUP_MIN} and {TOPUP_MAX} {currency}, with at most {places} decimal"
            f"{'' if places == 1 else 's'}.",
            "amount",
        )
    return amount.quantize(step)


async def start_wallet_topup(
    backends: Backends,
    settings: Settings,
    viewer: Viewer,
    amount: Decimal,
    *,
    idempotency_key: str,
    return_url: str | None,
    cancel_url: str | None,
    gateway: str | None = None,
) -> CheckoutStart:
    """A hosted page that pays `amount` into the wallet (Stripe's Checkout, or PayPal's approval page)."""
    via = chosen_gateway(settings, gateway)
    if via == "stripe":
        _require_settings(settings)
    if not amount.is_finite() or not TOPUP_MIN <= amount <= TOPUP_MAX:
        topup_amount(amount, "USD")  # refused before anything is called, whatever the currency
    success, cancel = _urls(settings, "topup", {}, "/wallet", return_url, cancel_url)
    if via == "paypal":
        # No gateway customer at PayPal: the account's currency straight from Billing.
        account = (await backends.billing.accounts([viewer.subscriber_id])).get(viewer.subscriber_id)
        if account is None:
            raise PaymentError("NOT_FOUND", "There is no billing account for this subscriber.")
        return await _start_paypal(
            backends,
            settings,
            Money(topup_amount(amount, account.currency), account.currency),
            "Wallet top-up",
            _reference(viewer, PaymentKind.TOPUP),
            success,
            cancel,
            gateway_key(viewer, "paypal-topup", idempotency_key),
        )
    customer_id, currency = await ensure_customer(backends, viewer)
    value = topup_amount(amount, currency)
    try:
        session = await backends.gateway.create_payment_session(
            Money(value, currency),
            "Wallet top-up",
            _reference(viewer, PaymentKind.TOPUP),
            customer_id,
            success,
            cancel,
            idempotency_key=gateway_key(viewer, "topup", idempotency_key),
            client_reference_id=viewer.subscriber_id,
        )
    except Rejected as exc:
        raise _conflict(exc) or exc from None
    return _started(session)


async def start_add_on_payment(
    backends: Backends,
    settings: Settings,
    viewer: Viewer,
    subservice_id: str,
    offer: AddOnOffer,
    *,
    idempotency_key: str,
    return_url: str | None,
    cancel_url: str | None,
) -> CheckoutStart:
    """A hosted page that pays an add-on's `price_now`; the add-on is bought when the payment settles
    (`bff.core.payments.settlement`). The caller has checked the sub-service is the viewer's and the offer
    is Billing's current one for it."""
    _require_settings(settings)
    # Back to the sub-service's page, which shows the add-on once the payment settles (`paymentSettled`).
    page = f"{_portal(settings)}/services/{quote(encode_global_id('SubService', subservice_id), safe='')}"
    success = _allowed_url(
        settings, return_url, f"{page}?addOn=paid&session_id={SESSION_PLACEHOLDER}", "returnUrl"
    )
    cancel = _allowed_url(settings, cancel_url, f"{page}?addOn=cancelled", "cancelUrl")
    customer_id, _currency = await ensure_customer(backends, viewer)
    reference = PaymentReference(
        kind=PaymentKind.ADD_ON,
        subscriber_id=viewer.subscriber_id,
        subservice_id=subservice_id,
        add_on_id=offer.id,
    )
    try:
        session = await backends.gateway.create_payment_session(
            offer.price_now,
            offer.name,
            reference.to_metadata(),
            customer_id,
            success,
            cancel,
            idempotency_key=gateway_key(viewer, f"add-on-{subservice_id}-{offer.id}", idempotency_key),
            client_reference_id=viewer.subscriber_id,
        )
    except Rejected as exc:
        raise _conflict(exc) or exc from None
    return _started(session)


async def start_card_setup(
    backends: Backends,
    settings: Settings,
    viewer: Viewer,
    *,
    idempotency_key: str,
    return_url: str | None,
    cancel_url: str | None,
) -> CheckoutStart:
    """A hosted page (setup mode) that saves a card for later payments; nothing is charged."""
    _require_settings(settings)
    success, cancel = _urls(settings, "card", {}, "/payment-methods", return_url, cancel_url)
    customer_id, currency = await ensure_customer(backends, viewer)
    try:
        session = await backends.gateway.create_setup_session(
            customer_id,
            currency,
            success,
            cancel,
            _reference(viewer, PaymentKind.SETUP),
            idempotency_key=gateway_key(viewer, "setup", idempotency_key),
        )
    except Rejected as exc:
        raise _conflict(exc) or exc from None
    return _started(session)


# ---- several invoices in one checkout ----------------------------------------------------------------------

MAX_DESCRIPTION = 200  # the hosted page's product name (Stripe allows 250)


def _chosen_ids(invoice_ids: list[str] | None, all_overdue: bool) -> list[str] | None:
    """The ids asked for, in order (None: "all overdue"); refusals for a selection that cannot be paid."""
    if all_overdue and invoice_ids:
        raise PaymentError(
            "SELECTION_INVALID", "Choose invoices or all overdue invoices, not both.", "invoiceIds"
        )
    if all_overdue:
        return None
    if not invoice_ids:
        raise PaymentError("NO_INVOICES", "Choose at least one invoice to pay.", "invoiceIds")
    if len(invoice_ids) > MAX_INVOICES_PER_CHECKOUT:
        raise PaymentError(
            "TOO_MANY_INVOICES",
            f"At most {MAX_INVOICES_PER_CHECKOUT} invoices can be paid at once.",
            "invoiceIds",
        )
    if len(set(invoice_ids)) != len(invoice_ids):
        raise PaymentError("DUPLICATE_INVOICE", "The same invoice was chosen twice.", "invoiceIds")
    return invoice_ids


async def payable_invoices(
    backends: Backends, viewer: Viewer, invoice_ids: list[str] | None, all_overdue: bool
) -> list[Invoice]:
    """The invoices a multi-invoice checkout pays, in the order chosen (oldest first for "all overdue"), each
    one the viewer may see and with a balance, all in one currency; or the refusal. Nothing is half-checked:
    every invoice is read (in one call) before anything is opened."""
    chosen = _chosen_ids(invoice_ids, all_overdue)
    if chosen is None:
        found = await backends.billing.invoices_for_subscribers([viewer.subscriber_id], status="OVERDUE")
        invoices = [
            i
            for i in reversed(found.get(viewer.subscriber_id, []))
            if viewer.can_see_invoice(i.subscriber_id, i.subservice_id) and i.balance.amount > 0
        ]
        if not invoices:
            raise PaymentError("NO_INVOICES", "Nothing is overdue.", "allOverdue")
        if len(invoices) > MAX_INVOICES_PER_CHECKOUT:
            raise PaymentError(
                "TOO_MANY_INVOICES",
                f"{len(invoices)} invoices are overdue; at most {MAX_INVOICES_PER_CHECKOUT} can be paid at"
                " once: choose them.",
                "allOverdue",
            )
    else:
        records = await backends.billing.invoices([i for i in chosen if carriable_invoice_id(i)])
        invoices = []
        for invoice_id in chosen:
            invoice = records.get(invoice_id)
            # A foreign invoice, one of another site and a missing one look the same.
            if invoice is None or not viewer.can_see_invoice(invoice.subscriber_id, invoice.subservice_id):
                raise PaymentError("NOT_FOUND", "No such invoice.", "invoiceIds")
            invoices.append(invoice)
        for invoice in invoices:
            if invoice.status == "VOID":
                raise PaymentError("INVOICE_VOID", f"Invoice {invoice.number} was cancelled.", "invoiceIds")
            if invoice.status == "PAID" or invoice.balance.amount <= 0:
                raise PaymentError("ALREADY_PAID", f"Invoice {invoice.number} is already paid.", "invoiceIds")
    if len({i.balance.currency for i in invoices}) > 1:
        raise PaymentError(
            "MIXED_CURRENCIES",
            "These invoices are in different currencies: pay each currency's invoices separately.",
            "invoiceIds",
        )
    return invoices


def _description(invoices: list[Invoice]) -> str:
    listed = "Invoices " + ", ".join(i.number for i in invoices)
    return listed if len(listed) <= MAX_DESCRIPTION else f"{len(invoices)} invoices"


async def start_invoices_payment(
    backends: Backends,
    settings: Settings,
    viewer: Viewer,
    invoice_ids: list[str] | None,
    *,
    all_overdue: bool = False,
    idempotency_key: str,
    return_url: str | None,
    cancel_url: str | None,
) -> CheckoutStart:
    """One hosted page that pays the sum of several invoices' balances (or of every overdue one); the
    reference names each invoice with its share, which settlement records against it."""
    _require_settings(settings)
    invoices = await payable_invoices(backends, viewer, invoice_ids, all_overdue)
    success, cancel = _urls(
        settings, "invoices", {"count": str(len(invoices))}, "/invoices?cancelled=1", return_url, cancel_url
    )
    currency = invoices[0].balance.currency
    total = Money(sum((i.balance.amount for i in invoices), Decimal(0)), currency)
    reference = PaymentReference(
        kind=PaymentKind.INVOICES,
        subscriber_id=viewer.subscriber_id,
        invoice_shares=tuple(InvoiceShare(invoice_id=i.id, amount=i.balance.amount) for i in invoices),
    )
    customer_id, _currency = await ensure_customer(backends, viewer)
    try:
        session = await backends.gateway.create_payment_session(
            total,
            _description(invoices),
            reference.to_metadata(),
            customer_id,
            success,
            cancel,
            # One purpose for every selection: the same key sent with another selection is a conflict.
            idempotency_key=gateway_key(viewer, "invoices", idempotency_key),
            client_reference_id=viewer.subscriber_id,
        )
    except Rejected as exc:
        raise _conflict(exc) or exc from None
    started = _started(session)
    return CheckoutStart(started.checkout_url, started.session_id, tuple(i.id for i in invoices))
