"""What every request and WebSocket gets on its way in and out: a request id (the client's `X-Request-Id`
when well-formed, else a new one) bound for its log lines and backend calls and returned in the response's
`X-Request-Id`; a server span when tracing; the open-WebSocket gauge; one access-log line at the end.

The access log has the method, the path without its query string (signed file links carry their signature
there), the status and the duration: no headers, cookies or bodies.
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bff.core import request_id
from bff.core.metrics import Metrics
from bff.core.tracing import Tracing

log = logging.getLogger("wispgate.access")

_HEADER = request_id.HEADER.lower().encode()
# Span names must not carry ids: fixed paths by name, everything else by method only.
NAMED_PATHS = frozenset(
    {
        "/graphql",
        "/webhooks/gateway",
        "/webhooks/zammad",
        "/hooks/core",
        "/healthz",
        "/readyz",
        "/healthz/backends",
        "/metrics",
    }
)
# Polled every few seconds by machines: kept out of the INFO access log.
QUIET_PATHS = frozenset({"/healthz", "/readyz", "/healthz/backends", "/metrics"})


def _printable(path: str, limit: int = 200) -> str:
    """The path as it may go in a log line: bounded, and no control characters (a decoded `%0A` would
    otherwise forge a line in the text format)."""
    return "".join(c if c.isprintable() else "?" for c in path[:limit])


class RequestObserver:
    def __init__(self, app: ASGIApp, metrics: Metrics, tracing: Tracing | None = None) -> None:
        self.app = app
        self.metrics = metrics
        self.tracing = tracing

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        rid = request_id.accept(headers.get(request_id.HEADER))
        token = request_id.bind(rid)
        websocket = scope["type"] == "websocket"
        method = "WS" if websocket else scope["method"]
        path = _printable(scope["path"])
        outcome: dict[str, Any] = {"status": 0, "accepted": False}

        async def observed_send(message: Message) -> None:
            kind = message["type"]
            if kind == "http.response.start":
                outcome["status"] = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), (_HEADER, rid.encode())]}
            elif kind == "websocket.accept":
                outcome["status"] = 101
                outcome["accepted"] = True
                self.metrics.websocket_opened()
                message = {**message, "headers": [*message.get("headers", ()), (_HEADER, rid.encode())]}
            elif kind == "websocket.close" and not outcome["accepted"]:
                outcome["status"] = 403
            await send(message)

        started = time.perf_counter()
        try:
            with self._span(method, path, headers, rid) as span:
                await self.app(scope, receive, observed_send)
                if span is not None and outcome["status"]:
                    span.set_attribute("http.response.status_code", outcome["status"])
        finally:
            if outcome["accepted"]:
                self.metrics.websocket_closed()
            self._log(method, path, outcome["status"], time.perf_counter() - started)
            request_id.unbind(token)

    @contextlib.contextmanager
    def _span(self, method: str, path: str, headers: Headers, rid: str) -> Any:
        if self.tracing is None:
            yield None
            return
        name = f"{method} {path}" if path in NAMED_PATHS else method
        attributes = {"http.request.method": method, "url.path": path, "wispgate.request_id": rid}
        with self.tracing.server_span(name, headers, attributes) as span:
            yield span

    @staticmethod
    def _log(method: str, path: str, status: int, seconds: float) -> None:
        level = logging.DEBUG if path in QUIET_PATHS else logging.WARNING if status >= 500 else logging.INFO
        if not log.isEnabledFor(level):
            return
        duration_ms = round(seconds * 1000, 1)
        log.log(
            level,
            "%s %s %s %.1f ms",
            method,
            path,
            status or "-",
            duration_ms,
            extra={"method": method, "path": path, "status": status, "duration_ms": duration_ms},
        )
