"""One HTTP client per core system, and the mapping of every transport or HTTP failure to adapter errors."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar, overload

import httpx
import orjson

from adapters.decode import Items, decode
from adapters.errors import NotFound, Rejected, TimedOut, Unavailable
from adapters.resilience.guard import Guard
from adapters.resilience.retry import retryable
from adapters.wispgate.wire import Answer, HttpxWire, Wire

T = TypeVar("T")

# The most ids the core accepts in one batch read (the contract's `BatchIds.maxItems`).
BATCH = 1000


def chunks(ids: Sequence[str]) -> list[list[str]]:
    """Distinct ids (order kept) in slices the core accepts in one batch call."""
    unique = list(dict.fromkeys(ids))
    return [unique[i : i + BATCH] for i in range(0, len(unique), BATCH)]


@dataclass(frozen=True)
class BackendConfig:
    base_url: str  # e.g. "http://127.0.0.1:8000/_sandbox/billing"
    api_key: str
    # One attempt's timeouts; the whole call's deadline, retries included, is the guard's
    # (`adapters.resilience.guard.Policy`). Connecting on a healthy network takes milliseconds.
    connect_timeout_s: float = 0.5
    read_timeout_s: float = 2.0
    max_connections: int = 50


def make_http_client(
    config: BackendConfig, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The one AsyncClient a backend gets: base URL, API key, explicit timeouts and connection limits."""
    return httpx.AsyncClient(
        base_url=config.base_url.rstrip("/"),
        headers={"x-api-key": config.api_key, "accept": "application/json"},
        timeout=httpx.Timeout(config.read_timeout_s, connect=config.connect_timeout_s),
        limits=httpx.Limits(max_connections=config.max_connections, max_keepalive_connections=20),
        transport=transport,
    )


def pooled_transport(config: BackendConfig) -> httpx.AsyncBaseTransport:
    """The network under a production client: aiohttp's connection pool behind httpx's API.

    httpx's own transport costs ~0.8 ms of CPU per call with one in flight (docs/performance.md) and the dashboard
    makes about a dozen calls per request, so on the BFF's hot path this is most of its CPU
    (bench/dashboard.py). Timeouts and errors keep httpx's semantics: the transport maps aiohttp's
    exceptions to httpx's, which `CoreClient` maps to adapter errors. Tests inject their own transport.
    """
    from httpx_aiohttp import AiohttpTransport

    return AiohttpTransport(
        limits=httpx.Limits(max_connections=config.max_connections, max_keepalive_connections=20)
    )


IDEMPOTENCY_HEADER = "Idempotency-Key"


def keyed(idempotency_key: str | None) -> dict[str, str] | None:
    """The headers of a write that carries an idempotency key (the core answers a repeat of the key with the
    first answer; see `sandbox/common/idempotency.py`), or None."""
    return {IDEMPOTENCY_HEADER: idempotency_key} if idempotency_key else None


_ID_SEGMENT = re.compile(r"^(?!v\d+$)[^/]*\d[^/]*$")


def operation_of(method: str, path: str) -> str:
    """`GET /v1/subscribers/SUB-1/subservices` → `GET /v1/subscribers/{id}/subservices`: the name of a call
    in metrics, without the ids that would make every call a series of its own."""
    segments = path.split("?", 1)[0].split("/")
    return f"{method} " + "/".join("{id}" if _ID_SEGMENT.match(s) else s for s in segments)


# Whose identical reads may share a flight: set per request by the server (the viewer's session, so that the
# operations one page sends at once share, and nothing is shared between sessions); None shares nothing.
flight_scope: ContextVar[str | None] = ContextVar("wispgate_flight_scope", default=None)


class _Writes:
    """How many writes this process has sent to any core system: a read asked after a write returned
    never joins a read that was already in flight (it could miss the write), see `CoreClient`."""

    count = 0


@dataclass(eq=False)
class _Flight:
    task: asyncio.Future[Any]
    waiters: int = 0


def _is_read(method: str, idempotent: bool | None, headers: dict[str, str] | None) -> bool:
    # GETs, and the POSTed batch reads (`CoreClient.batch`); a write with an idempotency key carries headers.
    return headers is None and (method == "GET" or (method == "POST" and idempotent is True))


class CoreClient:
    """Sends a request to one core system and returns its answer decoded into a port record (see
    `adapters.decode`), or raises an `adapters.errors` type. Every call goes through the backend's
    `Guard` (deadline, breaker, bulkhead, retries of reads); the default one has the default policy.

    With `coalesce`, a read identical to one already in flight in the same `flight_scope` (same method,
    path, parameters, body and record type) waits for that one's answer instead of being sent again: the web's dashboard sends two
    operations at once, each of which reads the same subscriber, sub-service list and billing account
    (bench/ratio.py). Only in flight, never cached after: a read asked after any write of this process
    returned starts its own flight. The answer is the same decoded record for every waiter (records are
    not mutated; lists are built per caller), or the same error; the flight is cancelled when its last
    waiter is. Its metrics and trace span belong to the request that started it."""

    def __init__(
        self,
        backend: str,
        http: httpx.AsyncClient,
        guard: Guard | None = None,
        *,
        coalesce: bool = False,
        wire: Wire | None = None,
    ) -> None:
        self.backend = backend
        self.http = http  # multipart and other requests that are not JSON calls (`request`)
        # JSON calls: over `http` unless a faster wire is given (`adapters.wispgate.wire`).
        self.wire: Wire = wire if wire is not None else HttpxWire(backend, http)
        self.guard = guard if guard is not None else Guard(backend)
        self._flights: dict[tuple[Any, ...], _Flight] | None = {} if coalesce else None

    @overload
    async def call(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> Any: ...

    @overload
    async def call(
        self,
        method: str,
        path: str,
        into: type[T],
        *,
        json_body: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> T: ...

    async def call(
        self,
        method: str,
        path: str,
        into: Any = Any,
        *,
        json_body: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> Any:
        """The answer decoded as `into` (plain JSON values when it is not given). `idempotent` says whether
        the call may be sent twice; by default reads may, and writes only with an `Idempotency-Key` header."""

        async def attempt() -> Any:
            answer = await self._send(method, path, json_body=json_body, params=params, headers=headers)
            return decode(self.backend, answer.content, into, f"{method} {path}")

        if not _is_read(method, idempotent, headers):
            try:
                return await self._guarded(method, path, attempt, idempotent, headers)
            finally:
                _Writes.count += 1
        key = self._flight_key(method, path, into, json_body, params)
        if key is None or self._flights is None:
            return await self._guarded(method, path, attempt, idempotent, headers)
        return await self._join(key, lambda: self._guarded(method, path, attempt, idempotent, headers))

    def _flight_key(
        self, method: str, path: str, into: Any, json_body: Any, params: dict[str, Any] | None
    ) -> tuple[Any, ...] | None:
        scope = flight_scope.get()
        if self._flights is None or scope is None:
            return None
        try:
            body = orjson.dumps(json_body, option=orjson.OPT_SORT_KEYS)
            query = orjson.dumps(params, option=orjson.OPT_SORT_KEYS)
            hash(into)
        except TypeError:
            return None  # not plain JSON (or an unhashable type): sent on its own
        return (scope, _Writes.count, method, path, query, body, into)

    async def _join(self, key: tuple[Any, ...], start: Callable[[], Awaitable[T]]) -> T:
        flights = self._flights
        assert flights is not None
        flight = flights.get(key)
        if flight is None:
            flight = _Flight(asyncio.ensure_future(start()))
            flights[key] = flight

            def done(task: asyncio.Future[Any], key: tuple[Any, ...] = key, mine: _Flight = flight) -> None:
                if flights.get(key) is mine:
                    del flights[key]
                if not task.cancelled():
                    task.exception()  # retrieved: every waiter may have gone

            flight.task.add_done_callback(done)
        flight.waiters += 1
        try:
            result: T = await asyncio.shield(flight.task)
            return result
        finally:
            flight.waiters -= 1
            if flight.waiters == 0 and not flight.task.done():
                # Nobody waits for it any more; a later identical read must not join a cancelled flight.
                if flights.get(key) is flight:
                    del flights[key]
                flight.task.cancel()

    async def batch(
        self,
        path: str,
        ids: Sequence[str],
        into: type[T],
        extra: dict[str, Any] | None = None,
    ) -> list[T]:
        """POST `{"ids": …}` to a batch read once per 1,000 distinct ids, concurrently, and return every
        item decoded as `into`. The BFF's dataloaders call each batch method once per kind of data per
        request."""

        envelope: type[Items[T]] = Items[into]  # type: ignore[valid-type]

        async def one(chunk: list[str]) -> list[T]:
            body = await self.call(
                "POST", path, envelope, json_body={"ids": chunk, **(extra or {})}, idempotent=True
            )
            return body.items

        parts = await asyncio.gather(*(one(c) for c in chunks(ids)))
        return [item for part in parts for item in part]

    async def call_bytes(self, method: str, path: str, *, params: dict[str, Any] | None = None) -> bytes:
        async def attempt() -> bytes:
            return (await self._send(method, path, params=params)).content

        return await self._guarded(method, path, attempt, None, None)

    async def request(
        self,
        method: str,
        path: str,
        *,
        idempotent: bool = False,
        deadline_s: float | None = None,
        **sent: Any,
    ) -> httpx.Response:
        """Any other request (`sent` as httpx takes it: `files`, `data`, …) through the same guard and error
        mapping; the caller decodes the answer. Not retried unless `idempotent`."""

        async def attempt() -> httpx.Response:
            try:
                return await self._request(method, path, **sent)
            finally:
                if method != "GET":
                    _Writes.count += 1

        return await self.guard.run(
            operation_of(method, path), attempt, retryable=idempotent, deadline_s=deadline_s
        )

    async def reach(self, path: str) -> None:
        """One GET outside the guard, for readiness probes: whether the backend answers now, even while
        its breaker is open, without counting for or against it."""
        await self._send("GET", path)

    async def _guarded(
        self,
        method: str,
        path: str,
        attempt: Callable[[], Awaitable[T]],
        idempotent: bool | None,
        headers: dict[str, str] | None,
    ) -> T:
        may_repeat = retryable(method, headers) if idempotent is None else idempotent
        return await self.guard.run(operation_of(method, path), attempt, retryable=may_repeat)

    async def _send(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        answer = await self.wire.send(method, path, json_body=json_body, params=params, headers=headers)
        self._check(method, path, answer.status, answer.reason, answer.content)
        return answer

    async def _request(self, method: str, path: str, **sent: Any) -> httpx.Response:
        try:
            response = await self.http.request(method, path, **sent)
        except httpx.TimeoutException:
            raise TimedOut(self.backend, f"{method} {path} timed out") from None
        except httpx.HTTPError as exc:
            raise Unavailable(self.backend, f"{method} {path} failed: {type(exc).__name__}") from None
        self._check(method, path, response.status_code, response.reason_phrase, response.content)
        return response

    def _check(self, method: str, path: str, status: int, reason: str, content: bytes) -> None:
        """The answer's status as an adapter error: 5xx → Unavailable, 404 → NotFound, other 4xx → Rejected."""
        if status >= 500:
            raise Unavailable(self.backend, f"{method} {path} answered {status}")
        if status == 404:
            code, message = self._error(status, reason, content)
            known = message and not code.startswith("HTTP_")
            raise NotFound(self.backend, message if known else f"{path} not found")
        if status >= 400:
            code, message = self._error(status, reason, content)
            raise Rejected(self.backend, code, message, status)

    def _error(self, status: int, reason: str, content: bytes) -> tuple[str, str]:
        try:
            error = orjson.loads(content)["error"]
            return str(error["code"]), str(error.get("message", ""))
        except (ValueError, KeyError, TypeError):
            return f"HTTP_{status}", reason
