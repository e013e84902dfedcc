"""`POST /hooks/core`: the WISPGate core's signed events (Billing, CRM, AAA) onto the bus.

The `X-WISPGate-Signature` is verified on the raw body like the gateway's; a valid event becomes a
`BusEvent` and is published, then marked done by its id: a redelivery of a marked event is acknowledged
without publishing again. The mark is written only after publishing, so a process killed in between (or a
Redis that lost the mark) publishes the event again on the core's retry — and every instance's fanout drops
an id it already delivered (`bff.core.bus`), so a subscriber sees it once. Events the bus does not carry (e.g. `payment.recorded`,
which the payment path reports as `payment.settled`) are acknowledged and dropped.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from redis.exceptions import RedisError
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from adapters.errors import BackendError
from adapters.wispgate.signing import SignatureError, verify
from bff.core.auth.directory import USER_UPDATED, Directory, NotAUserEvent
from bff.core.body import read_body
from bff.core.bus import BusEvent, EventBus
from bff.core.core_notices import CoreNotices
from bff.core.dedupe import STEP_TTL_S, Marks

log = logging.getLogger("wispgate.core_hooks")

SIGNATURE_HEADER = "X-WISPGate-Signature"
MAX_BODY = 256 * 1024
# What each event type carries on the bus (the rest of the core's `data` stays behind).
DATA_KEYS: Mapping[str, tuple[str, ...]] = {
    "invoice.created": ("invoice_id",),
    "invoice.updated": ("invoice_id",),
    "wallet.changed": (),
    "service.status_changed": ("subservice_id", "status", "reason"),
    "service.profile_changed": ("subservice_id",),
    "notification.created": ("notification_id",),
    "ticket.created": ("ticket_id",),
    "ticket.updated": ("ticket_id",),
    # Also updates the user's sessions first (`bff.core.auth.directory`); on the bus it makes the user's
    # open subscriptions re-check their session.
    USER_UPDATED: ("user_id",),
    # OSS: a task sent to a CPE changed status (never a parameter value), an incident opened or resolved.
    "device.task_changed": ("task_id", "device_id", "status"),
    "incident.changed": ("incident_id", "status"),
}
# Events about several sub-services name them in `data.subservice_ids`; SITE users get only theirs.
MANY_SUBSERVICES = frozenset({"incident.changed"})


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"received": False, "error": {"code": code, "message": message}}, status)


def bus_event(body: Any) -> BusEvent | None:
    """The bus event for a core event body; None for one the bus does not carry. ValueError when the body
    is not a core event."""
    if not isinstance(body, dict):
        raise ValueError("not an object")
    event_id, type_, subscriber_id = body.get("id"), body.get("type"), body.get("subscriber_id")
    if not isinstance(event_id, str) or not event_id or not isinstance(type_, str):
        raise ValueError("an event needs an id and a type")
    keys = DATA_KEYS.get(type_)
    if keys is None or not isinstance(subscriber_id, str) or not subscriber_id:
        return None
    raw = body.get("data")
    data = raw if isinstance(raw, dict) else {}
    subservice_id = body.get("subservice_id")
    mapped: dict[str, Any] = {k: data.get(k) for k in keys}
    if type_ in ("service.status_changed", "service.profile_changed") and not mapped.get("subservice_id"):
        mapped["subservice_id"] = subservice_id
    created = body.get("created_at")
    subservice_ids: tuple[str, ...] = (
        (subservice_id,) if isinstance(subservice_id, str) and subservice_id else ()
    )
    listed = data.get("subservice_ids")
    if type_ in MANY_SUBSERVICES and isinstance(listed, list):
        subservice_ids = tuple(i for i in listed if isinstance(i, str) and i)
    return BusEvent(
        id=event_id,
        type=type_,
        subscriber_id=subscriber_id,
        subservice_ids=subservice_ids,
        data={k: v for k, v in mapped.items() if v is None or isinstance(v, (str, int, float, bool))},
        occurred_at=created if isinstance(created, str) else "",
    )


class CoreHooks:
    def __init__(
        self,
        secret: str,
        bus: EventBus,
        marks: Marks,
        directory: Directory | None = None,
        notices: CoreNotices | None = None,
    ) -> None:
        self.secret = secret
        self.bus = bus
        self.marks = marks
        self.directory = directory
        self.notices = notices

    async def endpoint(self, request: Request) -> Response:
        if not self.secret:
            return _error(503, "NOT_CONFIGURED", "Core events are not configured on this server.")
        try:
            body = await read_body(request, MAX_BODY)
        except ClientDisconnect:
            return Response(status_code=400)
        if body is None:
            return _error(413, "TOO_LARGE", "The body is too large.")
        try:
            verify(self.secret, body, request.headers.get(SIGNATURE_HEADER))
        except SignatureError as exc:
            log.warning("core event refused: %s", exc)
            return _error(400, "BAD_SIGNATURE", "The signature is missing, stale or does not match.")
        try:
            raw = json.loads(body)
            event = bus_event(raw)
        except (ValueError, UnicodeDecodeError):
            log.warning("core event refused: a signed body that is not an event")
            return _error(400, "BAD_EVENT", "The body is not a core event.")
        if event is None:
            return JSONResponse({"received": True, "result": "ignored"})
        if event.type == USER_UPDATED and self.directory is not None:
            refused = await self._apply_user_update(raw)
            if refused is not None:
                return refused
        done_key = f"core-event:{event.id}"
        try:
            if await self.marks.get(done_key) is not None:
                return JSONResponse({"received": True, "result": "duplicate"})
            await self.bus.publish(event)
            # Its notification (a gift card, an operator's credit, a suspension), keyed by the event: a retry
            # after a failure here publishes again (dropped by the fanout) and posts nothing twice.
            if self.notices is not None:
                await self.notices.post(raw)
            await self.marks.put(done_key, "1", STEP_TTL_S)
        except (RedisError, OSError) as exc:
            log.warning("core event %s: Redis unavailable (%s)", event.id, type(exc).__name__)
            return _error(503, "UNAVAILABLE", "The event bus is unavailable; retry later.")
        except BackendError as exc:
            log.warning(
                "core event %s: its notification could not be posted (%s)", event.id, type(exc).__name__
            )
            return _error(503, "UNAVAILABLE", "The CRM is unavailable; retry later.")
        log.info("core event %s (%s): published", event.id, event.type)
        return JSONResponse({"received": True, "result": "published"})

    async def _apply_user_update(self, raw: dict[str, Any]) -> Response | None:
        """Update the user's sessions (idempotent, so done on every delivery); an answer when it failed."""
        assert self.directory is not None
        data = raw.get("data")
        try:
            await self.directory.user_updated(data if isinstance(data, dict) else {})
        except NotAUserEvent as exc:
            log.warning("core event %s refused: %s", raw.get("id"), exc)
            return _error(400, "BAD_EVENT", "The body is not a core event.")
        except (RedisError, OSError) as exc:
            log.warning("core event %s: session store unavailable (%s)", raw.get("id"), type(exc).__name__)
            return _error(503, "UNAVAILABLE", "The session store is unavailable; retry later.")
        return None
