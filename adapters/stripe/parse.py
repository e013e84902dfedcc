"""Stripe objects (JSON bytes) → the gateway port's records. Anything missing or mistyped is a ContractViolation.

Stripe's shapes are not the port's (an amount is an integer and a currency, a card sits in `card`, an
expandable field is an id or the object), so each answer is decoded in one pass into a private `_Wire…`
struct that mirrors Stripe's JSON (`adapters.decode`: msgspec, the same checks and errors as the core's
adapters), then mapped to the port's record. Fields the portal does not read are never decoded.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

import msgspec
from msgspec import Struct

from adapters.decode import decode
from adapters.errors import ContractViolation
from adapters.ports.gateway import (
    CheckoutMode,
    CheckoutSession,
    Customer,
    GatewayEvent,
    GatewayEventKind,
    PaymentIntent,
    PaymentIntentStatus,
    PaymentMethodInfo,
    SessionPaymentStatus,
    SessionStatus,
    SetupIntent,
    SetupIntentStatus,
)
from adapters.stripe.amounts import BACKEND, from_minor

T = TypeVar("T")
Metadata = dict[str, str] | None


class _Id(Struct, frozen=True):
    """An expanded object where only its id is read."""

    id: str


class _WireError(Struct, frozen=True):
    code: str | None = None
    decline_code: str | None = None
    message: str | None = None

    def failure_code(self) -> str | None:
        return self.decline_code or self.code


class _WireCustomer(Struct, frozen=True):
    object: Literal["customer"]
    id: str
    created: int
    email: str | None = None
    name: str | None = None
    metadata: Metadata = None


class _WireCard(Struct, frozen=True):
    brand: str
    last4: str
    exp_month: int
    exp_year: int


class _WirePaymentMethod(Struct, frozen=True):
    object: Literal["payment_method"]
    id: str
    card: _WireCard
    customer: str | _Id | None = None


class _WirePaymentMethodList(Struct, frozen=True):
    object: Literal["list"]
    data: list[_WirePaymentMethod]
    has_more: bool


class _WirePaymentIntent(Struct, frozen=True):
    object: Literal["payment_intent"]
    id: str
    status: PaymentIntentStatus
    amount: int
    currency: str
    created: int
    customer: str | _Id | None = None
    payment_method: str | _Id | None = None
    metadata: Metadata = None
    last_payment_error: _WireError | None = None


class _WireSetupIntent(Struct, frozen=True):
    object: Literal["setup_intent"]
    id: str
    status: SetupIntentStatus
    created: int
    customer: str | _Id | None = None
    payment_method: str | _Id | None = None
    metadata: Metadata = None
    last_setup_error: _WireError | None = None


class _ExpandedIntent(Struct, frozen=True):
    """A session's payment or setup intent when it was read expanded: its card is what was accepted."""

    id: str
    payment_method: str | _Id | None = None


class _WireCheckoutSession(Struct, frozen=True):
    object: Literal["checkout.session"]
    id: str
    mode: CheckoutMode
    status: SessionStatus
    payment_status: SessionPaymentStatus
    created: int
    expires_at: int
    url: str | None = None
    amount_total: int | None = None
    currency: str | None = None
    customer: str | _Id | None = None
    client_reference_id: str | None = None
    metadata: Metadata = None
    payment_intent: str | _ExpandedIntent | None = None
    setup_intent: str | _ExpandedIntent | None = None


class _WireEventData(Struct, frozen=True):
    object: dict[str, Any]


class _WireEvent(Struct, frozen=True):
    object: Literal["event"]
    id: str
    type: str
    created: int
    data: _WireEventData


def _time(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _ref(value: str | _Id | _ExpandedIntent | None) -> str | None:
    """An expandable field: an id, the object itself (when expanded), or null."""
    return value if value is None or isinstance(value, str) else value.id


def _customer(wire: _WireCustomer) -> Customer:
    return Customer(
        id=wire.id,
        email=wire.email,
        name=wire.name,
        subscriber_id=(wire.metadata or {}).get("subscriber_id"),
        created=_time(wire.created),
    )


def _payment_method(wire: _WirePaymentMethod) -> PaymentMethodInfo:
    card = wire.card
    return PaymentMethodInfo(
        id=wire.id,
        customer_id=_ref(wire.customer),
        brand=card.brand,
        last4=card.last4,
        exp_month=card.exp_month,
        exp_year=card.exp_year,
    )


def _payment_intent(wire: _WirePaymentIntent) -> PaymentIntent:
    error = wire.last_payment_error
    return PaymentIntent(
        id=wire.id,
        status=wire.status,
        amount=from_minor(wire.amount, wire.currency),
        customer_id=_ref(wire.customer),
        payment_method_id=_ref(wire.payment_method),
        metadata=wire.metadata or {},
        failure_code=error.failure_code() if error else None,
        failure_message=error.message if error else None,
        created=_time(wire.created),
    )


def _setup_intent(wire: _WireSetupIntent) -> SetupIntent:
    error = wire.last_setup_error
    return SetupIntent(
        id=wire.id,
        status=wire.status,
        customer_id=_ref(wire.customer),
        payment_method_id=_ref(wire.payment_method),
        metadata=wire.metadata or {},
        failure_code=error.failure_code() if error else None,
        created=_time(wire.created),
    )


def _checkout_session(wire: _WireCheckoutSession) -> CheckoutSession:
    total, currency = wire.amount_total, wire.currency
    # The card is known through the session's intent, when it was expanded (see HttpStripeGateway).
    method_id: str | None = None
    for intent in (wire.payment_intent, wire.setup_intent):
        if isinstance(intent, _ExpandedIntent):
            method_id = _ref(intent.payment_method) or method_id
    paid = total is not None and bool(currency) and wire.mode == "payment"
    return CheckoutSession(
        id=wire.id,
        mode=wire.mode,
        status=wire.status,
        payment_status=wire.payment_status,
        url=wire.url,
        amount=from_minor(total, currency or "") if paid and total is not None else None,
        currency=currency.upper() if currency else None,
        customer_id=_ref(wire.customer),
        client_reference_id=wire.client_reference_id,
        reference=wire.metadata or {},
        payment_intent_id=_ref(wire.payment_intent),
        setup_intent_id=_ref(wire.setup_intent),
        payment_method_id=method_id,
        created=_time(wire.created),
        expires_at=_time(wire.expires_at),
    )


def customer(body: bytes, where: str = "customer") -> Customer:
    return _customer(decode(BACKEND, body, _WireCustomer, where))


def payment_method(body: bytes, where: str = "payment_method") -> PaymentMethodInfo:
    return _payment_method(decode(BACKEND, body, _WirePaymentMethod, where))


def payment_method_page(body: bytes, where: str = "payment_methods") -> tuple[list[PaymentMethodInfo], bool]:
    """One page of a customer's cards, and whether another follows."""
    page = decode(BACKEND, body, _WirePaymentMethodList, where)
    return [_payment_method(m) for m in page.data], page.has_more


def payment_intent(body: bytes, where: str = "payment_intent") -> PaymentIntent:
    return _payment_intent(decode(BACKEND, body, _WirePaymentIntent, where))


def setup_intent(body: bytes, where: str = "setup_intent") -> SetupIntent:
    return _setup_intent(decode(BACKEND, body, _WireSetupIntent, where))


def checkout_session(body: bytes, where: str = "checkout_session") -> CheckoutSession:
    return _checkout_session(decode(BACKEND, body, _WireCheckoutSession, where))


# The objects an event may carry that the port has records for, by Stripe's `object` name.
_EVENT_OBJECTS: dict[str, tuple[type[Any], Callable[[Any], Any], str]] = {
    "checkout.session": (_WireCheckoutSession, _checkout_session, "checkout_session"),
    "payment_intent": (_WirePaymentIntent, _payment_intent, "payment_intent"),
    "setup_intent": (_WireSetupIntent, _setup_intent, "setup_intent"),
    "payment_method": (_WirePaymentMethod, _payment_method, "payment_method"),
    "customer": (_WireCustomer, _customer, "customer"),
}


def event(body: bytes, where: str = "event") -> GatewayEvent:
    wire = decode(BACKEND, body, _WireEvent, where)
    raw = wire.data.object
    kind, object_id = raw.get("object"), raw.get("id")
    if not isinstance(kind, str):
        raise ContractViolation(BACKEND, f"{where}: expected a string - at `$.data.object.object`")
    if object_id is not None and not isinstance(object_id, str):
        raise ContractViolation(BACKEND, f"{where}: expected a string - at `$.data.object.id`")
    typed: dict[str, Any] = {}
    known = _EVENT_OBJECTS.get(kind)
    if known is not None:
        wire_type, to_record, field = known
        try:
            typed[field] = to_record(msgspec.convert(raw, wire_type))
        except msgspec.ValidationError as exc:
            raise ContractViolation(BACKEND, f"{where}: {exc} (in data.object)") from None
    return GatewayEvent(
        id=wire.id,
        type=wire.type,
        kind=GatewayEventKind.of(wire.type),
        created=_time(wire.created),
        object_type=kind,
        object_id=object_id,
        data=raw,
        **typed,
    )
