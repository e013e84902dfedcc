"""Upload limits of the ticket mutations: every refusal is coded, comes before the CRM hears of the ticket or
reply, and leaves nothing stored — no ticket, no message, no file on disk. Limits here are the configured
ones (SUPPORT_MAX_FILE_BYTES and friends, set small); the 100 MB bodies go to a real server on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import json
import resource
import time
from pathlib import Path
from typing import Any

import pytest

from bff.core.settings import Settings
from sandbox.app import Sandbox
from tests.harness.portal import GATEWAY_URL, Portal, SignIn, portal_settings
from tests.schema.helpers import gid

MB = 1024 * 1024
LIMIT = 64 * 1024
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 64
OPEN = (
    "mutation($input: OpenTicketInput!) { openTicket(input: $input) {"
    " ticket { number attachments { filename contentType } } userErrors { code field message } } }"
)
REPLY = (
    "mutation($input: ReplyToTicketInput!) { replyToTicket(input: $input) {"
    " ticket { number attachments { filename } } userErrors { code field message } } }"
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return portal_settings(
        tmp_path,
        GATEWAY_URL=GATEWAY_URL,
        SUPPORT_MAX_FILE_BYTES=str(LIMIT),
        SUPPORT_MAX_FILES_PER_MESSAGE="3",
        SUPPORT_MAX_FILES_PER_TICKET="4",
    )


def multipart(query: str, variables: dict[str, Any], files: list[tuple[str, bytes, str]]) -> dict[str, Any]:
    variables["input"]["attachments"] = [None] * len(files)
    return {
        "data": {
            "operations": json.dumps({"query": query, "variables": variables}),
            "map": json.dumps({str(i): [f"variables.input.attachments.{i}"] for i in range(len(files))}),
        },
        "files": {str(i): f for i, f in enumerate(files)},
    }


async def send(
    portal: Portal, query: str, variables: dict[str, Any], files: list[tuple[str, bytes, str]]
) -> Any:
    response = await portal.client.post(
        "/graphql", **multipart(query, variables, files), headers={"Authorization": f"Bearer {portal.token}"}
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]


def opening() -> dict[str, Any]:
    return {"input": {"category": "CONNECTIVITY", "subject": "Wi-Fi", "description": "Drops."}}


class Stored:
    """What the CRM holds for Ana: tickets, messages, files on disk."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def now(self) -> tuple[int, int, int, list[str]]:
        db = self.sandbox.crm.db
        files = sorted(p.name for p in self.sandbox.crm.attachments_dir.iterdir())
        return (
            int(db.scalar("SELECT COUNT(*) FROM tickets")),
            int(db.scalar("SELECT COUNT(*) FROM ticket_messages")),
            int(db.scalar("SELECT COUNT(*) FROM attachments")),
            files,
        )


@pytest.mark.parametrize(
    ("files", "code", "field"),
    [
        (
            [("big.png", PNG + b"\x00" * LIMIT, "image/png")],
            "ATTACHMENT_TOO_LARGE",
            ["input", "attachments", "0"],
        ),
        ([("a.png", PNG, "image/png")] * 4, "TOO_MANY_ATTACHMENTS", ["input", "attachments"]),
        ([("setup.png", EXE, "image/png")], "ATTACHMENT_TYPE_NOT_ALLOWED", ["input", "attachments", "0"]),
        (
            [("page.png", b"<html><script>alert(1)</script>", "image/png")],
            "ATTACHMENT_TYPE_NOT_ALLOWED",
            None,
        ),
        (
            [("notes.txt", PNG, "text/plain")],
            "ATTACHMENT_TYPE_NOT_ALLOWED",
            None,
        ),  # name and content disagree
        ([("x.svg", b"<svg onload=alert(1)>", "image/svg+xml")], "ATTACHMENT_TYPE_NOT_ALLOWED", None),
        ([("ok.png", PNG, "image/png"), ("empty.txt", b"", "text/plain")], "ATTACHMENT_EMPTY", None),
    ],
)
async def test_refused_uploads_store_nothing(
    sign_in: SignIn, sandbox: Sandbox, files: list[tuple[str, bytes, str]], code: str, field: list[str] | None
) -> None:
    ana = await sign_in("ana@lima.example")
    stored = Stored(sandbox)
    before = stored.now()
    result = (await send(ana, OPEN, opening(), files))["openTicket"]
    assert result["ticket"] is None
    [error] = result["userErrors"]
    assert error["code"] == code, error
    if field is not None:
        assert error["field"] == field
    assert stored.now() == before


async def test_too_many_files_on_one_ticket_and_a_disguised_reply(sign_in: SignIn, sandbox: Sandbox) -> None:
    ana = await sign_in("ana@lima.example")
    opened = (await send(ana, OPEN, opening(), [("a.png", PNG, "image/png")] * 3))["openTicket"]
    assert opened["userErrors"] == [] and len(opened["ticket"]["attachments"]) == 3
    ticket_id = gid("Ticket", opened["ticket"]["number"])
    stored = Stored(sandbox)
    before = stored.now()
    reply = {"input": {"ticketId": ticket_id, "body": "more"}}
    over = (await send(ana, REPLY, reply, [("b.png", PNG, "image/png")] * 2))["replyToTicket"]
    assert [e["code"] for e in over["userErrors"]] == ["TOO_MANY_ATTACHMENTS"]
    assert "1 more can be added" in over["userErrors"][0]["message"]
    disguised = (await send(ana, REPLY, dict(reply), [("c.jpg", EXE, "image/jpeg")]))["replyToTicket"]
    assert [e["code"] for e in disguised["userErrors"]] == ["ATTACHMENT_TYPE_NOT_ALLOWED"]
    assert stored.now() == before  # not even the reply's text
    one_more = (await send(ana, REPLY, dict(reply), [("d.png", PNG, "image/png")]))["replyToTicket"]
    assert one_more["userErrors"] == [] and len(one_more["ticket"]["attachments"]) == 4


async def test_path_separators_in_names_are_stripped(sign_in: SignIn, sandbox: Sandbox) -> None:
    ana = await sign_in("ana@lima.example")
    files = [
        ("../../../etc/cron.d/evil.png", PNG, "image/png"),
        ("C:\\Users\\ana\\router.png", PNG, "image/png"),
        ("\x00..%2f.png", PNG, "image/png"),
    ]
    result = (await send(ana, OPEN, opening(), files))["openTicket"]
    assert result["userErrors"] == []
    names = [a["filename"] for a in result["ticket"]["attachments"]]
    assert names[:2] == ["evil.png", "router.png"]
    assert all("/" not in n and "\\" not in n and "\x00" not in n and not n.startswith(".") for n in names)
    # The bytes live under generated names inside the CRM's directory, whatever the client called them.
    on_disk = list(sandbox.crm.attachments_dir.iterdir())
    assert len(on_disk) == 3 and all(p.suffix == ".bin" and len(p.stem) == 32 for p in on_disk)


async def test_a_cookie_upload_without_the_csrf_header_is_refused(portal: Portal, sandbox: Sandbox) -> None:
    await portal.login("ana@lima.example")  # cookies
    before = Stored(sandbox).now()
    response = await portal.client.post(
        "/graphql", **multipart(OPEN, opening(), [("a.png", PNG, "image/png")])
    )
    assert (response.status_code, response.json()["errors"][0]["extensions"]["code"]) == (403, "CSRF_FAILED")
    assert Stored(sandbox).now() == before


# -- 100 MB bodies, on a real server ------------------------------------------------------------------------


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def hundred_megabytes(port: int, *, declared: bool) -> tuple[bytes, int, float]:
    """POST a 100 MB multipart upload: with its Content-Length declared, or chunked (nothing declared).
    Returns (the raw answer, bytes sent before it came, seconds)."""
    started = time.monotonic()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    boundary = b"wgboundary"
    head = (
        b"--" + boundary + b'\r\ncontent-disposition: form-data; name="operations"\r\n\r\n'
        b'{"query": "mutation($f: [Upload!]) { openTicket(input: {category: OTHER, subject: \\"s\\",'
        b' description: \\"d\\", attachments: $f}) { ticket { number } } }", "variables": {"f": [null]}}\r\n'
        b"--"
        + boundary
        + b'\r\ncontent-disposition: form-data; name="map"\r\n\r\n{"0": ["variables.f.0"]}\r\n'
        b"--" + boundary + b'\r\ncontent-disposition: form-data; name="0"; filename="big.png"\r\n'
        b"content-type: image/png\r\n\r\n"
    )
    total = 100 * MB
    headers = (
        b"POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\n"
        b"content-type: multipart/form-data; boundary=" + boundary + b"\r\n"
        b"cookie: wg_csrf=t\r\nx-csrf-token: t\r\n"
    )
    headers += b"content-length: %d\r\n\r\n" % total if declared else b"transfer-encoding: chunked\r\n\r\n"
    writer.write(headers)
    answer = asyncio.create_task(reader.read(4096))
    chunk = head + b"\x00" * (256 * 1024 - len(head))
    sent = 0
    try:
        while not answer.done() and sent < total:
            writer.write(chunk if declared else b"%x\r\n%s\r\n" % (len(chunk), chunk))
            await writer.drain()
            await asyncio.sleep(0)  # the server runs on this loop
            sent += len(chunk)
            chunk = b"\x00" * len(chunk)
    except ConnectionError:
        pass  # the server closed the connection after answering
    response = await answer
    with contextlib.suppress(ConnectionError):
        response += await asyncio.wait_for(reader.read(), 5)
    writer.close()
    return response, sent, time.monotonic() - started


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
async def test_a_100_mb_upload_is_refused_413_early_and_stores_nothing(
    tmp_path: Path, sandbox: Sandbox, declared: bool
) -> None:
    from bff.server.app import create_app
    from tests.bff.server.test_app import serving
    from tests.harness.transport import DispatchTransport

    app = create_app(portal_settings(tmp_path), backends_transport=DispatchTransport.to(sandbox.systems))
    before = Stored(sandbox).now()
    rss_before = _peak_rss_mb()
    async with serving(app) as port, asyncio.timeout(60):
        response, sent, seconds = await hundred_megabytes(port, declared=declared)
    assert response.startswith(b"HTTP/1.1 413 "), response[:200]
    assert b"REQUEST_TOO_LARGE" in response
    # The multipart limit (25 MB by default) stops it: far from the whole 100 MB is ever read or held.
    assert sent <= 30 * MB, sent
    assert _peak_rss_mb() - rss_before < 60, "the refused body was buffered in memory"
    assert Stored(sandbox).now() == before
    assert seconds < 60


async def test_an_upload_variable_in_a_json_body_is_bad_input(sign_in: SignIn, sandbox: Sandbox) -> None:
    ana = await sign_in("ana@lima.example")
    before = Stored(sandbox).now()
    variables = opening()
    variables["input"]["attachments"] = ["/etc/passwd", {"path": "x"}]
    payload = await ana.execute(OPEN, variables)
    assert [e["extensions"]["code"] for e in payload["errors"]] == ["BAD_USER_INPUT"], payload
    assert Stored(sandbox).now() == before
