"""The Zammad adapter against recorded Zammad REST answers (`fixtures/`, shaped as Zammad's API documentation
shows them, `expand=true` where the adapter asks for it), with respx: one router for Zammad's API
(`tests.harness.zammad`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import respx

from adapters.errors import NotFound
from adapters.ports.crm import Subscriber
from adapters.zammad.client import ZammadClient, make_zammad_http
from adapters.zammad.config import ZammadConfig
from adapters.zammad.tickets import ZammadTickets
from tests.harness.zammad import API, GROUPS, TOKEN, ZAMMAD

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


class Directory:
    """The CRM's answer for the subscriber (its own adapter is tested against the sandbox elsewhere)."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def subscriber(self, subscriber_id: str) -> Subscriber:
        self.asked.append(subscriber_id)
        if subscriber_id not in ("SUB-1001", 'SUB-1001" OR customer_id:*'):
            raise NotFound("crm", "subscriber not found")
        return Subscriber(
            id=subscriber_id,
            account_number="100-1001",
            name="Ana Lima",
            kind="RESIDENTIAL",
            email="Ana@Lima.example",
            phone="+1 555 0100",
            address="1 Main St",
            subservice_count=2,
        )


def config(**overrides: Any) -> ZammadConfig:
    values: dict[str, Any] = {"url": ZAMMAD, "token": TOKEN, "groups": GROUPS, **overrides}
    return ZammadConfig(**values)


@pytest.fixture
def zammad_api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=API, assert_all_called=False, assert_all_mocked=True) as router:
        yield router


@pytest.fixture
async def make_tickets() -> AsyncIterator[Any]:
    clients: list[httpx.AsyncClient] = []

    def make(**overrides: Any) -> ZammadTickets:
        conf = config(**overrides)
        http = make_zammad_http(conf)
        clients.append(http)
        return ZammadTickets(ZammadClient(http), conf, Directory(), clock=lambda: NOW)

    yield make
    for http in clients:
        await http.aclose()


@pytest.fixture
def tickets(make_tickets: Any) -> ZammadTickets:
    made: ZammadTickets = make_tickets()
    return made
