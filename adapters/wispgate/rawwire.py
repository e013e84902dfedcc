"""`RawWire`: JSON calls over pooled keep-alive HTTP/1.1 connections of our own — asyncio protocols and the
httptools parser (uvicorn's), nothing in between.

Why: the dashboard page makes nine backend calls, and what aiohttp does around each one (request and response
objects, header multidicts, a timer context, tracing hooks, the connector's bookkeeping) cost more CPU than
the call's own work: 262 µs per `CoreClient.call` over aiohttp's client against 115 over this wire; a bare
aiohttp request alone is 212 (bench/wire.py, a busy machine). A core system's API is one known kind of peer — JSON over HTTP/1.1, `content-length` or
chunked bodies — so the client needs none of that: write the request's bytes, let httptools parse the answer.

What it keeps from the other wires: the same request (method, path, query string spelt as httpx spells it,
headers, JSON body) and the same `Answer`; connect and read timeouts per attempt (`TimedOut`); any transport
failure is `Unavailable`; at most `max_connections` connections, callers beyond that wait for one. A
connection is reused only after a complete answer that allows keep-alive, and only while the peer has not
closed it; one whose answer was cut short, timed out or failed to parse is closed. Answers are bounded
(`MAX_BODY`). TLS when the base URL is https (the platform's default context and hostname check).

What it does not do, because a core system does not need it: redirects, cookies, compression, proxies,
`Expect: 100-continue`. The tests run the same request and error matrix over this wire and httpx
(tests/adapters/test_wire.py).
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable, Mapping
from typing import Any, cast
from urllib.parse import urlsplit

import httptools
import orjson

from adapters.errors import TimedOut, Unavailable
from adapters.wispgate.wire import Answer, query_string

MAX_BODY = 64 * 1024 * 1024  # no core answer comes near; a runaway one must not exhaust memory
# An idle connection older than this is closed rather than reused: below the 5 s keep-alive timeout of uvicorn
# (and of httpx's pool), so a POST read is not sent on a connection the server is closing at that moment.
IDLE_S = 4.0


class _Lost(Exception):
    """The connection ended or the answer could not be parsed."""


class _Connection(asyncio.Protocol):
    """One keep-alive connection carrying one request at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.answer: asyncio.Future[Answer] | None = None
        self.chunks: list[bytes] = []
        self.size = 0
        self.reason = b""
        self.open = False
        self.reusable = False
        self.idle_since = 0.0

    # -- asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's TCP transport is not an `asyncio.Transport` subclass, only shaped like one.
        self.transport = cast("asyncio.Transport", transport)
        self.open = True

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail("an upgrade was answered")
        except httptools.HttpParserError as exc:
            self._fail(f"the answer could not be parsed ({exc})")

    def connection_lost(self, exc: Exception | None) -> None:
        self.open = False
        self._fail("the connection was closed before the answer was complete")

    # -- httptools callbacks
    def on_status(self, status: bytes) -> None:
        self.reason += status

    def on_body(self, body: bytes) -> None:
        self.size += len(body)
        if self.size > MAX_BODY:
            self._fail(f"the answer is larger than {MAX_BODY} bytes")
            return
        self.chunks.append(body)

    def on_message_complete(self) -> None:
        answer = self.answer
        if answer is None or answer.done():
            return
        self.reusable = self.parser.should_keep_alive()
        answer.set_result(
            Answer(self.parser.get_status_code(), b"".join(self.chunks), self.reason.decode("latin-1"))
        )

    # -- use
    def request(self, data: bytes) -> asyncio.Future[Answer]:
        if self.transport is None or not self.open:
            raise _Lost("the connection is closed")
        self.answer = asyncio.get_running_loop().create_future()
        self.chunks = []
        self.size = 0
        self.reason = b""
        self.reusable = False
        self.transport.write(data)
        return self.answer

    def expire(self) -> None:
        """The read timeout passed: the answer is abandoned and the connection, whose state is unknown, closed."""
        answer = self.answer
        if answer is not None and not answer.done():
            answer.set_exception(TimeoutError())
        self.close()

    def _fail(self, why: str) -> None:
        answer = self.answer
        if answer is not None and not answer.done():
            answer.set_exception(_Lost(why))
        self.reusable = False
        if self.transport is not None and self.open:
            self.transport.close()

    def close(self) -> None:
        self.reusable = False
        if self.transport is not None:
            self.transport.close()


def _header_lines(headers: Mapping[str, str]) -> bytes:
    out = []
    for name, value in headers.items():
        if "\r" in value or "\n" in value or "\r" in name or "\n" in name or ":" in name:
            continue  # never let a value forge another header or a second request
        out.append(f"{name}: {value}\r\n")
    return "".join(out).encode("latin-1")


class RawWire:
    """Connections to one backend: at most `max_connections`, idle ones reused newest first."""

    def __init__(
        self,
        backend: str,
        base_url: str,
        headers: Mapping[str, str],
        *,
        connect_timeout_s: float,
        read_timeout_s: float,
        max_connections: int,
        stamp: Callable[[dict[str, str]], None] | None = None,
        idle_s: float = IDLE_S,
    ) -> None:
        parts = urlsplit(base_url.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{backend}: not an http(s) URL: {base_url!r}")
        self.backend = backend
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.tls: ssl.SSLContext | None = ssl.create_default_context() if parts.scheme == "https" else None
        self.prefix = parts.path
        authority = parts.netloc.rpartition("@")[2]
        self.fixed = {"host": authority, **headers}
        self.stamp = stamp
        self.connect_timeout_s = connect_timeout_s
        self.read_timeout_s = read_timeout_s
        self.idle_s = idle_s
        self._slots = asyncio.Semaphore(max_connections)
        self._idle: list[_Connection] = []
        self._closed = False

    def _encode(self, method: str, target: str, json_body: Any, headers: Mapping[str, str] | None) -> bytes:
        sent = dict(self.fixed)
        if headers:
            sent.update(headers)
        if self.stamp is not None:
            self.stamp(sent)
        body = b""
        if json_body is not None:
            body = orjson.dumps(json_body)
            sent["content-type"] = "application/json"
        if body or method not in ("GET", "HEAD", "DELETE"):
            sent["content-length"] = str(len(body))
        head = f"{method} {target} HTTP/1.1\r\n".encode("latin-1") + _header_lines(sent) + b"\r\n"
        return head + body

    async def _connection(self, loop: asyncio.AbstractEventLoop) -> _Connection:
        now = loop.time()
        while self._idle:
            conn = self._idle.pop()
            if conn.open and now - conn.idle_since < self.idle_s:
                return conn
            conn.close()
        return await self._fresh(loop)

    async def _fresh(self, loop: asyncio.AbstractEventLoop) -> _Connection:
        async with asyncio.timeout(self.connect_timeout_s):
            _, conn = await loop.create_connection(
                _Connection,
                self.host,
                self.port,
                ssl=self.tls,
                server_hostname=self.host if self.tls else None,
            )
        return conn

    async def _exchange(self, loop: asyncio.AbstractEventLoop, conn: _Connection, data: bytes) -> Answer:
        # A timer handle, not `asyncio.timeout()`: the same bound for a fraction of the cost, on every call.
        timer = loop.call_later(self.read_timeout_s, conn.expire)
        try:
            return await conn.request(data)
        finally:
            timer.cancel()

    async def send(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        if self._closed:
            raise Unavailable(self.backend, f"{method} {path} failed: the client is closed")
        target = self.prefix + path
        if params:
            target += ("&" if "?" in path else "?") + query_string(params)
        data = self._encode(method, target, json_body, headers)
        # A reused connection the peer closed just as it was taken fails before any answer arrives; such a
        # request is sent again on a new connection when repeating it is harmless.
        repeatable = method in ("GET", "HEAD") or any(k.lower() == "idempotency-key" for k in headers or ())
        loop = asyncio.get_running_loop()
        async with self._slots:
            conn: _Connection | None = None
            try:
                conn = await self._connection(loop)
                try:
                    answer = await self._exchange(loop, conn, data)
                except _Lost:
                    if not (repeatable and conn.idle_since and not conn.size and not conn.reason):
                        raise
                    conn = await self._fresh(loop)
                    answer = await self._exchange(loop, conn, data)
            except TimeoutError:
                if conn is not None:
                    conn.close()
                raise TimedOut(self.backend, f"{method} {path} timed out") from None
            except (OSError, _Lost, ssl.SSLError) as exc:
                if conn is not None:
                    conn.close()
                raise Unavailable(self.backend, f"{method} {path} failed: {type(exc).__name__}") from None
            except BaseException:
                if conn is not None:
                    conn.close()  # cancelled mid-answer: the connection's state is unknown
                raise
            if conn.reusable and conn.open and not self._closed:
                conn.idle_since = loop.time()
                self._idle.append(conn)
            else:
                conn.close()
            return answer

    async def aclose(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
