"""A client that hangs up mid-body is nobody's error: one INFO line, no traceback, no answer (item 14)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from starlette.types import Message

from tests.harness.portal import Portal

# A multipart request without a bearer token must show the CSRF token, as the web's uploads do.
CSRF_PAIR = [(b"cookie", b"wg_csrf=csrf-of-the-test"), (b"x-csrf-token", b"csrf-of-the-test")]
FILE_PART = b'--x\r\ncontent-disposition: form-data; name="f0"; filename="a.bin"\r\n\r\n'


class HangingUp:
    """A client that sends the start of its body, then disconnects."""

    def __init__(self, first: bytes) -> None:
        self.messages: list[Message] = [
            {"type": "http.request", "body": first, "more_body": True},
            {"type": "http.disconnect"},
        ]

    async def receive(self) -> Message:
        if self.messages:
            return self.messages.pop(0)
        return {"type": "http.disconnect"}


def scope_for(headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"portal.test"), *headers],
        "client": ("203.0.113.7", 50000),
        "server": ("portal.test", 80),
    }


@pytest.mark.parametrize(
    ("headers", "first"),
    [
        ([(b"content-type", b"application/json")], b'{"query": "{ __typ'),
        ([(b"content-type", b"multipart/form-data; boundary=x"), *CSRF_PAIR], FILE_PART + b"aaaa"),
    ],
    ids=["json", "multipart"],
)
async def test_a_client_that_hangs_up_mid_body_is_logged_once_at_info(
    portal: Portal, caplog: pytest.LogCaptureFixture, headers: list[tuple[bytes, bytes]], first: bytes
) -> None:
    assert portal.app is not None
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    caplog.set_level(logging.INFO)
    caplog.clear()
    async with asyncio.timeout(10):
        await portal.app(scope_for(headers), HangingUp(first).receive, send)
    assert sent == []  # nobody is left to answer
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    assert not [r for r in caplog.records if r.exc_info], caplog.text
    left = [r for r in caplog.records if "disconnected" in r.getMessage()]
    assert len(left) == 1, caplog.text
    assert left[0].levelno == logging.INFO
