"""An SMTP server that keeps what it receives: `wispgate demo` runs one so that the CRM's e-mails travel over
a real SMTP connection, and the operator console (and the browser tests) read what arrived.

Nothing is relayed anywhere. The last `capacity` messages are kept in memory, parsed (subject, recipients,
text and HTML parts) for display.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import threading
from collections import deque
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

MAX_MESSAGE_BYTES = 2 * 1024 * 1024


def _part(message: EmailMessage, subtype: str) -> str | None:
    body = message.get_body(preferencelist=(subtype,))
    return None if body is None else str(body.get_content())


class _Handler:
    def __init__(self, sink: MailSink) -> None:
        self.sink = sink

    async def handle_DATA(self, _server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        parsed = message_from_bytes(raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.sink.keep(
            {
                "received_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                "peer": str(session.peer[0]) if session.peer else None,
                "mail_from": envelope.mail_from,
                "rcpt_to": list(envelope.rcpt_tos),
                "from": str(parsed.get("From", "")),
                "to": str(parsed.get("To", "")),
                "subject": str(parsed.get("Subject", "")),
                "message_id": str(parsed.get("Message-ID", "")),
                "content_type": parsed.get_content_type(),
                "text": _part(parsed, "plain"),
                "html": _part(parsed, "html"),
                "size": len(raw),
            }
        )
        return "250 Message accepted for delivery"


class MailSink:
    """`start()` binds 127.0.0.1 on a free port (or `port`); `url` is the SMTP_URL to send to it."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, capacity: int = 500, **smtp_options: Any
    ) -> None:
        """`smtp_options`: aiosmtpd's SMTP parameters (TLS, authentication) for tests of those."""
        self._messages: deque[dict[str, Any]] = deque(maxlen=capacity)
        self._lock = threading.Lock()
        # The server's own loop, in its own thread; aiosmtpd leaves closing it to whoever made it.
        self._loop = asyncio.new_event_loop()
        self._controller = Controller(
            _Handler(self),
            hostname=host,
            port=port,
            loop=self._loop,
            data_size_limit=MAX_MESSAGE_BYTES,
            ready_timeout=10,
            **smtp_options,
        )

    @property
    def url(self) -> str:
        return f"smtp://{self._controller.hostname}:{self._controller.port}"

    def start(self) -> MailSink:
        # aiosmtpd logs every connection at INFO on "mail.log" (its own readiness probe included): the console's
        # mail tab is where a demo user reads what arrived, so only its warnings reach the terminal.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        if self._controller.port == 0:
            import socket

            with socket.socket() as probe:
                probe.bind((self._controller.hostname, 0))
                self._controller.port = probe.getsockname()[1]
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()
        self._loop.close()

    def keep(self, message: dict[str, Any]) -> None:
        with self._lock:
            self._messages.appendleft(message)

    def messages(self) -> list[dict[str, Any]]:
        """Newest first."""
        with self._lock:
            return list(self._messages)

    def routes(self, operator_key: str) -> list[BaseRoute]:
        """`GET /mailbox`: what the sink received, for the console (operator key, like the operator API)."""

        async def mailbox(request: Request) -> Response:
            presented = request.headers.get("x-api-key", "").encode()
            if not hmac.compare_digest(presented, operator_key.encode()):
                return JSONResponse(
                    {"error": {"code": "UNAUTHORIZED", "message": "the operator key is required"}}, 401
                )
            return JSONResponse({"smtp_url": self.url, "items": self.messages()})

        return [Route("/mailbox", mailbox, methods=["GET"])]
