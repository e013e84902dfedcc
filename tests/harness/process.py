"""The product's own commands (`wispgate demo`, `wispgate serve`, `wispgate sandbox`) as child processes on
loopback ports: started with an environment of the test's making, awaited until they answer, stopped.

Tests that need a real server (a browser, WebSockets across two instances) run exactly what an operator
runs, so the entry points and their configuration from the environment are under test too.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

REPO = Path(__file__).resolve().parents[2]
READY_TIMEOUT_S = 60.0

# Configuration the product reads from the environment: never inherited from the shell running the tests.
_PRODUCT_ENV_PREFIXES = (
    "WISPGATE_",
    "SANDBOX_",
    "REDIS_",
    "BILLING_",
    "CRM_",
    "AAA_",
    "OSS_",
    "JWT_",
    "CORE_EVENTS_",
    "GATEWAY_",
    "SESSION_",
    "COOKIE_",
    "FILES_",
    "BRAND_",
)
_PRODUCT_ENV_NAMES = {"PUBLIC_URL", "ALLOWED_ORIGINS", "WEB_DIST"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def product_env(**env: str) -> dict[str, str]:
    """This process's environment without any of the product's configuration, plus `env`."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in _PRODUCT_ENV_NAMES and not k.startswith(_PRODUCT_ENV_PREFIXES)
    }
    return {**clean, "PYTHONUNBUFFERED": "1", **env}


def wispgate(*args: str) -> list[str]:
    """The `wispgate` command line with this interpreter's installation."""
    script = Path(sys.executable).with_name("wispgate")
    base = [str(script)] if script.exists() else [sys.executable, "-m", "bff.server.cli"]
    return [*base, *args]


def answers(url: str) -> bool:
    """GET `url` answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own loopback http URL
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


class Child:
    """One started command, its output kept in a temporary file for the failure message."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], ready_url: str) -> None:
        self.name = name
        self.ready_url = ready_url
        self._log: IO[bytes] = tempfile.TemporaryFile(mode="w+b")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(  # noqa: S603 - our own entry point, arguments of our making
            command, cwd=REPO, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )

    def output(self, limit: int | None = 6000) -> str:
        """What the command printed: the last `limit` characters (all of it with None)."""
        self._log.flush()
        self._log.seek(0)
        text = self._log.read().decode(errors="replace")
        return text if limit is None else text[-limit:]

    def wait_ready(self, deadline: float) -> None:
        """Until `ready_url` answers 200; fails the test with the command's output if it exits or the
        deadline (a `time.monotonic()`) passes first."""
        while not answers(self.ready_url):
            if self.process.poll() is not None:
                pytest.fail(
                    f"`{self.name}` exited with {self.process.returncode} before it was ready:\n{self.output()}"
                )
            if time.monotonic() > deadline:
                pytest.fail(f"`{self.name}` not ready after {READY_TIMEOUT_S:.0f} s:\n{self.output()}")
            time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        self._log.close()


@contextlib.contextmanager
def served(*children: tuple[str, list[str], dict[str, str], str]) -> Iterator[list[Child]]:
    """Start every `(name, command, env, ready_url)` at once, wait until each answers, stop them all (last
    started first) on exit."""
    started: list[Child] = []
    try:
        for name, command, env, ready_url in children:
            started.append(Child(name, command, env, ready_url))
        deadline = time.monotonic() + READY_TIMEOUT_S
        for child in started:
            child.wait_ready(deadline)
        yield started
    finally:
        for child in reversed(started):
            child.stop()
