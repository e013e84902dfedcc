"""PayPal's two inbound doors: `POST /webhooks/paypal` (its webhooks) and `GET /payments/paypal/return` (the
browser coming back from PayPal's approval page).

Webhooks are verified the way PayPal documents: the transmission headers, our webhook id and the event
exactly as received go to `POST /v1/notifications/verify-webhook-signature`, and only `SUCCESS` lets the
event in (anything else: 400, no side effect; PayPal unreachable: 503, PayPal retries). From there the
event takes the Stripe webhook's path (`GatewayWebhooks`: completion marks, one worker per event id across
instances) and `PayPalPayments` applies it through the same `Settlement`.

The return endpoint captures and settles before it redirects, so the portal's return page usually finds the
invoice paid already; whatever fails there (PayPal or a backend down) is left to the webhooks.
"""

from __future__ import annotations

import logging

from starlette.requests import ClientDisconnect, Request
from starlette.responses import RedirectResponse, Response

from adapters.errors import BackendError, ContractViolation, Unavailable
from adapters.ports.gateway import GatewayEvent, InvalidPaymentReference
from adapters.ports.paypal import PAYPAL_EVENT_TYPES, PayPalEvent, WebhookHeaders, WebhookNotVerified
from bff.core.body import read_body
from bff.core.dedupe import Marks
from bff.core.payments.checkout import PaymentError, allowed_url
from bff.core.payments.paypal import SESSION_PLACEHOLDER, PayPalPayments
from bff.core.payments.settlement import EventRejected, Settlement
from bff.core.payments.webhook import MAX_BODY, GatewayWebhooks, Outcome, answer
from bff.core.settings import Settings

log = logging.getLogger("wispgate.webhooks")

MAX_HEADER = 2000  # PayPal's documented limits are 500 at most (cert_url, transmission_sig)
_HEADERS = {
    "transmission_id": "paypal-transmission-id",
    "transmission_time": "paypal-transmission-time",
    "transmission_sig": "paypal-transmission-sig",
    "cert_url": "paypal-cert-url",
    "auth_algo": "paypal-auth-algo",
}
_EVENT_KEY = "paypal_event"


def webhook_headers(request: Request) -> WebhookHeaders | None:
    values = {field: request.headers.get(name, "") for field, name in _HEADERS.items()}
    if not all(0 < len(v) <= MAX_HEADER and v.isprintable() for v in values.values()):
        return None
    return WebhookHeaders(**values)


class PayPalWebhooks(GatewayWebhooks):
    def __init__(
        self, webhook_id: str, settlement: Settlement, marks: Marks, payments: PayPalPayments | None
    ) -> None:
        super().__init__(webhook_id, settlement, marks)
        self.payments = payments

    async def endpoint(self, request: Request) -> Response:
        payments = self.payments
        if not self.secret or payments is None:
            return answer(Outcome(503, "not_configured"))
        try:
            body = await read_body(request, MAX_BODY)
        except ClientDisconnect:
            return Response(status_code=400)
        if body is None:
            return answer(Outcome(413, "too_large"))
        headers = webhook_headers(request)
        if headers is None:
            log.warning("PayPal webhook refused: transmission headers missing or malformed")
            return answer(Outcome(400, "bad_signature"))
        try:
            event = await payments.paypal.verify_webhook(headers, body, self.secret)
        except WebhookNotVerified:
            log.warning("PayPal webhook refused: PayPal did not verify it")
            return answer(Outcome(400, "bad_signature"))
        except ContractViolation:
            log.warning("PayPal webhook refused: a body that is not an event")
            return answer(Outcome(400, "bad_event"))
        except BackendError as exc:
            log.warning("PayPal webhook not verified: %s (%s)", exc.backend, type(exc).__name__)
            return answer(Outcome(503, "unavailable"))
        if event.event_type not in PAYPAL_EVENT_TYPES:
            log.info("PayPal event %s (%s): ignored", event.id, event.event_type)
            return answer(Outcome(200, "ignored"))
        carrier = GatewayEvent(
            id=event.id,
            type=event.event_type,
            created=event.created,
            object_type=event.resource_type,
            data={_EVENT_KEY: event},
        )
        outcome = await self.in_flight.run(event.id, lambda: self.process(carrier))
        log.info("PayPal event %s (%s): %s", event.id, event.event_type, outcome.result)
        return answer(outcome)

    async def apply(self, event: GatewayEvent) -> str:
        paypal_event = event.data.get(_EVENT_KEY)
        if self.payments is None or not isinstance(paypal_event, PayPalEvent):
            return "ignored"
        try:
            return await self.payments.handle(paypal_event)
        except InvalidPaymentReference as exc:
            raise EventRejected(str(exc)) from None


class PayPalReturn:
    """`GET /payments/paypal/return?next=…&token=<order id>&PayerID=…`."""

    def __init__(self, settings: Settings, payments: PayPalPayments | None) -> None:
        self.settings = settings
        self.payments = payments

    async def endpoint(self, request: Request) -> Response:
        portal = self.settings.portal_url or "/"
        order_id = request.query_params.get("token", "")
        try:
            target = allowed_url(self.settings, request.query_params.get("next"), f"{portal}/", "next")
        except PaymentError:
            target = f"{portal}/"
        if self.payments is None or not order_id.isalnum() or len(order_id) > 64:
            return RedirectResponse(target.replace(SESSION_PLACEHOLDER, ""), status_code=303)
        try:
            result = await self.payments.complete(order_id)
        except (EventRejected, InvalidPaymentReference) as exc:
            log.error("PayPal order %s returned but not settled: %s", order_id, exc)
            result = "rejected"
        except Unavailable as exc:
            log.warning(
                "PayPal order %s returned: %s unavailable; the webhooks will settle it", order_id, exc.backend
            )
            result = "unavailable"
        except BackendError as exc:
            log.error("PayPal order %s returned: %s refused a step", order_id, exc.backend)
            result = "failed"
        log.info("PayPal order %s returned: %s", order_id, result)
        return RedirectResponse(target.replace(SESSION_PLACEHOLDER, order_id), status_code=303)
