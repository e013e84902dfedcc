"""The payment gateway port: what the BFF needs from a card processor — a customer per subscriber, hosted
checkout pages to pay an amount or save a card, off-session charges on a saved card, the saved cards
themselves (brand, last four, expiry: never more), and the events the gateway reports.

The shapes follow Stripe's (Checkout Sessions, PaymentIntents, SetupIntents), the one implementation being
`adapters.stripe.gateway.HttpStripeGateway`. Amounts are `Money` (exact Decimal); adapters convert to and
from the gateway's integer minor units with the currency's exponent.
"""

from __future__ import annotations

from collections.abc import Mapping
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


class PaymentOrigin(Enum):
    PORTAL = "portal"  # the subscriber started it on a hosted page
    AUTOPAY = "autopay"  # Billing's run charged a saved card off-session


class InvalidPaymentReference(ValueError):
    """Metadata that names a portal payment but does not hold together (an invoice payment without an
    invoice, an unknown kind or origin, no subscriber). Settlement refuses such an event."""


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

    def __post_init__(self) -> None:
        if not self.subscriber_id:
            raise InvalidPaymentReference("a payment reference without a subscriber")
        if self.kind is PaymentKind.INVOICE and not self.invoice_id:
            raise InvalidPaymentReference("an invoice payment without an invoice reference")
        if self.kind is PaymentKind.ADD_ON and not (self.subservice_id and self.add_on_id):
            raise InvalidPaymentReference("an add-on payment without its sub-service and add-on")

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
        )


_KIND, _SUBSCRIBER, _INVOICE, _ORIGIN = "wg_kind", "wg_subscriber_id", "wg_invoice_id", "wg_origin"
_SUBSERVICE, _ADD_ON, _SAVE_CARD = "wg_subservice_id", "wg_add_on_id", "wg_save_card"
_KINDS = frozenset(k.value for k in PaymentKind)
_ORIGINS = frozenset(o.value for o in PaymentOrigin)


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
