"""Fixtures every test area shares: a pinned `today` and the seed world built on it, a real Redis, and the
harness (`tests/harness`): a sandbox of the test's own copied from the session's template, the dispatch
transport over it, and started portals with their client."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import pytest

from bff.core.settings import Settings
from sandbox.app import Sandbox
from sandbox.world import World, demo_world
from tests.harness.portal import MakePortal, Portal, SignIn, portal_settings, start_portal
from tests.harness.sandbox import SandboxTemplate
from tests.harness.transport import DispatchTransport


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


# ------------------------------------------------------------------------------------------ the harness


@pytest.fixture(scope="session")
def sandbox_template(tmp_path_factory: pytest.TempPathFactory, today: date) -> SandboxTemplate:
    """The demo world seeded once for the whole run; tests get copies (`sandbox`)."""
    return SandboxTemplate.seed(tmp_path_factory.mktemp("sandbox-template"), today)


@pytest.fixture
def sandbox(sandbox_template: SandboxTemplate, tmp_path: Path) -> Iterator[Sandbox]:
    """This test's own copy of the seeded sandbox: change anything."""
    opened = sandbox_template.copy(tmp_path / "sandbox")
    yield opened
    opened.close()


@pytest.fixture
def transport(sandbox: Sandbox) -> DispatchTransport:
    """Every system of this test's sandbox at `http://<name>.test`, counting requests per host."""
    return DispatchTransport.to(sandbox.systems)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return portal_settings(tmp_path)


@pytest.fixture
async def make_portal(settings: Settings, transport: DispatchTransport) -> AsyncIterator[MakePortal]:
    """`await make_portal()`: another started app and a client of it, by default with `settings` over this
    test's sandbox; `make_portal(other_settings)`; `make_portal(sandbox=other)` over another sandbox (with a
    transport of its own). All are stopped at teardown."""
    async with contextlib.AsyncExitStack() as stack:

        async def start(with_settings: Settings | None = None, *, sandbox: Sandbox | None = None) -> Portal:
            over = transport if sandbox is None else DispatchTransport.to(sandbox.systems)
            return await stack.enter_async_context(start_portal(with_settings or settings, over))

        yield start


@pytest.fixture
async def portal(make_portal: MakePortal) -> Portal:
    """The app with `settings` over this test's sandbox, and an anonymous client of it."""
    return await make_portal()


@pytest.fixture
def sign_in(portal: Portal) -> SignIn:
    """`await sign_in(email)`: a new client of the test's app signed in as that seeded user (bearer token),
    as their own browser or phone would be; `portal` stays anonymous."""

    async def sign_in_as(email: str) -> Portal:
        return await portal.another().sign_in(email)

    return sign_in_as
