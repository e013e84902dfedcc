"""`ZammadClient`: JSON over Zammad's REST API (`/api/v1/…`) with an agent's access token, under a `Guard`.

Failures become `adapters.errors`: transport errors, timeouts, 5xx and 429 → Unavailable; 404 → NotFound;
401/403 → Rejected ZAMMAD_UNAUTHORIZED (the token is wrong or lacks a permission: the operator's to fix);
other 4xx → Rejected ZAMMAD_REFUSED with Zammad's `error_human`/`error`; an answer that is not JSON, or
larger than the adapter reads, → ContractViolation. Reads are retried on Unavailable; writes never are
(Zammad has no idempotency key: a repeated POST would make a second article).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from adapters.errors import ContractViolation, NotFound, Rejected, TimedOut, Unavailable
from adapters.resilience.guard import Guard, Policy
from adapters.resilience.retry import retryable
from adapters.zammad.config import ZammadConfig

BACKEND = "zammad"
API = "/api/v1"
MAX_JSON_BYTES = 8 * 1024 * 1024  # a page of expanded tickets, or a ticket's articles
MAX_FILE_BYTES = 26 * 1024 * 1024  # an attachment (the portal's own limit is lower)
DEFAULT_POLICY = Policy(deadline_s=8.0, concurrency=16)
FILE_DEADLINE_S = (
    30.0  # a file (up to the portal's 10 MiB, base64 on the way in) instead of a read's deadline
)


def make_zammad_http(
    config: ZammadConfig, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The one AsyncClient the adapter gets; the composition root owns and closes it."""
    return httpx.AsyncClient(
        base_url=config.url.rstrip("/"),
        headers={"authorization": f"Token token={config.token}", "accept": "application/json"},
        timeout=httpx.Timeout(config.read_timeout_s, connect=config.connect_timeout_s),
        limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
        transport=transport,
        follow_redirects=False,
    )


class ZammadClient:
    def __init__(self, http: httpx.AsyncClient, guard: Guard | None = None) -> None:
        self.http = http
        self.guard = guard if guard is not None else Guard(BACKEND, DEFAULT_POLICY)

    async def get(self, path: str, params: Mapping[str, str | int] | None = None) -> Any:
        return json_of(await self._call("GET", path, params=params), path)

    async def write(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any],
        *,
        on_behalf_of: str | None = None,
        carries_file: bool = False,
    ) -> Any:
        """POST/PUT `body`; with `on_behalf_of` (a Zammad user id, login or e-mail) Zammad does it as that
        user (`X-On-Behalf-Of`: the token's agent needs admin.user): a customer's article is the customer's."""
        headers = {"content-type": "application/json"}
        if on_behalf_of is not None:
            headers["x-on-behalf-of"] = on_behalf_of
        content = json.dumps(body, separators=(",", ":")).encode()
        deadline = self._file_deadline() if carries_file else None
        return json_of(
            await self._call(method, path, content=content, headers=headers, deadline_s=deadline), path
        )

    async def get_bytes(self, path: str) -> bytes:
        return await self._call("GET", path, limit=MAX_FILE_BYTES, deadline_s=self._file_deadline())

    def _file_deadline(self) -> float:
        return max(FILE_DEADLINE_S, self.guard.policy.deadline_s)

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        limit: int = MAX_JSON_BYTES,
        deadline_s: float | None = None,
    ) -> bytes:
        url = f"{API}{path}"
        where = f"{method} {API}{operation_path(path)}"

        async def attempt() -> bytes:
            return await self._send(method, url, params, content, dict(headers or {}), where, limit)

        return await self.guard.run(
            where, attempt, retryable=retryable(method, headers), deadline_s=deadline_s
        )

    async def _send(
        self,
        method: str,
        url: str,
        params: Mapping[str, str | int] | None,
        content: bytes | None,
        headers: dict[str, str],
        where: str,
        limit: int,
    ) -> bytes:
        try:
            async with self.http.stream(
                method, url, params=params, content=content, headers=headers
            ) as response:
                body = await _read_bounded(response, limit, where)
        except httpx.TimeoutException:
            raise TimedOut(BACKEND, f"{where} timed out") from None
        except httpx.HTTPError as exc:
            raise Unavailable(BACKEND, f"{where} failed: {type(exc).__name__}") from None
        status = response.status_code
        if status >= 500 or status == 429:
            raise Unavailable(BACKEND, f"{where} answered {status}")
        if status == 404:
            raise NotFound(BACKEND, f"{where}: not found")
        if status in (401, 403):
            raise Rejected(
                BACKEND, "ZAMMAD_UNAUTHORIZED", f"{where}: {_message(body) or 'not allowed'}", status
            )
        if status >= 400:
            raise Rejected(BACKEND, "ZAMMAD_REFUSED", f"{where}: {_message(body) or 'refused'}", status)
        if status >= 300:
            raise ContractViolation(BACKEND, f"{where} answered {status}")
        return body


async def _read_bounded(response: httpx.Response, limit: int, where: str) -> bytes:
    declared = response.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ContractViolation(BACKEND, f"{where}: an answer of {declared} bytes is more than {limit}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            raise ContractViolation(BACKEND, f"{where}: the answer is more than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _message(body: bytes) -> str:
    """Zammad's error text (`{"error": "…", "error_human": "…"}`), short; "" for anything else."""
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    text = data.get("error_human") or data.get("error")
    return str(text)[:200] if text else ""


def json_of(body: bytes, path: str) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        raise ContractViolation(BACKEND, f"{path}: the answer is not JSON") from None


def operation_path(path: str) -> str:
    """The path with its ids replaced (`/tickets/{id}`), so metrics count operations, not tickets."""
    path = path.split("?", 1)[0]
    return "/".join("{id}" if part.isdigit() else part for part in path.split("/"))
