"""The graph under test: the real BFF app (`create_app`) over the test's own sandbox, in-process (`portal`,
`sign_in`, `make_portal` and the sandbox come from `tests/conftest.py`), with payments on; Billing's port to
arrange what the portal cannot do itself; and sandboxes whose bench subscriber has N sub-services, for the
tests that count backend calls as N grows."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from adapters.ports.billing import BillingPort
from adapters.wispgate.billing import HttpBilling
from adapters.wispgate.client import BackendConfig, CoreClient, make_http_client
from bff.core.settings import Settings
from sandbox.app import Sandbox
from tests.harness.portal import GATEWAY_URL, portal_settings
from tests.harness.sandbox import SandboxTemplate
from tests.harness.transport import DispatchTransport


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Payments on, as in production: the sandbox's gateway behind `GATEWAY_URL`."""
    return portal_settings(tmp_path, GATEWAY_URL=GATEWAY_URL)


@pytest.fixture
async def billing_port(sandbox: Sandbox) -> AsyncIterator[BillingPort]:
    """Billing's port over this test's sandbox, for arranging what the portal cannot do itself. Its own
    transport: the portal's request counts stay the portal's."""
    config = BackendConfig("http://billing.test", sandbox.settings.service_key)
    async with make_http_client(config, DispatchTransport.to(sandbox.systems)) as http:
        yield HttpBilling(CoreClient("billing", http))


@pytest.fixture(scope="session")
def bench_templates(
    tmp_path_factory: pytest.TempPathFactory, today: date
) -> Callable[[int], SandboxTemplate]:
    """`bench_templates(n)`: the demo world plus a bench subscriber with `n` sub-services, seeded once per n."""
    seeded: dict[int, SandboxTemplate] = {}

    def get(n: int) -> SandboxTemplate:
        if n not in seeded:
            seeded[n] = SandboxTemplate.seed(tmp_path_factory.mktemp(f"bench-{n}"), today, n)
        return seeded[n]

    return get


@pytest.fixture
def bench_sandbox(
    bench_templates: Callable[[int], SandboxTemplate], tmp_path: Path
) -> Iterator[Callable[[int], Sandbox]]:
    """`bench_sandbox(n)`: this test's own copy of the sandbox whose bench subscriber has `n` sub-services."""
    opened: list[Sandbox] = []

    def get(n: int) -> Sandbox:
        sandbox = bench_templates(n).copy(tmp_path / f"bench-{n}")
        opened.append(sandbox)
        return sandbox

    yield get
    for sandbox in opened:
        sandbox.close()
