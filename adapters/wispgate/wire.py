"""How a JSON call to a core system travels: a `Wire` sends one request and returns its `Answer` (status,
body), or raises `TimedOut` / `Unavailable` for a transport failure. `CoreClient` maps the status to adapter
errors and decodes the body; the wire knows nothing of the contract.

Two wires:
- `HttpxWire`: httpx's client over any httpx transport. Tests route it to in-process sandbox apps or respx
  (fault injection), and the BFF uses it where an httpx transport must sit in the path (OpenTelemetry's
  client spans, `bff.core.tracing`).
- `RawWire` (`adapters.wispgate.rawwire`): keep-alive HTTP/1.1 connections of our own, parsed by httptools.
  The production path for the BFF's hot reads: a whole `CoreClient.call` costs 115 µs of CPU over it against
  262 over aiohttp's client (which replaced httpx's, 592) and 212 for a bare aiohttp request (bench/wire.py,
  a busy machine), and the dashboard makes nine calls per page. Timeouts, limits and headers are those the
  httpx client gets (`BackendConfig`).
"""

from __future__ import annotations

from collections.abc import Mapping
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
