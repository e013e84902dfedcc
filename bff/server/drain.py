"""Draining: the first SIGTERM makes `/readyz` answer 503 while the process keeps serving, so the load
balancer stops sending it new requests; `delay_s` later uvicorn's own shutdown runs (stop accepting, finish
the requests in flight, close WebSockets with 1012 "service restart").

The signal is wrapped only when the app is served by the `wispgate` command (the app's lifespan runs in the
main thread under uvicorn, whose handler is the one we defer to). A second SIGTERM, or SIGINT, stops at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import Iterator
from types import FrameType

log = logging.getLogger("wispgate.drain")


class Drain:
    def __init__(self, delay_s: float = 0.0) -> None:
        self.delay_s = delay_s
        self.draining = False

    def begin(self) -> None:
        if not self.draining:
            self.draining = True
            log.info("draining: /readyz answers 503; shutting down in %.1f s", self.delay_s)

    @contextlib.contextmanager
    def on_sigterm(self) -> Iterator[None]:
        """While entered (in a running event loop): SIGTERM begins draining, then reaches the handler that
        was installed before (uvicorn's) after `delay_s`."""
        previous = signal.getsignal(signal.SIGTERM)
        if threading.current_thread() is not threading.main_thread() or not callable(previous):
            yield  # not served by uvicorn in this thread: nothing to defer to
            return
        loop = asyncio.get_running_loop()

        def handle(sig: int, frame: FrameType | None) -> None:
            if self.draining or self.delay_s <= 0:
                self.begin()
                previous(sig, frame)
                return
            self.begin()
            # A signal handler may interrupt the loop anywhere: schedule through the thread-safe entry.
            loop.call_soon_threadsafe(loop.call_later, self.delay_s, previous, sig, None)

        signal.signal(signal.SIGTERM, handle)
        try:
            yield
        finally:
            if signal.getsignal(signal.SIGTERM) is handle:
                signal.signal(signal.SIGTERM, previous)
