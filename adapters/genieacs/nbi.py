"""GenieACS's northbound interface (NBI) over HTTP: searches (`GET /<collection>/?query=&projection=`) and
task posts (`POST /devices/<id>/tasks`), every failure mapped to `adapters.errors`.

The NBI answers searches with a JSON array of documents, 404 with a plain-text body ("No such device"), and
a task post with the task as stored (its `_id`): 200 when it ran in a session during the call, 202 when it
was queued (the reason phrase says why: "Task queued but not processed", "Task faulted", or the connection
request's failure).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from adapters.errors import ContractViolation, NotFound, Rejected, TimedOut, Unavailable
from adapters.genieacs.config import GenieAcsConfig
from adapters.resilience.guard import Guard

BACKEND = "genieacs"
MAX_BODY = 4 * 1024 * 1024  # a search answer larger than this is refused, not parsed
MAX_RESULTS = 1000  # `limit` of every search


def make_nbi_http(
    config: GenieAcsConfig, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The one client the adapter gets (basic auth only when configured); the composition root closes it."""
    return httpx.AsyncClient(
        base_url=config.base_url.rstrip("/"),
        auth=httpx.BasicAuth(config.username, config.password) if config.username else None,
        headers={"accept": "application/json"},
        timeout=httpx.Timeout(config.read_timeout_s, connect=config.connect_timeout_s),
        limits=httpx.Limits(max_connections=config.max_connections, max_keepalive_connections=10),
        transport=transport,
    )


@dataclass(frozen=True, slots=True)
class Posted:
    status: int  # 200 (ran) or 202 (queued)
    reason: str  # the reason phrase of a 202 (informative only: HTTP/2 has none)
    task: dict[str, Any]


def device_path(device_id: str) -> str:
    """GenieACS device ids already hold %-escapes ("…-Wi%2DFi…"): the path escapes them again, as its docs say."""
    return f"/devices/{quote(device_id, safe='')}/tasks"


class Nbi:
    def __init__(self, http: httpx.AsyncClient, guard: Guard) -> None:
        self.http = http
        self.guard = guard

    async def find(
        self,
        collection: str,
        query: Mapping[str, Any],
        projection: Sequence[str] = (),
        limit: int = MAX_RESULTS,
    ) -> list[dict[str, Any]]:
        params = {"query": json.dumps(query, separators=(",", ":")), "limit": str(limit)}
        if projection:
            params["projection"] = ",".join(projection)
        where = f"GET /{collection}/"

        async def attempt() -> list[dict[str, Any]]:
            response = await self._send("GET", f"/{collection}/", where, params=params)
            if len(response.content) > MAX_BODY:
                raise ContractViolation(BACKEND, f"{where} answered more than {MAX_BODY} bytes")
            found = _json(response, where)
            if not isinstance(found, list) or not all(isinstance(d, dict) for d in found):
                raise ContractViolation(BACKEND, f"{where} did not answer a list of documents")
            return found

        return await self.guard.run(where, attempt, retryable=True)

    async def reach(self) -> None:
        """One search for a device that does not exist, around the guard (a health probe must say the NBI answers
        again while the breaker is open). Raises as any call does."""
        await self._send(
            "GET", "/devices/", "GET /devices/", params={"query": '{"_id":"wispgate-probe"}', "limit": "1"}
        )

    async def post_task(
        self, device_id: str, task: Mapping[str, Any] | None, *, connection_request: bool, timeout_ms: int = 0
    ) -> Posted:
        """Queue `task` (None: only a connection request). Never retried: a task posted twice runs twice."""
        flags = []
        if connection_request:
            flags.append("connection_request")
        if timeout_ms:
            flags.append(f"timeout={timeout_ms}")
        url = device_path(device_id) + (f"?{'&'.join(flags)}" if flags else "")
        where = "POST /devices/{id}/tasks"
        body = json.dumps(task).encode() if task is not None else None

        async def attempt() -> Posted:
            response = await self._send(
                "POST", url, where, content=body, headers={"content-type": "application/json"}
            )
            if response.status_code not in (200, 202):
                raise ContractViolation(BACKEND, f"{where} answered {response.status_code}")
            if task is None:
                return Posted(response.status_code, response.reason_phrase, {})
            stored = _json(response, where)
            if not isinstance(stored, dict) or not isinstance(stored.get("_id"), str):
                raise ContractViolation(BACKEND, f"{where} did not answer the stored task")
            return Posted(response.status_code, response.reason_phrase, stored)

        return await self.guard.run(where, attempt, retryable=False)

    async def _send(self, method: str, url: str, where: str, **kw: Any) -> httpx.Response:
        try:
            response = await self.http.request(method, url, **kw)
        except httpx.TimeoutException:
            raise TimedOut(BACKEND, f"{where} timed out") from None
        except httpx.HTTPError as exc:
            raise Unavailable(BACKEND, f"{where} failed: {type(exc).__name__}") from None
        status = response.status_code
        if status == 404:
            raise NotFound(BACKEND, f"{where}: {response.text[:200] or 'not found'}")
        if status in (401, 403):
            # The operator's configuration, not the subscriber's request: unavailable until it is fixed.
            raise Unavailable(BACKEND, f"{where}: the NBI refused our credentials ({status})")
        if status >= 500 or status == 429:
            # 504 is also what a bare connection request answers when the CPE did not respond.
            raise Unavailable(BACKEND, f"{where} answered {status}: {response.reason_phrase}")
        if status >= 400:
            raise Rejected(
                BACKEND, "NBI_BAD_REQUEST", f"{where} answered {status}: {response.text[:200]}", status
            )
        return response


def _json(response: httpx.Response, where: str) -> Any:
    try:
        return response.json()
    except ValueError:
        raise ContractViolation(BACKEND, f"{where} did not answer JSON") from None
