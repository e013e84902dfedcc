"""`RawWire` against a hand-written HTTP/1.1 peer: what only its own connection handling decides — reuse,
chunked and cut-short answers, a peer that closes idle connections, the connection cap, bounded answers and
header values that try to forge a header."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from adapters.errors import Unavailable
from adapters.wispgate import rawwire
from adapters.wispgate.rawwire import RawWire

Handler = Callable[[bytes, asyncio.StreamWriter], Awaitable[bool]]  # False: close the connection after


class Peer:
    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.connections = 0
        self.requests: list[bytes] = []
        self.in_flight = 0
        self.most_in_flight = 0

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                body = await reader.readexactly(length) if length else b""
                self.requests.append(head + body)
                self.in_flight += 1
                self.most_in_flight = max(self.most_in_flight, self.in_flight)
                try:
                    keep = await self.handler(head, writer)
                finally:
                    self.in_flight -= 1
                await writer.drain()
                if not keep:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def answer(body: bytes = b'{"ok":true}', status: str = "200 OK") -> bytes:
    return (
        f"HTTP/1.1 {status}\r\ncontent-length: {len(body)}\r\ncontent-type: application/json\r\n\r\n".encode()
        + body
    )


@contextlib.asynccontextmanager
async def peer(handler: Handler) -> AsyncIterator[tuple[Peer, str]]:
    p = Peer(handler)
    server = await asyncio.start_server(p.serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield p, f"http://127.0.0.1:{port}/base"
    finally:
        server.close()


def wire(url: str, **kw: float) -> RawWire:
    options = {"connect_timeout_s": 1.0, "read_timeout_s": 2.0, "max_connections": 4, **kw}
    return RawWire("oss", url, {"x-api-key": "k"}, **options)  # type: ignore[arg-type]


async def test_connections_are_reused_after_a_complete_answer() -> None:
    async def ok(_head: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(answer())
        return True

    async with peer(ok) as (p, url):
        w = wire(url)
        for _ in range(5):
            got = await w.send("POST", "/v1/devices:batch", json_body={"ids": ["SS-1"]})
            assert (got.status, got.json()) == (200, {"ok": True})
        await w.aclose()
    assert p.connections == 1 and len(p.requests) == 5
    first = p.requests[0]
    assert first.startswith(b"POST /base/v1/devices:batch HTTP/1.1\r\n")
    assert b"\r\nhost: 127.0.0.1:" in first and b"\r\nx-api-key: k\r\n" in first
    assert first.endswith(b'\r\n\r\n{"ids":["SS-1"]}')


async def test_a_chunked_answer_is_joined_and_a_closing_peer_is_not_reused() -> None:
    async def chunked(_head: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n")
        writer.write(b'5\r\n{"a":\r\n2\r\n1}\r\n0\r\n\r\n')
        return False

    async with peer(chunked) as (p, url):
        w = wire(url)
        assert [(await w.send("GET", "/v1/x")).json() for _ in range(2)] == [{"a": 1}, {"a": 1}]
        await w.aclose()
    assert p.connections == 2


async def test_an_idle_connection_the_peer_closed_is_replaced() -> None:
    async def once(_head: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(answer())
        return False  # like a server whose keep-alive ran out, without saying so in the answer

    async with peer(once) as (p, url):
        w = wire(url)
        await w.send("POST", "/v1/a", json_body={})
        await asyncio.sleep(0)  # the peer's close reaches the idle connection
        for _ in range(50):
            if not w._idle or not w._idle[0].open:
                break
            await asyncio.sleep(0.01)
        got = await w.send("POST", "/v1/b", json_body={})
        await w.aclose()
    assert got.status == 200 and p.connections == 2


async def test_an_answer_cut_short_is_unavailable() -> None:
    async def cut(_head: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(b'HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{"partial"')
        return False

    async with peer(cut) as (_p, url):
        w = wire(url)
        with pytest.raises(Unavailable) as failed:
            await w.send("POST", "/v1/x", json_body={})
        await w.aclose()
    assert "POST /v1/x failed" in failed.value.message


async def test_an_answer_larger_than_the_bound_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rawwire, "MAX_BODY", 1000)

    async def big(_head: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(answer(b"x" * 5000))
        return True

    async with peer(big) as (_p, url):
        w = wire(url)
        with pytest.raises(Unavailable):
            await w.send("GET", "/v1/x")
        await w.aclose()


async def test_no_more_than_max_connections_at_once() -> None:
    release = asyncio.Event()

    async def slow(_head: bytes, writer: asyncio.StreamWriter) -> bool:
        await release.wait()
        writer.write(answer())
        return True

    async with peer(slow) as (p, url):
        w = wire(url, max_connections=3)
        calls = [asyncio.create_task(w.send("GET", f"/v1/{i}")) for i in range(10)]
        for _ in range(100):
            if p.in_flight == 3:
                break
            await asyncio.sleep(0.01)
        release.set()
        answers = await asyncio.gather(*calls)
        await w.aclose()
    assert [a.status for a in answers] == [200] * 10
    assert p.most_in_flight == 3 and p.connections == 3


async def test_a_header_value_cannot_forge_another_header() -> None:
    async def ok(_head: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(answer())
        return True

    async with peer(ok) as (p, url):
        w = wire(url)
        await w.send("GET", "/v1/x", headers={"x-request-id": "abc\r\nx-admin: yes", "idempotency-key": "k1"})
        await w.aclose()
    assert b"x-admin" not in p.requests[0] and b"\r\nidempotency-key: k1\r\n" in p.requests[0]


def test_it_runs_on_uvloop_as_the_server_does() -> None:
    """`wispgate serve` runs on uvloop, whose transports are not `asyncio.Transport` subclasses."""
    import uvloop  # uvicorn[standard]'s, a dependency of the product

    async def ok(_head: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(answer())
        return True

    async def calls() -> list[int]:
        async with peer(ok) as (_p, url):
            w = wire(url)
            try:
                return [(await w.send("POST", "/v1/x", json_body={})).status for _ in range(3)]
            finally:
                await w.aclose()

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        assert runner.run(calls()) == [200, 200, 200]
