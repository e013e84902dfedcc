"""Fixtures every test area shares: a pinned `today` and the seed world built on it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import date
from urllib.parse import urlparse

import pytest

from sandbox.world import World, demo_world


@pytest.fixture(scope="session")
def today() -> date:
    # Pinned so seeded dates ("due in 5 days") are reproducible; systems take `today` from the world.
    return date(2026, 11, 25)


@pytest.fixture(scope="session")
def world(today: date) -> World:
    return demo_world(today)


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real Redis: REDIS_URL or 127.0.0.1:6379 when it answers, else a redis-server started for the run."""
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    parsed = urlparse(url)
    if _answers(parsed.hostname or "127.0.0.1", parsed.port or 6379):
        yield url
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail(
            "These tests need a real Redis: none answers at "
            f"{url} and no redis-server is on PATH (apt-get install redis-server)."
        )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(  # noqa: S603 - a fixed binary and arguments
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not _answers("127.0.0.1", port):
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail("redis-server was started for the tests but never answered")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)
