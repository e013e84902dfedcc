"""The payment gateway port: what the BFF needs from a card processor — a customer per subscriber, hosted
checkout pages to pay an amount or save a card, off-session charges on a saved card, the saved cards
themselves (brand, last four, expiry: never more), and the events the gateway reports.

The shapes follow Stripe's (Checkout Sessions, PaymentIntents, SetupIntents), the one implementation being
`adapters.stripe.gateway.HttpStripeGateway`. Amounts are `Money` (exact Decimal); adapters convert to and
from the gateway's integer minor units with the currency's exponent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from adapters.errors import Rejected
from adapters.ports.money import Money

CHECKOUT_MODES = ("payment", "setup")
SESSION_STATUSES = ("open", "complete", "expired")
SESSION_PAYMENT_STATUSES = ("unpaid", "paid", "no_payment_required")
PAYMENT_INTENT_STATUSES = (
    "requires_payment_method",
    "requires_confirmation",
    "requires_action",
    "processing",
    "requires_capture",
    "canceled",
    "succeeded",
)
SETUP_INTENT_STATUSES = (
    "requires_payment_method",
    "requires_confirmation",
    "requires_action",
    "processing",
    "canceled",
    "succeeded",
)


@dataclass(frozen=True, slots=True)
class Customer:
    id: str
    email: str | None
    name: str | None
    subscriber_id: str | None  # from the customer's metadata, set by `create_customer`
    created: datetime


@dataclass(frozen=True, slots=True)
class PaymentMethodInfo:
    """A saved card as the portal may show it. `id` is the gateway token used to charge or remove it and
    `customer_id` says whose it is (check it before acting on a token a client sent); nothing else about
    the card ever leaves the gateway."""

    id: str
    customer_id: str | None
    brand: str  # visa, mastercard, amex, discover, …
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True, slots=True)
class CheckoutSession:
    id: str
    mode: str  # one of CHECKOUT_MODES
    status: str  # one of SESSION_STATUSES
    payment_status: str  # one of SESSION_PAYMENT_STATUSES
    url: str | None  # the hosted page; None once the session is complete or expired
    amount: Money | None  # the total in payment mode; None in setup mode
    currency: str | None  # upper-case ISO 4217; may be None in setup mode
    customer_id: str | None
    client_reference_id: str | None
    reference: Mapping[str, str]  # the session's metadata, as given at creation
    payment_intent_id: str | None  # created when the shopper first submits a card
    setup_intent_id: str | None
    payment_method_id: str | None  # known when the session's intent is read with it (see checkout_session)
    created: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class PaymentIntent:
    id: str
    status: str  # one of PAYMENT_INTENT_STATUSES
    amount: Money
    customer_id: str | None
    payment_method_id: str | None
    metadata: Mapping[str, str]
    failure_code: str | None  # the last attempt's decline code (or error code), if it failed
    failure_message: str | None
    created: datetime


@dataclass(frozen=True, slots=True)
class SetupIntent:
    id: str
    status: str  # one of SETUP_INTENT_STATUSES
    customer_id: str | None
    payment_method_id: str | None
    metadata: Mapping[str, str]
    failure_code: str | None
    created: datetime


@dataclass(frozen=True, slots=True)
class GatewayEvent:
    """One gateway event. The object it carries is parsed into the matching DTO when it is one the port
    knows (exactly one of the typed fields is then set); `data` keeps the raw object for anything else."""

    id: str
    type: str  # e.g. "checkout.session.completed", "payment_intent.succeeded"
    created: datetime
    object_type: str  # e.g. "checkout.session"
    object_id: str | None
    checkout_session: CheckoutSession | None = None
    payment_intent: PaymentIntent | None = None
    setup_intent: SetupIntent | None = None
    payment_method: PaymentMethodInfo | None = None
    customer: Customer | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


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
    ) -> CheckoutSession:
        """A hosted page that charges `amount` once. `client_reference_id` (our subscriber id) is what an
        operator searches by in the gateway's dashboard. `reference` (e.g. {"kind": "invoice", "invoice_id":
        …}) comes back on the session and on its PaymentIntent, so webhooks can be matched. The
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
