"""`HttpAaa` against the real AAA sandbox, in-process through httpx.ASGITransport."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from adapters.errors import NotFound, Rejected
from adapters.wispgate.aaa import HttpAaa
from adapters.wispgate.client import BackendConfig, CoreClient, make_http_client
from sandbox.aaa.system import AaaSystem
from sandbox.common.system import SystemConfig
from sandbox.world import World, with_bench_subscriber


def make_system(tmp_path: Path, world: World) -> AaaSystem:
    system = AaaSystem(SystemConfig(db_path=str(tmp_path / "aaa.sqlite3")))
    system.seed(world)
    return system


async def adapter_for(system: AaaSystem) -> tuple[HttpAaa, httpx.AsyncClient]:
    config = BackendConfig(base_url="http://aaa.test", api_key=system.config.service_key)
    http = make_http_client(config, transport=httpx.ASGITransport(app=system.asgi()))
    return HttpAaa(CoreClient("aaa", http)), http


@pytest.fixture
def system(tmp_path: Path, world: World) -> AaaSystem:
    return make_system(tmp_path, world)


@pytest.fixture
async def aaa(system: AaaSystem) -> AsyncIterator[HttpAaa]:
    adapter, http = await adapter_for(system)
    async with http:
        yield adapter


async def test_statuses(aaa: HttpAaa) -> None:
    statuses = await aaa.statuses(["SS-1002-1", "SS-1003-1", "SS-1001-1", "unknown"])
    assert set(statuses) == {"SS-1002-1", "SS-1003-1", "SS-1001-1"}
    assert (statuses["SS-1002-1"].status, statuses["SS-1002-1"].reason) == ("SUSPENDED", "NON_PAYMENT")
    assert statuses["SS-1003-1"].reason == "ADMINISTRATIVE"
    assert statuses["SS-1001-1"].reason is None
    assert statuses["SS-1001-1"].subscriber_id == "SUB-1001"
    assert isinstance(statuses["SS-1002-1"].since, datetime) and statuses["SS-1002-1"].since.tzinfo
    assert await aaa.statuses([]) == {}


async def test_status_and_not_found(aaa: HttpAaa) -> None:
    status = await aaa.status("SS-1003-1")
    assert (status.status, status.note) == ("SUSPENDED", "Suspended by the operator")
    with pytest.raises(NotFound):
        await aaa.status("SS-0000")
    # An id that would change the path if not encoded is still just an unknown id.
    with pytest.raises(NotFound):
        await aaa.status("../ops/subservices")


async def test_status_history(aaa: HttpAaa) -> None:
    history = await aaa.status_history("SS-1002-1")
    assert [(c.from_status, c.to_status) for c in history] == [("ACTIVE", "SUSPENDED"), (None, "ACTIVE")]
    assert history[0].actor == "SYSTEM" and history[0].at.tzinfo is not None
    assert len(await aaa.status_history("SS-1002-1", limit=1)) == 1
    with pytest.raises(NotFound):
        await aaa.status_history("SS-0000")
    with pytest.raises(Rejected) as info:
        await aaa.status_history("SS-1002-1", limit=0)
    assert info.value.status == 422


async def test_profiles(aaa: HttpAaa) -> None:
    profiles = await aaa.profiles(["SS-1001-1", "SS-1001-2"])
    assert (profiles["SS-1001-1"].down_mbps, profiles["SS-1001-1"].up_mbps) == (300, 50)
    assert profiles["SS-1001-1"].restricted is False
    assert profiles["SS-1001-2"].down_mbps is None and profiles["SS-1001-2"].plan == "TV Basic"


async def test_sessions(aaa: HttpAaa) -> None:
    sessions = await aaa.sessions(["SS-1001-1", "SS-1002-1"])
    assert sessions["SS-1001-1"].online and sessions["SS-1001-1"].ip is not None
    assert sessions["SS-1001-1"].started_at is not None and sessions["SS-1001-1"].started_at.tzinfo
    assert not sessions["SS-1002-1"].online and sessions["SS-1002-1"].ip is None
    assert sessions["SS-1002-1"].started_at is None


async def test_reactivate(aaa: HttpAaa, system: AaaSystem) -> None:
    result = await aaa.reactivate("SS-1002-1", "NON_PAYMENT", "Invoice paid")
    assert result.changed and result.status.status == "ACTIVE" and result.status.note == "Invoice paid"
    again = await aaa.reactivate("SS-1002-1", "NON_PAYMENT")
    assert not again.changed and again.status.status == "ACTIVE"
    assert len(system.outbox.list()) == 1


async def test_reactivate_reason_mismatch(aaa: HttpAaa) -> None:
    with pytest.raises(Rejected) as info:
        await aaa.reactivate("SS-1003-1", "NON_PAYMENT")
    assert (info.value.code, info.value.status) == ("REASON_MISMATCH", 409)
    assert (await aaa.status("SS-1003-1")).status == "SUSPENDED"
    with pytest.raises(NotFound):
        await aaa.reactivate("SS-0000", "NON_PAYMENT")


async def test_batches_above_1000_are_chunked(tmp_path: Path, world: World) -> None:
    bench = with_bench_subscriber(world, 1000)
    system = make_system(tmp_path, bench)
    ids = [s.id for s in bench.subservices]
    assert len(ids) > 1000
    calls: list[str] = []
    adapter, http = await adapter_for(system)

    async def count(request: httpx.Request) -> None:
        calls.append(request.url.path)

    http.event_hooks["request"].append(count)
    async with http:
        statuses = await adapter.statuses(ids)
        profiles = await adapter.profiles(ids)
        sessions = await adapter.sessions(ids)
    assert set(statuses) == set(profiles) == set(sessions) == set(ids)
    assert sorted(calls) == sorted(["/v1/status:batch", "/v1/profiles:batch", "/v1/sessions:batch"] * 2)


async def test_set_profile(aaa: HttpAaa) -> None:
    changed = await aaa.set_profile("SS-1001-1", "Fiber 1000", 1000, 200, idempotency_key="plan:1")
    assert changed.changed is True
    assert (changed.profile.plan, changed.profile.down_mbps, changed.profile.up_mbps) == (
        "Fiber 1000",
        1000,
        200,
    )
    assert (await aaa.profiles(["SS-1001-1"]))["SS-1001-1"].down_mbps == 1000
    again = await aaa.set_profile("SS-1001-1", "Fiber 1000", 1000, 200, idempotency_key="plan:1")
    assert again.changed is True  # the key's first answer
    with pytest.raises(NotFound):
        await aaa.set_profile("SS-NOPE", "Fiber 1000", 1000, 200)
