"""`POST /webhooks/gateway`: the payment gateway's signed events.

1. The `Stripe-Signature` is verified on the raw body (constant-time, 300 s tolerance, no future timestamps):
   anything else is a 400 with no side effect.
2. A fast path: an event whose completion mark exists was fully handled before → 200.
3. Coalescing: in this process one task per event id does the work and every concurrent delivery of the same
   event awaits it; across instances a lease (`bff.core.dedupe.Lease`, renewed while the work runs) lets one
   instance work while the others wait briefly for its completion mark (200). When the lease ends without one
   — the holder failed, or was killed and its lease lapsed within `LEASE_S` — a waiting instance takes the
   event over; still busy after `WAIT_S` → 503 and the gateway retries.
4. `bff.core.payments.settlement` applies the event. The completion mark is written only after every step succeeded:
   nothing is acknowledged before it is recorded. The marks only save work: with Redis flushed, a redelivered
   event runs every step again and each step's system of record answers what it did the first time.

Only event ids and types are logged: never bodies, card details or secrets.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from redis.exceptions import RedisError
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from adapters.errors import BackendError, ContractViolation, Unavailable
from adapters.ports.gateway import GatewayEvent
from adapters.stripe.webhook import SIGNATURE_HEADER, SignatureError, verify_event
from bff.core.body import read_body
from bff.core.dedupe import LEASE_S, STEP_TTL_S, Lease, Marks
from bff.core.payments.settlement import HANDLED_TYPES, EventRejected, Settlement

log = logging.getLogger("wispgate.webhooks")

MAX_BODY = 512 * 1024
WAIT_S = 10.0  # how long another delivery waits for the instance handling the same event
POLL_S = 0.05


@dataclass(frozen=True, slots=True)
class Outcome:
    status: int
    result: str  # what happened, said in one word (answered and logged)


def answer(outcome: Outcome) -> JSONResponse:
    if outcome.status < 300:
        return JSONResponse({"received": True, "result": outcome.result}, outcome.status)
    return JSONResponse(
        {"received": False, "error": {"code": outcome.result.upper(), "message": _MESSAGES[outcome.result]}},
        outcome.status,
    )


_MESSAGES = {
    "bad_signature": "The signature is missing, stale or does not match.",
    "bad_event": "The body is not a gateway event.",
    "too_large": "The body is too large.",
    "not_configured": "Gateway webhooks are not configured on this server.",
    "unavailable": "A backend could not be reached; retry later.",
    "in_progress": "Another instance is handling this event; retry later.",
    "rejected": "The event contradicts the billing records; it was not applied.",
    "failed": "The event could not be handled; retry later.",
}


class InFlight:
    """One task per key in this process; concurrent callers with the same key share its outcome. The task
    is shielded: a caller that goes away does not cancel the work the others wait for."""

    def __init__(self) -> None:
        self._tasks: dict[str, asyncio.Task[Outcome]] = {}

    async def run(self, key: str, work: Callable[[], Awaitable[Outcome]]) -> Outcome:
        task = self._tasks.get(key)
        if task is None:
            task = asyncio.ensure_future(work())
            self._tasks[key] = task

            def forget(done: asyncio.Task[Outcome]) -> None:
                if self._tasks.get(key) is done:
                    del self._tasks[key]

            task.add_done_callback(forget)
        return await asyncio.shield(task)

    def __len__(self) -> int:
        return len(self._tasks)


class GatewayWebhooks:
    def __init__(
        self,
        secret: str,
        settlement: Settlement,
        marks: Marks,
        *,
        wait_s: float = WAIT_S,
        lease_s: float = LEASE_S,
    ) -> None:
        self.secret = secret
        self.settlement = settlement
        self.marks = marks
        self.wait_s = wait_s
        self.lease_s = lease_s
        self.in_flight = InFlight()

    async def endpoint(self, request: Request) -> Response:
        if not self.secret:
            return answer(Outcome(503, "not_configured"))
        try:
            body = await read_body(request, MAX_BODY)
        except ClientDisconnect:
            return Response(status_code=400)
        if body is None:
            return answer(Outcome(413, "too_large"))
        try:
            event = verify_event(body, request.headers.get(SIGNATURE_HEADER), self.secret)
        except SignatureError as exc:
            log.warning("gateway webhook refused: %s", exc)
            return answer(Outcome(400, "bad_signature"))
        except ContractViolation:
            log.warning("gateway webhook refused: a signed body that is not an event")
            return answer(Outcome(400, "bad_event"))
        if event.type not in HANDLED_TYPES:
            log.info("gateway event %s (%s): ignored", event.id, event.type)
            return answer(Outcome(200, "ignored"))
        outcome = await self.in_flight.run(event.id, lambda: self.process(event))
        log.info("gateway event %s (%s): %s", event.id, event.type, outcome.result)
        return answer(outcome)

    async def process(self, event: GatewayEvent) -> Outcome:
        try:
            return await self._process(event)
        except RedisError as exc:
            log.warning("gateway event %s: Redis unavailable (%s)", event.id, type(exc).__name__)
            return Outcome(503, "unavailable")

    async def _process(self, event: GatewayEvent) -> Outcome:
        done_key = f"gw-event:{event.id}"
        if await self.marks.get(done_key) is not None:
            return Outcome(200, "duplicate")
        lease = Lease(self.marks, f"gw-lock:{event.id}", self.lease_s)
        deadline = asyncio.get_running_loop().time() + self.wait_s
        while not await lease.acquire():
            waited = await self._await_other(done_key, lease.key, deadline)
            if waited is not None:
                return waited
        try:
            if await self.marks.get(done_key) is not None:  # finished between the check and the lease
                return Outcome(200, "duplicate")
            return await self._settle(event, done_key)
        finally:
            await lease.release()

    async def _settle(self, event: GatewayEvent, done_key: str) -> Outcome:
        try:
            result = await self.apply(event)
        except EventRejected as exc:
            log.error("gateway event %s (%s) not applied: %s", event.id, event.type, exc)
            return Outcome(422, "rejected")
        except Unavailable as exc:
            log.warning("gateway event %s (%s): %s unavailable", event.id, event.type, exc.backend)
            return Outcome(503, "unavailable")
        except BackendError as exc:
            log.error("gateway event %s (%s): %s refused a step", event.id, event.type, exc.backend)
            return Outcome(502, "failed")
        except Exception:
            log.exception("gateway event %s (%s) failed", event.id, event.type)
            return Outcome(500, "failed")
        await self.marks.put(done_key, result, STEP_TTL_S)
        return Outcome(200, result)

    async def apply(self, event: GatewayEvent) -> str:
        """What the event does (`bff.core.payments.paypal_webhook` applies PayPal's events its own way)."""
        return await self.settlement.handle(event)

    async def _await_other(self, done_key: str, lease_key: str, deadline: float) -> Outcome | None:
        """Another instance holds the event's lease: its completion mark → 200; its lease gone without one (it
        failed, or died and the lease lapsed) → None, and the caller takes the event over; still held at
        `deadline` → 503 (the gateway retries)."""
        loop = asyncio.get_running_loop()
        while loop.time() < deadline:
            await asyncio.sleep(POLL_S)
            if await self.marks.get(done_key) is not None:
                return Outcome(200, "duplicate")
            if await self.marks.get(lease_key) is None:
                return None
        return Outcome(503, "in_progress")
