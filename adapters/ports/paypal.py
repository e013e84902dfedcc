"""The PayPal port: a second payment gateway beside the card gateway (`adapters.ports.gateway`), with PayPal's
own flow — an order the subscriber approves on PayPal's page, captured by us afterwards — and PayPal's own
webhooks, verified by asking PayPal (`verify_webhook`).

PayPal has no customers, saved cards or off-session charges in this flow: invoices and wallet top-ups only.
What a payment is for travels in the order's `custom_id` (`custom_id_of` / `reference_of`), PayPal's
127-character field that comes back on the capture and in its webhooks.

The one implementation is `adapters.paypal.client.HttpPayPal`; the sandbox's emulator speaks the same API.
"""

from __future__ import annotations

from typing import Literal, Protocol

from msgspec import Struct

from adapters.ports.gateway import InvalidPaymentReference, PaymentKind, PaymentOrigin, PaymentReference
from adapters.ports.moment import Moment
from adapters.ports.money import Money

# PayPal's order statuses (Orders v2) and capture statuses (Payments v2).
OrderStatus = Literal["CREATED", "SAVED", "APPROVED", "VOIDED", "COMPLETED", "PAYER_ACTION_REQUIRED"]
CaptureStatus = Literal["COMPLETED", "DECLINED", "PARTIALLY_REFUNDED", "PENDING", "REFUNDED", "FAILED"]

CUSTOM_ID_MAX = 127  # PayPal's limit on purchase_units[].custom_id
_CUSTOM_PREFIX = "wg1"
_SEP = "|"


class PayPalCapture(Struct, frozen=True, kw_only=True, gc=False):
    """A capture: the money actually taken. Its id is the payment's reference in Billing."""

    id: str
    status: CaptureStatus
    amount: Money
    custom_id: str | None = None
    order_id: str | None = None  # supplementary_data.related_ids.order_id (webhooks carry it)
    created: Moment | None = None


class PayPalOrder(Struct, frozen=True, kw_only=True, gc=False):
    id: str
    status: OrderStatus
    approve_url: str | None = None  # the link (rel "payer-action" or "approve") the payer is sent to
    amount: Money | None = None
    custom_id: str | None = None
    capture: PayPalCapture | None = None  # the first purchase unit's capture, once captured


class WebhookHeaders(Struct, frozen=True, kw_only=True):
    """PayPal's transmission headers, passed on to `verify-webhook-signature` as they came."""

    transmission_id: str
    transmission_time: str
    transmission_sig: str
    cert_url: str
    auth_algo: str


PAYPAL_EVENT_TYPES = ("CHECKOUT.ORDER.APPROVED", "PAYMENT.CAPTURE.COMPLETED", "PAYMENT.CAPTURE.DENIED")


class PayPalEvent(Struct, frozen=True, kw_only=True, gc=False):
    """A verified webhook event; `order` is set for CHECKOUT.ORDER.*, `capture` for PAYMENT.CAPTURE.*."""

    id: str  # WH-…
    event_type: str
    created: Moment
    resource_type: str
    order: PayPalOrder | None = None
    capture: PayPalCapture | None = None


class PayPalPort(Protocol):
    """Creating and capturing calls take a request id (`PayPal-Request-Id`): the same id returns the first
    result. Unknown orders raise NotFound; PayPal's business refusals raise Rejected with the error's
    `issue` (ORDER_ALREADY_CAPTURED, INSTRUMENT_DECLINED, …) as the code."""

    async def create_order(
        self,
        amount: Money,
        description: str,
        custom_id: str,
        return_url: str,
        cancel_url: str,
        request_id: str,
    ) -> PayPalOrder: ...

    async def order(self, order_id: str) -> PayPalOrder: ...

    async def capture(self, order_id: str, request_id: str) -> PayPalOrder: ...

    async def verify_webhook(self, headers: WebhookHeaders, body: bytes, webhook_id: str) -> PayPalEvent:
        """The event in `body` once PayPal answered `verification_status: SUCCESS`; WebhookNotVerified
        otherwise (ContractViolation: a body that is not an event)."""
        ...


class WebhookNotVerified(Exception):
    """PayPal did not confirm the webhook (FAILURE, or the headers are not PayPal's)."""


def custom_id_of(reference: PaymentReference) -> str:
    """`wg1|invoice|SUB-1|INV-9|portal`: the reference in PayPal's custom_id (bounded, no metadata map)."""
    if reference.kind not in (PaymentKind.INVOICE, PaymentKind.TOPUP):
        raise InvalidPaymentReference("PayPal pays invoices and wallet top-ups only")
    parts = (
        _CUSTOM_PREFIX,
        reference.kind.value,
        reference.subscriber_id,
        reference.invoice_id or "",
        reference.origin.value,
    )
    if any(_SEP in part for part in parts):
        raise InvalidPaymentReference("a reference part holds the separator")
    value = _SEP.join(parts)
    if len(value) > CUSTOM_ID_MAX:
        raise InvalidPaymentReference("the reference does not fit PayPal's custom_id")
    return value


def reference_of(custom_id: str | None) -> PaymentReference | None:
    """The reference in a custom_id; None when it is not ours (an order somebody else created on the account);
    InvalidPaymentReference when it is ours but does not hold together."""
    if not custom_id or not custom_id.startswith(_CUSTOM_PREFIX + _SEP):
        return None
    parts = custom_id.split(_SEP)
    if len(parts) != 5:
        raise InvalidPaymentReference("a PayPal custom_id of the wrong shape")
    _, kind, subscriber_id, invoice_id, origin = parts
    if kind not in (PaymentKind.INVOICE.value, PaymentKind.TOPUP.value):
        raise InvalidPaymentReference(f"a PayPal payment of kind {kind[:20]!r}")
    if origin not in {o.value for o in PaymentOrigin}:
        raise InvalidPaymentReference(f"a PayPal payment of origin {origin[:20]!r}")
    return PaymentReference(
        kind=PaymentKind(kind),
        subscriber_id=subscriber_id,
        invoice_id=invoice_id or None,
        origin=PaymentOrigin(origin),
    )
