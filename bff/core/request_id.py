"""The id of the request being served: taken from a well-formed incoming `X-Request-Id` or made up, put in
every log line of the request (`bff.core.logs`), returned to the client and passed on to every backend the
request calls, so one id follows a request through the BFF and the core's own logs.

A context variable carries it: asyncio copies the context into every task a request starts (dataloader
batches, `gather`ed calls), so nothing has to pass it along by hand.
"""

from __future__ import annotations

import re
import secrets
from contextvars import ContextVar, Token
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

HEADER = "X-Request-Id"
# Short and plain: the id is echoed into logs and other systems' headers, so anything a log parser or a
# header could trip over (spaces, quotes, control characters, kilobytes) is replaced by an id of our own.
_WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:=+/-]{0,63}")

_current: ContextVar[str | None] = ContextVar("wispgate_request_id", default=None)


def current() -> str | None:
    """The id of the request this code runs for; None outside a request (start-up, the bus reader)."""
    return _current.get()


def new_id() -> str:
    return secrets.token_hex(16)


def accept(incoming: str | None) -> str:
    """The client's id when it is well-formed and short, else a new one."""
    if incoming is not None and _WELL_FORMED.fullmatch(incoming):
        return incoming
    return new_id()


def bind(request_id: str) -> Token[str | None]:
    """Make `request_id` current; `unbind(token)` restores the previous one."""
    return _current.set(request_id)


def unbind(token: Token[str | None]) -> None:
    _current.reset(token)


def stamp_headers(headers: dict[str, str]) -> None:
    """The current request's id into `headers`, for backend calls that bypass httpx (`RawWire`)."""
    current_id = _current.get()
    if current_id is not None:
        headers[HEADER] = current_id


async def stamp(request: httpx.Request) -> None:
    """An httpx request hook on every backend client: the current request's id goes with the call."""
    current_id = _current.get()
    if current_id is not None:
        request.headers[HEADER] = current_id
