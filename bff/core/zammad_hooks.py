"""`POST /webhooks/zammad`: Zammad's ticket webhooks onto the bus as `ticket.created` / `ticket.updated`, the
events `ticketChanged` delivers (read fresh through the tickets port, so an internal note never shows).

As `/hooks/core` does (`bff.core.core_events`): the body is bounded and its `X-Hub-Signature` verified on the
raw bytes (a bad one: 401, nothing done); a delivery whose `X-Zammad-Delivery` id is marked done is
acknowledged without publishing again; the mark is written only after publishing, and the bus event's id is
the delivery's, so a repeat that slips past the mark is dropped by every instance's fanout.

Whose ticket it is comes from the payload's customer: its subscriber id attribute (field mode), or in e-mail
mode the link some instance found when it looked the subscriber up, shared through the marks (Redis with
`REDIS_URL`): a customer no instance has met yet belongs to no portal session, and the delivery is `ignored`.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from redis.exceptions import RedisError
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from adapters.zammad.ids import ticket_id
from adapters.zammad.tickets import ZammadTickets
from adapters.zammad.webhook import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    NotATicketEvent,
    SignatureError,
    ticket_change,
    verify,
)
from bff.core.backends import Backends
from bff.core.body import read_body
from bff.core.bus import BusEvent, EventBus
from bff.core.dedupe import STEP_TTL_S, Marks

log = logging.getLogger("wispgate.zammad_hooks")

# Zammad's default payload carries the ticket, its users and the article (its body included, HTML): an
# e-mail's worth. Attachments come as links, never inline.
MAX_BODY = 1024 * 1024
MAX_DELIVERY_ID = 200
CUSTOMER_MARK = "zammad-customer:"
CUSTOMER_TTL_S = 90 * 24 * 3600.0  # written once per subscriber and process: outlives any process


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"received": False, "error": {"code": code, "message": message}}, status)


class ZammadHooks:
    def __init__(
        self,
        secret: str,
        bus: EventBus,
        marks: Marks,
        subscriber_of: Callable[[Mapping[str, Any]], Awaitable[str | None]],
    ) -> None:
        self.secret = secret
        self.bus = bus
        self.marks = marks
        self.subscriber_of = subscriber_of

    async def endpoint(self, request: Request) -> Response:
        if not self.secret:
            return _error(503, "NOT_CONFIGURED", "Zammad webhooks are not configured on this server.")
        try:
            body = await read_body(request, MAX_BODY)
        except ClientDisconnect:
            return Response(status_code=400)
        if body is None:
            return _error(413, "TOO_LARGE", "The body is too large.")
        try:
            verify(self.secret, body, request.headers.get(SIGNATURE_HEADER))
        except SignatureError as exc:
            log.warning("zammad webhook refused: %s", exc)
            return _error(401, "BAD_SIGNATURE", "The signature is missing or does not match.")
        try:
            change = ticket_change(body)
        except NotATicketEvent as exc:
            log.warning("zammad webhook refused: %s", exc)
            return _error(400, "BAD_EVENT", "The body is not a Zammad ticket webhook.")
        # Zammad's delivery id; a sender without one is keyed by what it signed.
        delivery = (request.headers.get(DELIVERY_HEADER) or "").strip()[:MAX_DELIVERY_ID]
        delivery = delivery or hashlib.sha256(body).hexdigest()
        done_key = f"zammad-delivery:{delivery}"
        try:
            if await self.marks.get(done_key) is not None:
                return JSONResponse({"received": True, "result": "duplicate"})
            subscriber_id = await self.subscriber_of(change.customer)
            if subscriber_id is None:
                log.info("zammad delivery %s: ticket %s has no known subscriber", delivery, change.zammad_id)
                return JSONResponse({"received": True, "result": "ignored"})
            event = BusEvent(
                id=f"zammad:{delivery}",
                type="ticket.created" if change.created else "ticket.updated",
                subscriber_id=subscriber_id,
                data={"ticket_id": ticket_id(subscriber_id, change.zammad_id)},
                occurred_at=change.occurred_at,
            )
            await self.bus.publish(event)
            await self.marks.put(done_key, "1", STEP_TTL_S)
        except (RedisError, OSError) as exc:
            log.warning("zammad delivery %s: Redis unavailable (%s)", delivery, type(exc).__name__)
            return _error(503, "UNAVAILABLE", "The event bus is unavailable; retry later.")
        log.info("zammad delivery %s (ticket %s): published", delivery, change.zammad_id)
        return JSONResponse({"received": True, "result": "published"})


def zammad_hooks(secret: str, backends: Backends, bus: EventBus, marks: Marks) -> ZammadHooks | None:
    """The endpoint's handler when tickets live in Zammad; None otherwise (the route answers 404). Links the
    adapter's customer lookups to the shared marks, so any instance can tell whose ticket a delivery is."""
    if not isinstance(backends.tickets, ZammadTickets):
        return None
    customers = backends.tickets.customers

    async def learned(subscriber_id: str, customer_id: int) -> None:
        try:
            await marks.put(f"{CUSTOMER_MARK}{customer_id}", subscriber_id, CUSTOMER_TTL_S)
        except (RedisError, OSError) as exc:
            # The read that found the customer goes on; only a later webhook on another instance misses it.
            log.warning(
                "zammad customer %s: not shared, Redis unavailable (%s)", customer_id, type(exc).__name__
            )

    async def subscriber_of(customer: Mapping[str, Any]) -> str | None:
        found = customers.subscriber_of(customer)
        customer_id = customer.get("id")
        if found is None and isinstance(customer_id, int) and not isinstance(customer_id, bool):
            found = await marks.get(f"{CUSTOMER_MARK}{customer_id}")
        return found

    customers.learned = learned
    return ZammadHooks(secret, bus, marks, subscriber_of)
