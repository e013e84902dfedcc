"""A TCP proxy on loopback that fails the way networks and servers fail, for resilience tests.

Put one in front of a backend (point the BFF's `BILLING_URL` at the proxy's port) and switch its mode while
a test runs:

- `PASS`    forward bytes both ways (the backend answers as usual);
- `REFUSE`  close every new connection at once, before any byte is read (a server that is down: the
            client sees a reset or an empty answer at once);
- `HANG`    accept and read, never answer (a server that is stuck: only the client's deadline ends it);
- `DROP`    forward the request, read the backend's answer, throw it away and reset the connection (the
            answer was lost: the backend did the work, the client does not know).

Connections already open when the mode changes keep the mode they started with, except that `HANG` and
`DROP` apply to the next request on a kept-alive connection too (the proxy checks the mode per chunk).
Everything runs in one background thread with its own event loop, so synchronous and asynchronous tests
can both use it.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import socket
import threading
from collections.abc import Iterator


def _kill(writer: asyncio.StreamWriter) -> None:
    """Reset the connection at once. `abort()` alone leaves a transport whose peer already hung up not marked
    closing, and its writer then warns "unclosed" (a ResourceWarning, an error under pytest) when collected."""
    writer.transport.abort()
    writer.close()


class Mode(enum.Enum):
    PASS = "pass"
    REFUSE = "refuse"
    HANG = "hang"
    DROP = "drop"


class FaultProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.mode = Mode.PASS
        self.port = 0
        self.connections = 0  # accepted so far, whatever the mode
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._writers: set[asyncio.StreamWriter] = set()
        # The connections' handler tasks: asyncio keeps only weak references to them, and a collected task
        # (with its streams) warns "unclosed" (an error under pytest) in whichever test runs then.
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FaultProxy:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._thread = threading.Thread(target=self._run, name=f"fault-proxy-{self.port}", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the fault proxy did not start")
        return self

    def set(self, mode: Mode) -> None:
        """Switch the mode; connections kept alive by clients are cut so the next request sees it."""
        self.mode = mode
        loop = self._loop
        if loop is not None and mode is not Mode.PASS:
            loop.call_soon_threadsafe(self._cut_all)

    def stop(self) -> None:
        loop = self._loop
        if loop is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(10)
        self._loop = None

    @contextlib.contextmanager
    def fault(self, mode: Mode) -> Iterator[None]:
        previous = self.mode
        self.set(mode)
        try:
            yield
        finally:
            self.set(previous)

    # ---- the loop's side ----------------------------------------------------------------------------

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        self._server = loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", self.port, reuse_address=True)
        )
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            self._server.close()
            self._cut_all()
            # Connections still open (a client that has not hung up yet) end here, with the loop still
            # running: a handler finalised after `close()` would fail on the closed loop instead.
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()

    def _cut_all(self) -> None:
        for writer in list(self._writers):
            _kill(writer)
        self._writers.clear()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        if self.mode is Mode.REFUSE:
            _kill(writer)
            return
        self._writers.add(writer)
        try:
            if self.mode is Mode.HANG:
                await self._swallow(reader)
                return
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            _kill(writer)
            self._writers.discard(writer)
            return
        try:
            await asyncio.gather(
                self._pipe(reader, up_writer, towards_backend=True),
                self._pipe(up_reader, writer, towards_backend=False),
            )
        finally:
            _kill(up_writer)
            _kill(writer)
            self._writers.discard(writer)

    async def _swallow(self, reader: asyncio.StreamReader) -> None:
        while await reader.read(65536):
            pass

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, towards_backend: bool
    ) -> None:
        while True:
            try:
                chunk = await reader.read(65536)
            except (ConnectionError, OSError):
                return
            if not chunk:
                return
            if self.mode is Mode.HANG:
                await self._swallow(reader)
                return
            if self.mode is Mode.DROP and not towards_backend:
                _kill(writer)  # the backend answered; the answer is lost with the connection
                return
            try:
                writer.write(chunk)
                await writer.drain()
            except (ConnectionError, OSError):
                return
