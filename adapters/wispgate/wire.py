"""How a JSON call to a core system travels: a `Wire` sends one request and returns its `Answer` (status,
body), or raises `TimedOut` / `Unavailable` for a transport failure. `CoreClient` maps the status to adapter
errors and decodes the body; the wire knows nothing of the contract.

Two wires:
- `HttpxWire`: httpx's client over any httpx transport. Tests route it to in-process sandbox apps or respx
  (fault injection), and the BFF uses it where an httpx transport must sit in the path (OpenTelemetry's
  client spans, `bff.core.tracing`).
- `AiohttpWire`: aiohttp's pooled client, straight. The production path for the BFF's hot reads: httpx's
  client layer (request and URL models, cookie extraction, redirect and auth flows, the transport adapter)
  made a whole `CoreClient.call` cost 398 µs of CPU against 171 µs over this wire (bench/wire.py; a bare
  aiohttp request: 124), and the dashboard makes 8–9 calls per page. Timeouts, limits and headers are those
  the httpx client gets (`BackendConfig`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode

import httpx
import orjson

from adapters.errors import TimedOut, Unavailable


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    content: bytes
    reason: str

    def json(self) -> Any:
        return orjson.loads(self.content)


class Wire(Protocol):
    async def send(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Answer: ...

    async def aclose(self) -> None: ...


class HttpxWire:
    def __init__(self, backend: str, http: httpx.AsyncClient) -> None:
        self.backend = backend
        self.http = http

    async def send(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        try:
            response = await self.http.request(
                method, path, json=json_body, params=dict(params) if params else None, headers=headers
            )
        except httpx.TimeoutException:
            raise TimedOut(self.backend, f"{method} {path} timed out") from None
        except httpx.HTTPError as exc:
            raise Unavailable(self.backend, f"{method} {path} failed: {type(exc).__name__}") from None
        return Answer(response.status_code, response.content, response.reason_phrase)

    async def aclose(self) -> None:
        pass  # the httpx client is its owner's to close


def _param(value: Any) -> str:
    # httpx's spelling of query values (`httpx._utils.primitive_value_to_str`), so both wires send the same URL.
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return ""
    return str(value)


def query_string(params: Mapping[str, Any]) -> str:
    """`params` as httpx encodes them: a list or tuple repeats its key, booleans are lowercase, None is empty."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        values = value if isinstance(value, list | tuple) else [value]
        pairs.extend((key, _param(v)) for v in values)
    return urlencode(pairs)


class AiohttpWire:
    """One `aiohttp.ClientSession` per backend: a pool of `max_connections`, no cookie jar (the core systems set
    none that matter and extracting them is pure cost), the read and connect timeouts of one attempt.
    `stamp` adds per-call headers (the BFF passes the current request's id)."""

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
    ) -> None:
        import aiohttp

        self.backend = backend
        self.base_url = base_url.rstrip("/")
        self.headers = dict(headers)
        self.stamp = stamp
        self._errors = (aiohttp.ClientError, OSError)
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=max_connections, keepalive_timeout=30),
            cookie_jar=aiohttp.DummyCookieJar(),
            timeout=aiohttp.ClientTimeout(
                total=None, sock_connect=connect_timeout_s, sock_read=read_timeout_s
            ),
        )

    async def send(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        sent = dict(self.headers)
        if headers:
            sent.update(headers)
        if self.stamp is not None:
            self.stamp(sent)
        body: bytes | None = None
        if json_body is not None:
            body = orjson.dumps(json_body)
            sent["content-type"] = "application/json"
        url = self.base_url + path
        if params:
            url += ("&" if "?" in path else "?") + query_string(params)
        try:
            async with self.session.request(method, url, data=body, headers=sent) as response:
                content = await response.read()
                return Answer(response.status, content, response.reason or "")
        except TimeoutError:  # aiohttp's socket timeouts are TimeoutErrors too
            raise TimedOut(self.backend, f"{method} {path} timed out") from None
        except self._errors as exc:
            raise Unavailable(self.backend, f"{method} {path} failed: {type(exc).__name__}") from None

    async def aclose(self) -> None:
        await self.session.close()
