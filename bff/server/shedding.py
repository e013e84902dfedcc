"""Shedding load: at most `max_in_flight` HTTP requests at a time in one process; the next is answered at once
with 503 `OVERLOADED` and `Retry-After`, before its body is read or its credentials are looked up.

Without a cap, a process that is sent more than it can serve accepts everything, and every request slows down
together: backend answers that arrive in 20 ms wait in the event loop behind other requests' work until they
hit the 5 s read timeout inside the BFF, and every client waits that long to get partial answers. With it, the
requests admitted keep their usual latency and the others are told to come back, cheaply (a load balancer or
the client retries elsewhere or later).

- A request is in flight from when it reaches this middleware until its response is sent in full.
- Not uvicorn's `limit_concurrency`: that counts WebSockets and health checks too, and answers plain text
  without a code or `Retry-After`.
- Exempt (`EXEMPT_PATHS`): the health and metrics endpoints, since a load balancer must see a busy process as
  alive and ready (it is: it answers) and an operator must read /metrics while it sheds; and the signed-event
  endpoints (gateway webhooks, core events): their rate follows payments and account changes, not page loads,
  each is checked by its signature before any work, and a refused one would wait for its sender's retry
  (minutes to hours for a payment gateway) before the payment it reports settles.
- WebSockets (upgrades and open sockets) are neither counted nor shed: a subscription socket stays open for
  hours doing nothing, so counting sockets would let a few dozen idle subscribers refuse every page, and shedding the
  upgrade would only make the web app reconnect sooner.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

from bff.core.limits import RequestCode
from bff.core.metrics import Metrics

# Not shed: a process that sheds is alive and ready, says why in its metrics, and settles payments.
EXEMPT_PATHS = frozenset(
    {
        "/healthz",
        "/readyz",
        "/healthz/backends",
        "/metrics",
        "/webhooks/gateway",
        "/webhooks/zammad",
        "/hooks/core",
    }
)
RETRY_AFTER_S = 1

_BODY = json.dumps(
    {
        "errors": [
            {
                "message": "The server is busy right now. Nothing was done; retry after a second.",
                "extensions": {"code": RequestCode.OVERLOADED.value},
            }
        ]
    }
).encode()
_START = {
    "type": "http.response.start",
    "status": 503,
    "headers": [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(_BODY)).encode()),
        (b"retry-after", str(RETRY_AFTER_S).encode()),
        (b"cache-control", b"no-store"),
    ],
}


class Shedding:
    """The cap on HTTP requests in flight (`MAX_IN_FLIGHT`). The counter needs no lock: the event loop runs
    one coroutine at a time and nothing is awaited between the check and the increment."""

    def __init__(self, app: ASGIApp, max_in_flight: int, metrics: Metrics | None = None) -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.metrics = metrics
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.max_in_flight:
            if self.metrics is not None:
                self.metrics.request_shed()
            await send(dict(_START))
            await send({"type": "http.response.body", "body": _BODY})
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
