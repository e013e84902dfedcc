"""PayPal's JSON → the PayPal port's records; anything missing or mistyped is a ContractViolation.

Each answer is decoded in one pass into private `_Wire…` structs that mirror PayPal's JSON (only the fields
the portal reads), then mapped to the port's records.
"""

from __future__ import annotations

from datetime import datetime

import msgspec
from msgspec import Struct

from adapters.decode import decode
from adapters.errors import ContractViolation
from adapters.paypal.amounts import BACKEND, from_value
from adapters.ports.paypal import CaptureStatus, OrderStatus, PayPalCapture, PayPalEvent, PayPalOrder

APPROVE_RELS = ("payer-action", "approve")  # payer-action with experience_context, approve without


class _WireAmount(Struct, frozen=True):
    currency_code: str
    value: str


class _WireLink(Struct, frozen=True):
    href: str
    rel: str
    method: str | None = None


class _WireRelated(Struct, frozen=True):
    order_id: str | None = None


class _WireSupplementary(Struct, frozen=True):
    related_ids: _WireRelated | None = None


class _WireCapture(Struct, frozen=True):
    id: str
    status: CaptureStatus
    amount: _WireAmount
    custom_id: str | None = None
    create_time: datetime | None = None
    supplementary_data: _WireSupplementary | None = None

    def record(self, order_id: str | None = None) -> PayPalCapture:
        related = self.supplementary_data.related_ids if self.supplementary_data else None
        return PayPalCapture(
            id=self.id,
            status=self.status,
            amount=from_value(self.amount.currency_code, self.amount.value),
            custom_id=self.custom_id,
            order_id=order_id or (related.order_id if related else None),
            created=self.create_time,
        )


class _WirePayments(Struct, frozen=True):
    captures: list[_WireCapture] = []


class _WireUnit(Struct, frozen=True):
    amount: _WireAmount | None = None
    custom_id: str | None = None
    payments: _WirePayments | None = None


class _WireOrder(Struct, frozen=True):
    id: str
    status: OrderStatus
    links: list[_WireLink] = []
    purchase_units: list[_WireUnit] = []

    def record(self) -> PayPalOrder:
        approve = next((link.href for link in self.links if link.rel in APPROVE_RELS), None)
        unit = self.purchase_units[0] if self.purchase_units else None
        captures = unit.payments.captures if unit is not None and unit.payments is not None else []
        return PayPalOrder(
            id=self.id,
            status=self.status,
            approve_url=approve,
            amount=from_value(unit.amount.currency_code, unit.amount.value) if unit and unit.amount else None,
            custom_id=unit.custom_id if unit else None,
            capture=captures[0].record(self.id) if captures else None,
        )


class _WireToken(Struct, frozen=True):
    access_token: str
    token_type: str
    expires_in: int


class _WireVerification(Struct, frozen=True):
    verification_status: str  # SUCCESS | FAILURE


class _WireEvent(Struct, frozen=True):
    id: str
    event_type: str
    create_time: datetime
    resource_type: str = ""
    resource: msgspec.Raw = msgspec.Raw(b"null")


def order(body: bytes, where: str = "order") -> PayPalOrder:
    return decode(BACKEND, body, _WireOrder, where).record()


def token(body: bytes) -> tuple[str, int]:
    """(access token, seconds it lives)."""
    wire = decode(BACKEND, body, _WireToken, "POST /v1/oauth2/token")
    if wire.token_type.lower() != "bearer" or not wire.access_token:
        raise ContractViolation(BACKEND, "the token is not a bearer token")
    return wire.access_token, wire.expires_in


def verified(body: bytes) -> bool:
    wire = decode(BACKEND, body, _WireVerification, "POST /v1/notifications/verify-webhook-signature")
    return wire.verification_status == "SUCCESS"


def event(body: bytes) -> PayPalEvent:
    """A webhook event; its resource parsed when it is an order or a capture of the types we handle."""
    wire = decode(BACKEND, body, _WireEvent, "webhook")
    order_record: PayPalOrder | None = None
    capture: PayPalCapture | None = None
    if wire.event_type.startswith("CHECKOUT.ORDER."):
        order_record = order(bytes(wire.resource), f"webhook {wire.event_type}")
    elif wire.event_type.startswith("PAYMENT.CAPTURE."):
        capture = decode(BACKEND, bytes(wire.resource), _WireCapture, f"webhook {wire.event_type}").record()
    return PayPalEvent(
        id=wire.id,
        event_type=wire.event_type,
        created=wire.create_time,
        resource_type=wire.resource_type,
        order=order_record,
        capture=capture,
    )
