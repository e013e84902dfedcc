"""Ticket upload limits under real conditions: for each bad upload, the answer (HTTP status and code), the time
to it, the demo process's memory, and whether anything was stored.

One `wispgate demo` child on loopback (BFF + sandbox in one process, default limits: 5 MB per file, 5 files
per message, 10 per ticket, 25 MB per multipart body). Ana signs in with a bearer token; each case is one
`openTicket` GraphQL multipart request. The 100 MB cases speak raw HTTP/1.1 so the client can keep sending
while watching for the answer. **Time** = request start → answer received; **RSS growth** = the child's peak
resident memory during the case (VmHWM, reset through /proc/PID/clear_refs before it) minus its resident
memory before; **stored** = tickets and attachments the CRM holds afterwards minus before (read through the
operator API).

Run: `python bench/uploads.py [--write]`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.results import write_section
from tests.harness.portal import LOGIN
from tests.harness.process import free_port, product_env, served, wispgate

MB = 1024 * 1024
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
OPERATOR = {"x-api-key": "sandbox-operator-key"}
QUERY = (
    "mutation($input: OpenTicketInput!) { openTicket(input: $input) {"
    " ticket { number attachments { filename } } userErrors { code } } }"
)


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def reset_peak(pid: int) -> None:
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/clear_refs").write_text("5")


def stored(base: str) -> tuple[int, int]:
    items = httpx.get(f"{base}/_sandbox/crm/v1/ops/tickets?status=OPEN", headers=OPERATOR, timeout=10).json()
    return len(items["items"]), sum(t["attachment_count"] for t in items["items"])


def form(files: list[tuple[str, bytes, str]]) -> dict[str, Any]:
    variables = {
        "input": {
            "category": "CONNECTIVITY",
            "subject": "Wi-Fi",
            "description": "Drops.",
            "attachments": [None] * len(files),
        }
    }
    return {
        "data": {
            "operations": json.dumps({"query": QUERY, "variables": variables}),
            "map": json.dumps({str(i): [f"variables.input.attachments.{i}"] for i in range(len(files))}),
        },
        "files": {str(i): f for i, f in enumerate(files)},
    }


async def raw_100mb(port: int, token: str, *, declared: bool) -> tuple[str, str, float]:
    boundary = b"wgb"
    head = (
        b'--wgb\r\ncontent-disposition: form-data; name="operations"\r\n\r\n'
        + json.dumps(
            {
                "query": QUERY.replace("$input: OpenTicketInput!", "$f: [Upload!]").replace(
                    "input: $input",
                    'input: {category: OTHER, subject: "s", description: "d", attachments: $f}',
                ),
                "variables": {"f": [None]},
            }
        ).encode()
        + b'\r\n--wgb\r\ncontent-disposition: form-data; name="map"\r\n\r\n{"0": ["variables.f.0"]}\r\n'
        b'--wgb\r\ncontent-disposition: form-data; name="0"; filename="big.png"\r\ncontent-type: image/png\r\n\r\n'
    )
    total = 100 * MB
    started = time.monotonic()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    headers = (
        b"POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer " + token.encode() + b"\r\n"
        b"content-type: multipart/form-data; boundary=" + boundary + b"\r\n"
    )
    headers += b"content-length: %d\r\n\r\n" % total if declared else b"transfer-encoding: chunked\r\n\r\n"
    writer.write(headers)
    await writer.drain()
    answer = asyncio.create_task(reader.read(4096))
    await asyncio.wait({answer}, timeout=0.5)  # a declared length may be refused before any body is sent
    chunk = head + b"\x00" * (256 * 1024 - len(head))
    sent = 0
    try:
        while not answer.done() and sent < total:
            writer.write(chunk if declared else b"%x\r\n%s\r\n" % (len(chunk), chunk))
            await writer.drain()
            await asyncio.sleep(0)
            sent += len(chunk)
            chunk = b"\x00" * len(chunk)
    except ConnectionError:
        pass
    try:
        response = await asyncio.wait_for(answer, 60)
        with contextlib.suppress(ConnectionError, TimeoutError):
            response += await asyncio.wait_for(reader.read(4096), 5)  # the body, when it came separately
    except ConnectionError:
        response = b"(connection reset before the answer was read)"
    elapsed = time.monotonic() - started
    writer.close()
    status = response.split(b" ", 2)[1].decode() if response.startswith(b"HTTP/1.1") else "?"
    # With megabytes still unread in the socket, the server's close may reset the connection before the
    # JSON body reaches this client; the status line and headers always arrive.
    code = "REQUEST_TOO_LARGE" if b"REQUEST_TOO_LARGE" in response else "(body lost to the reset)"
    return status, f"{code} (after {sent / MB:.1f} MB sent)", elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = product_env()
    cases: list[tuple[str, list[tuple[str, bytes, str]]]] = [
        ("6 MB PNG (limit 5 MB)", [("big.png", PNG + b"\x00" * (6 * MB), "image/png")]),
        ("6 files in one message (limit 5)", [("a.png", PNG, "image/png")] * 6),
        ("Windows .exe named photo.png", [("photo.png", b"MZ\x90\x00" + b"\x00" * 4096, "image/png")]),
        ("HTML named photo.png", [("photo.png", b"<html><script>alert(1)</script></html>", "image/png")]),
        ("name ../../etc/passwd.png (a real PNG)", [("../../etc/passwd.png", PNG, "image/png")]),
    ]
    rows = []
    with served(("wispgate demo", wispgate("demo", "--port", str(port)), env, f"{base}/readyz")) as children:
        pid = children[0].process.pid
        with httpx.Client(base_url=base, timeout=60) as http:
            login = http.post(
                "/graphql",
                json={
                    "query": LOGIN,
                    "variables": {
                        "email": "ana@lima.example",
                        "password": "wispgate-demo",
                        "delivery": "BODY",
                    },
                },
            ).json()
            token = login["data"]["login"]["accessToken"]
            auth = {"Authorization": f"Bearer {token}"}
            for name, files in cases:
                before, rss = stored(base), status_kb(pid, "VmRSS")
                reset_peak(pid)
                started = time.monotonic()
                response = http.post("/graphql", **form(files), headers=auth)
                elapsed = time.monotonic() - started
                body = response.json()
                result = (body.get("data") or {}).get("openTicket") or {}
                errors = result.get("userErrors") or []
                if errors:
                    code = errors[0]["code"]
                elif result.get("ticket"):
                    code = "stored as " + ", ".join(a["filename"] for a in result["ticket"]["attachments"])
                else:
                    code = body.get("errors", [{}])[0].get("extensions", {}).get("code", "?")
                after = stored(base)
                growth = (status_kb(pid, "VmHWM") - rss) / 1024
                delta = (after[0] - before[0], after[1] - before[1])
                rows.append((name, str(response.status_code), code, elapsed, growth, delta))
        for declared in (True, False):
            before, rss = stored(base), status_kb(pid, "VmRSS")
            reset_peak(pid)
            status, code, elapsed = asyncio.run(raw_100mb(port, token, declared=declared))
            growth = (status_kb(pid, "VmHWM") - rss) / 1024
            after = stored(base)
            name = (
                "100 MB body, Content-Length declared"
                if declared
                else "100 MB body, chunked (nothing declared)"
            )
            rows.append((name, status, code, elapsed, growth, (after[0] - before[0], after[1] - before[1])))
    lines = [
        "## Ticket uploads: limits (bench/uploads.py)",
        "",
        "One `wispgate demo` on loopback, default limits (5 MB/file, 5 files/message, 10/ticket, 25 MB/body);",
        "each case one `openTicket` multipart request signed in as Ana. Stored = (tickets, attachments) added.",
        "The machine was shared with other engineers' test runs: times are upper bounds.",
        "",
        "| case | HTTP | code | time | RSS growth | stored |",
        "|---|---|---|---|---|---|",
    ]
    for name, status, code, elapsed, growth, delta in rows:
        lines.append(f"| {name} | {status} | {code} | {elapsed * 1000:.0f} ms | {growth:.1f} MB | {delta} |")
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_section("uploads", text)


if __name__ == "__main__":
    main()
