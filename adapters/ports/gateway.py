"""The payment gateway port: what the BFF needs from a card processor — a customer per subscriber, hosted
checkout pages to pay an amount or save a card, off-session charges on a saved card, the saved cards
themselves (brand, last four, expiry: never more), and the events the gateway reports.

The shapes follow Stripe's (Checkout Sessions, PaymentIntents, SetupIntents), the one implementation being
`adapters.stripe.gateway.HttpStripeGateway`. Amounts are `Money` (exact Decimal); adapters convert to and
from the gateway's integer minor units with the currency's exponent.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, Literal, Protocol, get_args

import msgspec
from msgspec import Struct

from adapters.errors import Rejected
from adapters.ports.moment import Moment
from adapters.ports.money import Money

CheckoutMode = Literal["payment", "setup"]
SessionStatus = Literal["open", "complete", "expired"]
SessionPaymentStatus = Literal["unpaid", "paid", "no_payment_required"]
PaymentIntentStatus = Literal[
    "requires_payment_method",
    "requires_confirmation",
    "requires_action",
    "processing",
    "requires_capture",
    "canceled",
    "succeeded",
]
SetupIntentStatus = Literal[
    "requires_payment_method",
    "requires_confirmation",
    "requires_action",
    "processing",
    "canceled",
    "succeeded",
]

CHECKOUT_MODES: tuple[CheckoutMode, ...] = get_args(CheckoutMode)
SESSION_STATUSES: tuple[SessionStatus, ...] = get_args(SessionStatus)
SESSION_PAYMENT_STATUSES: tuple[SessionPaymentStatus, ...] = get_args(SessionPaymentStatus)
PAYMENT_INTENT_STATUSES: tuple[PaymentIntentStatus, ...] = get_args(PaymentIntentStatus)
SETUP_INTENT_STATUSES: tuple[SetupIntentStatus, ...] = get_args(SetupIntentStatus)


# ---- what a payment was for -----------------------------------------------------------------------------


class PaymentKind(Enum):
    INVOICE = "invoice"  # pays one invoice's balance
    TOPUP = "topup"  # pays into the wallet
    SETUP = "setup"  # saves a card; nothing is charged
    ADD_ON = "add_on"  # buys an add-on (or a data top-up) for one sub-service
    INVOICES = "invoices"  # pays several invoices' balances in one checkout (`invoice_shares`)


class PaymentOrigin(Enum):
    PORTAL = "portal"  # the subscriber started it on a hosted page
    AUTOPAY = "autopay"  # Billing's run charged a saved card off-session


class InvalidPaymentReference(ValueError):
    """Metadata that names a portal payment but does not hold together (an invoice payment without an
    invoice, an unknown kind or origin, no subscriber). Settlement refuses such an event."""


# A checkout of several invoices names each one with its share; Stripe keeps at most 50 metadata keys of at most
# 500 characters each, so the list is written in chunks of whole entries (`inv_1:29.99,inv_2:12.00`).
MAX_INVOICES_PER_CHECKOUT = 50
MAX_INVOICE_ID = 64  # longer ids are refused before a checkout is opened (they could not be carried)
METADATA_VALUE_MAX = 500
METADATA_KEYS_MAX = 50


def carriable_invoice_id(invoice_id: str) -> bool:
    """Whether an invoice id can be written in a multi-invoice reference (`_share_chunks`)."""
    return 0 < len(invoice_id) <= MAX_INVOICE_ID and "," not in invoice_id and ":" not in invoice_id


class InvoiceShare(Struct, frozen=True, kw_only=True):
    """One invoice of a multi-invoice payment and the part of the amount it was opened for (its balance then)."""

    invoice_id: str
    amount: Decimal


class PaymentReference(Struct, frozen=True, kw_only=True):
    """What a gateway payment was for, carried in the session's and the intent's metadata so the webhook
    can find it again. `to_metadata` / `from_metadata` are the one place that knows the metadata's keys;
    Billing's autopay writes the same keys for the charges it starts."""

    kind: PaymentKind
    subscriber_id: str
    invoice_id: str | None = None
    origin: PaymentOrigin = PaymentOrigin.PORTAL
    subservice_id: str | None = None  # ADD_ON: the sub-service it is for
    add_on_id: str | None = None  # ADD_ON: the catalogue's add-on
    # INVOICE: the card paid with becomes the account's default (the one step after a declined autopay
    # charge: "update card and pay"); the session asks the gateway to keep it for off-session charges.
    save_card: bool = False
    invoice_shares: tuple[InvoiceShare, ...] = ()  # INVOICES: each invoice and its share, in the order paid

    def __post_init__(self) -> None:
        if not self.subscriber_id:
            raise InvalidPaymentReference("a payment reference without a subscriber")
        if self.kind is PaymentKind.INVOICE and not self.invoice_id:
            raise InvalidPaymentReference("an invoice payment without an invoice reference")
        if self.kind is PaymentKind.ADD_ON and not (self.subservice_id and self.add_on_id):
            raise InvalidPaymentReference("an add-on payment without its sub-service and add-on")
        if self.kind is PaymentKind.INVOICES:
            ids = [share.invoice_id for share in self.invoice_shares]
            if not ids or len(ids) > MAX_INVOICES_PER_CHECKOUT or len(set(ids)) != len(ids):
                raise InvalidPaymentReference("a multi-invoice payment without a valid list of invoices")
            if not all(carriable_invoice_id(i) for i in ids) or any(
                not s.amount.is_finite() or s.amount <= 0 for s in self.invoice_shares
            ):
                raise InvalidPaymentReference("a multi-invoice payment with a malformed invoice share")
        elif self.invoice_shares:
            raise InvalidPaymentReference("invoice shares on a payment that is not for several invoices")

    def to_metadata(self) -> dict[str, str]:
        metadata = {
            _KIND: self.kind.value,
            _SUBSCRIBER: self.subscriber_id,
            _ORIGIN: self.origin.value,
        }
        if self.invoice_id is not None:
            metadata[_INVOICE] = self.invoice_id
        if self.subservice_id is not None:
            metadata[_SUBSERVICE] = self.subservice_id
        if self.add_on_id is not None:
            metadata[_ADD_ON] = self.add_on_id
        if self.save_card:
            metadata[_SAVE_CARD] = "1"
        if self.invoice_shares:
            chunks = _share_chunks(self.invoice_shares)
            metadata[_SHARE_COUNT] = str(len(self.invoice_shares))
            metadata.update({f"{_SHARES}{n}": chunk for n, chunk in enumerate(chunks)})
            if len(metadata) > METADATA_KEYS_MAX:  # cannot happen within the bounds above; never send it
                raise InvalidPaymentReference("the invoice list does not fit the gateway's metadata")
        return metadata

    @classmethod
    def from_metadata(cls, metadata: Mapping[str, str]) -> PaymentReference | None:
        """The reference in a gateway object's metadata; None when the metadata is not ours (no `wg_kind`:
        a payment somebody else started on the same account). InvalidPaymentReference when it is ours but
        does not hold together."""
        kind = metadata.get(_KIND)
        if kind is None:
            return None
        origin = metadata.get(_ORIGIN, PaymentOrigin.PORTAL.value)
        if kind not in _KINDS:
            raise InvalidPaymentReference(f"a payment reference of unknown kind {kind[:40]!r}")
        if origin not in _ORIGINS:
            raise InvalidPaymentReference(f"a payment reference of unknown origin {origin[:40]!r}")
        return cls(
            kind=PaymentKind(kind),
            subscriber_id=metadata.get(_SUBSCRIBER, ""),
            invoice_id=metadata.get(_INVOICE) or None,
            origin=PaymentOrigin(origin),
            subservice_id=metadata.get(_SUBSERVICE) or None,
            add_on_id=metadata.get(_ADD_ON) or None,
            save_card=metadata.get(_SAVE_CARD) == "1",
            invoice_shares=_shares_of(metadata) if kind == PaymentKind.INVOICES.value else (),
        )


_KIND, _SUBSCRIBER, _INVOICE, _ORIGIN = "wg_kind", "wg_subscriber_id", "wg_invoice_id", "wg_origin"
_SUBSERVICE, _ADD_ON, _SAVE_CARD = "wg_subservice_id", "wg_add_on_id", "wg_save_card"
_SHARES, _SHARE_COUNT = "wg_invoices_", "wg_invoice_count"
_KINDS = frozenset(k.value for k in PaymentKind)
_ORIGINS = frozenset(o.value for o in PaymentOrigin)


def _share_chunks(shares: tuple[InvoiceShare, ...]) -> list[str]:
    """`id:amount` entries joined by commas, as few values of at most 500 characters as they fit in."""
    chunks: list[str] = []
    current = ""
    for share in shares:
        entry = f"{share.invoice_id}:{share.amount}"
        joined = f"{current},{entry}" if current else entry
        if len(joined) > METADATA_VALUE_MAX:
            chunks.append(current)
            joined = entry
        current = joined
    return [*chunks, current]


def _shares_of(metadata: Mapping[str, str]) -> tuple[InvoiceShare, ...]:
    """The shares written by `_share_chunks`; InvalidPaymentReference when a chunk is missing or malformed
    (the count written beside them must match, so a lost chunk is never taken for a shorter list)."""
    entries: list[str] = []
    for n in range(METADATA_KEYS_MAX):
        chunk = metadata.get(f"{_SHARES}{n}")
        if chunk is None:
            break
        entries.extend(chunk.split(","))
    try:
        count = int(metadata.get(_SHARE_COUNT, ""))
        shares = []
        for entry in entries:
            invoice_id, _, amount = entry.partition(":")
            shares.append(InvoiceShare(invoice_id=invoice_id, amount=Decimal(amount)))
    except (ValueError, InvalidOperation):
        raise InvalidPaymentReference("a multi-invoice payment with a malformed invoice list") from None
    if count != len(shares):
        raise InvalidPaymentReference("a multi-invoice payment whose invoice list is incomplete")
    return tuple(shares)


# ---- the gateway's objects ------------------------------------------------------------------------------


class Customer(Struct, frozen=True, kw_only=True, gc=False):
    id: str
    email: str | None = None
    name: str | None = None
    subscriber_id: str | None = None  # from the customer's metadata, set by `create_customer`
    created: Moment


class PaymentMethodInfo(Struct, frozen=True, kw_only=True, gc=False):
    """A saved card as the portal may show it. `id` is the gateway token used to charge or remove it and
    `customer_id` says whose it is (check it before acting on a token a client sent); nothing else about
    the card ever leaves the gateway."""

    id: str
    customer_id: str | None = None
    brand: str  # visa, mastercard, amex, discover, …
    last4: str
    exp_month: int
    exp_year: int


class CheckoutSession(Struct, frozen=True, kw_only=True, gc=False):
    id: str
    mode: CheckoutMode
    status: SessionStatus
    payment_status: SessionPaymentStatus
    url: str | None = None  # the hosted page; None once the session is complete or expired
    amount: Money | None = None  # the total in payment mode; None in setup mode
    currency: str | None = None  # upper-case ISO 4217; may be None in setup mode
    customer_id: str | None = None
    client_reference_id: str | None = None
    reference: Mapping[str, str]  # the session's metadata, as given at creation
    payment_intent_id: str | None = None  # created when the shopper first submits a card
    setup_intent_id: str | None = None
    payment_method_id: str | None = None  # known when the session's intent is read with it
    created: Moment
    expires_at: Moment

    @property
    def payment_reference(self) -> PaymentReference | None:
        """What the session pays for (see `PaymentReference.from_metadata`)."""
        return PaymentReference.from_metadata(self.reference)


class PaymentIntent(Struct, frozen=True, kw_only=True, gc=False):
    id: str
    status: PaymentIntentStatus
    amount: Money
    customer_id: str | None = None
    payment_method_id: str | None = None
    metadata: Mapping[str, str]
    failure_code: str | None = None  # the last attempt's decline code (or error code), if it failed
    failure_message: str | None = None
    created: Moment

    @property
    def payment_reference(self) -> PaymentReference | None:
        """What the payment is for (see `PaymentReference.from_metadata`)."""
        return PaymentReference.from_metadata(self.metadata)


class SetupIntent(Struct, frozen=True, kw_only=True, gc=False):
    id: str
    status: SetupIntentStatus
    customer_id: str | None = None
    payment_method_id: str | None = None
    metadata: Mapping[str, str]
    failure_code: str | None = None
    created: Moment

    @property
    def payment_reference(self) -> PaymentReference | None:
        """What the card is saved for (see `PaymentReference.from_metadata`)."""
        return PaymentReference.from_metadata(self.metadata)


class GatewayEventKind(Enum):
    """The gateway events the portal acts on; any other type parses with `kind=None` and is ignored."""

    CHECKOUT_COMPLETED = "checkout.session.completed"
    CHECKOUT_ASYNC_PAYMENT_SUCCEEDED = "checkout.session.async_payment_succeeded"
    CHECKOUT_ASYNC_PAYMENT_FAILED = "checkout.session.async_payment_failed"
    PAYMENT_SUCCEEDED = "payment_intent.succeeded"
    PAYMENT_FAILED = "payment_intent.payment_failed"
    SETUP_SUCCEEDED = "setup_intent.succeeded"

    @classmethod
    def of(cls, event_type: str) -> GatewayEventKind | None:
        try:
            return cls(event_type)
        except ValueError:
            return None


class GatewayEvent(Struct, frozen=True, kw_only=True, gc=False):
    """One gateway event. The object it carries is parsed into the matching DTO when it is one the port
    knows (exactly one of the typed fields is then set); `data` keeps the raw object for anything else."""

    id: str
    type: str  # e.g. "checkout.session.completed", "payment_intent.succeeded"
    kind: GatewayEventKind | None = None  # `type` when the portal handles it
    created: Moment
    object_type: str  # e.g. "checkout.session"
    object_id: str | None = None
    checkout_session: CheckoutSession | None = None
    payment_intent: PaymentIntent | None = None
    setup_intent: SetupIntent | None = None
    payment_method: PaymentMethodInfo | None = None
    customer: Customer | None = None
    data: Mapping[str, Any] = msgspec.field(default_factory=dict)


class CardDeclined(Rejected):
    """An off-session charge was declined. `code` is the decline code (`insufficient_funds`,
    `authentication_required`, …) or `card_declined`; the failed PaymentIntent's id is kept for records."""

    def __init__(self, backend: str, code: str, message: str, payment_intent_id: str | None) -> None:
        super().__init__(backend, code, message, status=402)
        self.payment_intent_id = payment_intent_id


class PaymentGatewayPort(Protocol):
    """Every creating call takes an idempotency key: the same key and arguments return the first result
    (a retried request never creates a second session or charges twice). Unknown ids raise NotFound."""

    async def create_customer(
        self, email: str | None, name: str | None, subscriber_id: str, idempotency_key: str
    ) -> Customer: ...

    async def customer(self, customer_id: str) -> Customer: ...

    async def create_payment_session(
        self,
        amount: Money,
        description: str,
        reference: Mapping[str, str],
        customer_id: str | None,
        success_url: str,
        cancel_url: str,
        idempotency_key: str,
        client_reference_id: str | None = None,
        save_card: bool = False,
    ) -> CheckoutSession:
        """A hosted page that charges `amount` once; with `save_card`, the card is kept at the gateway for
        off-session charges (Stripe's `setup_future_usage=off_session`; needs `customer_id`). `client_reference_id` (our subscriber id) is what an
        operator searches by in the gateway's dashboard. `reference` (a `PaymentReference.to_metadata()`) comes back
        on the session and on its PaymentIntent, so webhooks can be matched. The
        success URL may contain `{CHECKOUT_SESSION_ID}`."""
        ...

    async def create_setup_session(
        self,
        customer_id: str,
        currency: str,
        success_url: str,
        cancel_url: str,
        reference: Mapping[str, str],
        idempotency_key: str,
    ) -> CheckoutSession:
        """A hosted page that saves a card to the customer for later off-session charges."""
        ...

    async def checkout_session(self, session_id: str) -> CheckoutSession:
        """The session with `payment_method_id` filled in once a card was accepted."""
        ...

    async def charge_off_session(
        self,
        customer_id: str,
        payment_method_id: str,
        amount: Money,
        metadata: Mapping[str, str],
        idempotency_key: str,
    ) -> PaymentIntent:
        """Charge a saved card without the subscriber present; raises CardDeclined on a decline."""
        ...

    async def payment_methods(self, customer_id: str) -> list[PaymentMethodInfo]:
        """The customer's saved cards, newest first."""
        ...

    async def payment_method(self, payment_method_id: str) -> PaymentMethodInfo: ...

    async def detach_payment_method(self, payment_method_id: str) -> PaymentMethodInfo:
        """Remove a saved card from its customer; it can no longer be charged."""
        ...

    async def event(self, event_id: str) -> GatewayEvent:
        """Re-read an event from the gateway (e.g. to confirm a webhook's content)."""
        ...
