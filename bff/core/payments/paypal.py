"""PayPal as a second gateway: an order the subscriber approves on PayPal's page, captured by us, then settled
by the very same `Settlement.settle` as a Stripe payment.

The seam is `GatewayPayment`: a completed PayPal capture becomes one (`payment_of`), its ref `paypal:<capture
id>`, so every keyed write of the settlement (`paypal:<capture id>:payment`, `…:notify`, …) is PayPal's own
and applies once, whichever of the three ways the capture reaches us first — the browser's return
(`complete`), the `CHECKOUT.ORDER.APPROVED` webhook (captured here with the same `PayPal-Request-Id`, so PayPal
answers the first capture again) or the `PAYMENT.CAPTURE.COMPLETED` webhook.

Invoices and wallet top-ups only: add-ons, saved cards and autopay stay Stripe's.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import urlencode

from adapters.errors import NotFound, Rejected, Unavailable
from adapters.ports.gateway import PaymentReference
from adapters.ports.money import Money
from adapters.ports.paypal import (
    PayPalCapture,
    PayPalEvent,
    PayPalOrder,
    PayPalPort,
    custom_id_of,
    reference_of,
)
from bff.core.backends import Backends
from bff.core.payments.paid import EventRejected, GatewayPayment
from bff.core.payments.settlement import Settlement
from bff.core.settings import Settings

log = logging.getLogger("wispgate.paypal")

RETURN_PATH = "/payments/paypal/return"
SESSION_PLACEHOLDER = "{CHECKOUT_SESSION_ID}"


def paypal_of(backends: Backends) -> PayPalPort:
    if backends.paypal is None:
        raise Unavailable("paypal", "GATEWAYS does not name paypal")
    return backends.paypal


def return_url(settings: Settings, success: str) -> str:
    """Where PayPal sends the browser after approval: the BFF's own return endpoint (it captures, then sends
    the browser on to `success`, the page a Stripe payment would return to)."""
    return f"{settings.portal_url}{RETURN_PATH}?{urlencode({'next': success})}"


def capture_request_id(order_id: str) -> str:
    """One PayPal-Request-Id per order: every capture attempt, from the return or a webhook, is the same
    request to PayPal, which answers the first capture again."""
    return f"wg-capture-{order_id}"


async def create_order(
    backends: Backends,
    settings: Settings,
    amount: Money,
    description: str,
    reference: Mapping[str, str],
    success: str,
    cancel: str,
    request_id: str,
) -> tuple[str, str]:
    """(approval URL, order id) of a new PayPal order for `amount`; `reference` (`PaymentReference`
    metadata) travels in its custom_id."""
    parsed = PaymentReference.from_metadata(reference)
    if parsed is None:
        raise ValueError("a PayPal order without a payment reference")
    order = await paypal_of(backends).create_order(
        amount, description, custom_id_of(parsed), return_url(settings, success), cancel, request_id
    )
    if not order.approve_url:
        raise Rejected("paypal", "no_approve_link", "PayPal's order has no approval link")
    return order.approve_url, order.id


def payment_of(capture: PayPalCapture) -> GatewayPayment:
    """The seam: a completed capture as the settlement's payment (InvalidPaymentReference when its custom_id
    is ours but broken)."""
    return GatewayPayment(
        ref=f"paypal:{capture.id}",
        amount=capture.amount,
        reference=reference_of(capture.custom_id),
        at=capture.created or datetime.now(UTC),
    )


class PayPalPayments:
    def __init__(self, settlement: Settlement, paypal: PayPalPort) -> None:
        self.settlement = settlement
        self.paypal = paypal

    async def capture(self, order_id: str) -> PayPalOrder:
        """Capture the approved order, or read the capture an earlier attempt made (ORDER_ALREADY_CAPTURED:
        an attempt with another request id, or PayPal's idempotency record expired). Rejected otherwise
        (INSTRUMENT_DECLINED: the payer must choose another funding source on PayPal's page)."""
        try:
            return await self.paypal.capture(order_id, capture_request_id(order_id))
        except Rejected as exc:
            if exc.code != "ORDER_ALREADY_CAPTURED":
                raise
        return await self.paypal.order(order_id)

    async def settle_capture(self, capture: PayPalCapture | None) -> str:
        if capture is None or capture.status != "COMPLETED":
            return "awaiting_capture"  # PENDING: PAYMENT.CAPTURE.COMPLETED follows
        if capture.amount.amount <= Decimal(0):
            raise EventRejected("the capture's amount is not positive")
        return await self.settlement.settle(payment_of(capture))

    async def complete(self, order_id: str) -> str:
        """The browser came back from PayPal: capture and settle (what the webhooks would also do)."""
        try:
            order = await self.capture(order_id)
        except NotFound:
            return "unknown_order"
        except Rejected as exc:
            log.info("PayPal order %s not captured: %s", order_id, exc.code)
            return "declined" if exc.code == "INSTRUMENT_DECLINED" else "not_captured"
        return await self.settle_capture(order.capture)

    async def handle(self, event: PayPalEvent) -> str:
        """A verified webhook event."""
        match event.event_type:
            case "CHECKOUT.ORDER.APPROVED":
                if event.order is None:
                    return "ignored"
                if reference_of(event.order.custom_id) is None:
                    return "ignored"  # not an order the portal created: not ours to capture
                try:
                    order = await self.capture(event.order.id)
                except Rejected as exc:
                    # The subscriber is told on the return page; nothing to record.
                    log.info("PayPal order %s not captured: %s", event.order.id, exc.code)
                    return "not_captured"
                return await self.settle_capture(order.capture)
            case "PAYMENT.CAPTURE.COMPLETED":
                return await self.settle_capture(event.capture)
            case "PAYMENT.CAPTURE.DENIED":
                # A portal payment: the payer sees the denial at PayPal and on the return page.
                return "declined"
            case _:
                return "ignored"
