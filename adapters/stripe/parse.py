"""Stripe objects (JSON) → the gateway port's DTOs. Anything missing or mistyped is a ContractViolation."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.errors import ContractViolation
from adapters.ports.gateway import (
    CHECKOUT_MODES,
    PAYMENT_INTENT_STATUSES,
    SESSION_PAYMENT_STATUSES,
    SESSION_STATUSES,
    SETUP_INTENT_STATUSES,
    CheckoutSession,
    Customer,
    GatewayEvent,
    PaymentIntent,
    PaymentMethodInfo,
    SetupIntent,
)
from adapters.stripe.amounts import BACKEND, from_minor
from adapters.wispgate.wire import Fields


def fields(raw: object, where: str, object_type: str | None = None) -> Fields:
    body = Fields(BACKEND, raw, where)
    if object_type is not None and body.raw.get("object") != object_type:
        raise ContractViolation(BACKEND, f"{where}: expected a {object_type} object")
    return body


def _time(body: Fields, key: str) -> datetime:
    return datetime.fromtimestamp(body.integer(key), UTC)


def _metadata(body: Fields, key: str = "metadata") -> dict[str, str]:
    value = body.raw.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ContractViolation(BACKEND, f"{body.where}.{key}: expected a map of strings")
    return {str(k): v for k, v in value.items()}


def _ref(body: Fields, key: str) -> str | None:
    """An expandable field: an id, the object itself (when expanded), or null."""
    value = body.raw.get(key)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return str(value["id"])
    raise ContractViolation(BACKEND, f"{body.where}.{key}: expected an id or an object")


def customer(raw: object, where: str = "customer") -> Customer:
    body = fields(raw, where, "customer")
    return Customer(
        id=body.text("id"),
        email=body.opt_text("email"),
        name=body.opt_text("name"),
        subscriber_id=_metadata(body).get("subscriber_id"),
        created=_time(body, "created"),
    )


def payment_method(raw: object, where: str = "payment_method") -> PaymentMethodInfo:
    body = fields(raw, where, "payment_method")
    card = body.obj("card")
    return PaymentMethodInfo(
        id=body.text("id"),
        customer_id=_ref(body, "customer"),
        brand=card.text("brand"),
        last4=card.text("last4"),
        exp_month=card.integer("exp_month"),
        exp_year=card.integer("exp_year"),
    )


def _failure(body: Fields, key: str) -> tuple[str | None, str | None]:
    error = body.opt_obj(key)
    if error is None:
        return None, None
    return error.opt_text("decline_code") or error.opt_text("code"), error.opt_text("message")


def payment_intent(raw: object, where: str = "payment_intent") -> PaymentIntent:
    body = fields(raw, where, "payment_intent")
    code, message = _failure(body, "last_payment_error")
    return PaymentIntent(
        id=body.text("id"),
        status=body.enum("status", PAYMENT_INTENT_STATUSES),
        amount=from_minor(body.integer("amount"), body.text("currency")),
        customer_id=_ref(body, "customer"),
        payment_method_id=_ref(body, "payment_method"),
        metadata=_metadata(body),
        failure_code=code,
        failure_message=message,
        created=_time(body, "created"),
    )


def setup_intent(raw: object, where: str = "setup_intent") -> SetupIntent:
    body = fields(raw, where, "setup_intent")
    code, _message = _failure(body, "last_setup_error")
    return SetupIntent(
        id=body.text("id"),
        status=body.enum("status", SETUP_INTENT_STATUSES),
        customer_id=_ref(body, "customer"),
        payment_method_id=_ref(body, "payment_method"),
        metadata=_metadata(body),
        failure_code=code,
        created=_time(body, "created"),
    )


def checkout_session(raw: object, where: str = "checkout_session") -> CheckoutSession:
    body = fields(raw, where, "checkout.session")
    currency = body.opt_text("currency")
    total = body.opt_integer("amount_total")
    mode = body.enum("mode", CHECKOUT_MODES)
    # The card is known through the session's intent, when it was expanded (see HttpStripeGateway).
    method_id: str | None = None
    for key in ("payment_intent", "setup_intent"):
        intent = body.raw.get(key)
        if isinstance(intent, dict):
            method_id = _ref(Fields(BACKEND, intent, f"{where}.{key}"), "payment_method") or method_id
    return CheckoutSession(
        id=body.text("id"),
        mode=mode,
        status=body.enum("status", SESSION_STATUSES),
        payment_status=body.enum("payment_status", SESSION_PAYMENT_STATUSES),
        url=body.opt_text("url"),
        amount=from_minor(total, currency) if total is not None and currency and mode == "payment" else None,
        currency=currency.upper() if currency else None,
        customer_id=_ref(body, "customer"),
        client_reference_id=body.opt_text("client_reference_id"),
        reference=_metadata(body),
        payment_intent_id=_ref(body, "payment_intent"),
        setup_intent_id=_ref(body, "setup_intent"),
        payment_method_id=method_id,
        created=_time(body, "created"),
        expires_at=_time(body, "expires_at"),
    )


def event(raw: object, where: str = "event") -> GatewayEvent:
    body = fields(raw, where, "event")
    obj = body.obj("data").obj("object")
    kind = obj.text("object")
    inner = f"{where}.data.object"
    return GatewayEvent(
        id=body.text("id"),
        type=body.text("type"),
        created=_time(body, "created"),
        object_type=kind,
        object_id=obj.opt_text("id"),
        checkout_session=checkout_session(obj.raw, inner) if kind == "checkout.session" else None,
        payment_intent=payment_intent(obj.raw, inner) if kind == "payment_intent" else None,
        setup_intent=setup_intent(obj.raw, inner) if kind == "setup_intent" else None,
        payment_method=payment_method(obj.raw, inner) if kind == "payment_method" else None,
        customer=customer(obj.raw, inner) if kind == "customer" else None,
        data=obj.raw,
    )
