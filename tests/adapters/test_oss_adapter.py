"""`HttpOss` against the real OSS sandbox, in-process through httpx.ASGITransport."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from adapters.errors import NotFound, Rejected
from adapters.ports.money import Money
from adapters.wispgate.client import BackendConfig, CoreClient, make_http_client
from adapters.wispgate.oss import HttpOss
from sandbox.common.system import SystemConfig
from sandbox.oss.system import OssSystem
from sandbox.world import World, with_bench_subscriber


def make_system(tmp_path: Path, world: World) -> OssSystem:
    system = OssSystem(SystemConfig(db_path=str(tmp_path / "oss.sqlite3")))
    system.seed(world)
    return system


def adapter_for(system: OssSystem) -> tuple[HttpOss, httpx.AsyncClient]:
    config = BackendConfig(base_url="http://oss.test", api_key=system.config.service_key)
    http = make_http_client(config, transport=httpx.ASGITransport(app=system.asgi()))
    return HttpOss(CoreClient("oss", http)), http


@pytest.fixture
async def oss(tmp_path: Path, world: World) -> AsyncIterator[HttpOss]:
    adapter, http = adapter_for(make_system(tmp_path, world))
    async with http:
        yield adapter


async def test_devices_for(oss: HttpOss) -> None:
    devices = await oss.devices_for(["SS-1001-1", "SS-2001-2", "unknown"])
    assert set(devices) == {"SS-1001-1", "SS-2001-2", "unknown"}
    assert [(d.kind, d.model) for d in devices["SS-1001-1"]] == [
        ("ONT", "ONT HG8245"),
        ("ROUTER", "Wi-Fi 6 Router AX3000"),
    ]
    ont = devices["SS-1001-1"][0]
    assert ont.signal_dbm is not None and ont.signal_dbm < 0 and ont.last_seen.tzinfo is not None
    assert devices["SS-2001-2"][0].kind == "GATEWAY" and devices["SS-2001-2"][0].signal_dbm is None
    assert devices["unknown"] == []
    assert await oss.devices_for([]) == {}


async def test_device(oss: HttpOss) -> None:
    device = await oss.device("DEV-1003-2-1")
    assert (device.kind, device.subservice_id, device.online) == ("ATA", "SS-1003-2", True)
    with pytest.raises(NotFound):
        await oss.device("DEV-404")
    with pytest.raises(NotFound):
        await oss.device("../ops/devices")


async def test_usage_default_and_custom(oss: HttpOss, today: date) -> None:
    usage = await oss.usage_for(["SS-1001-1", "SS-1001-2", "unknown"])
    assert set(usage) == {"SS-1001-1", "SS-1001-2"}
    internet = usage["SS-1001-1"]
    assert (internet.start, internet.end) == (today - timedelta(days=29), today)
    # OSS alone records the days before the seed's day (today's usage is what AAA's sessions count).
    assert len(internet.days) == 29 and internet.days[0].day == internet.start
    assert internet.download_bytes == sum(d.download_bytes for d in internet.days)
    assert len(usage["SS-1001-2"].days) == 29  # IPTV is metered too
    start = today - timedelta(days=9)
    custom = (await oss.usage_for(["SS-1001-1"], start, today))["SS-1001-1"]
    assert (custom.start, len(custom.days)) == (start, 9)
    assert custom.days == internet.days[-9:]


async def test_usage_bad_periods_are_rejected(oss: HttpOss, today: date) -> None:
    with pytest.raises(Rejected) as too_long:
        await oss.usage_for(["SS-1001-1"], today - timedelta(days=90), today)
    assert (too_long.value.code, too_long.value.status) == ("PERIOD_TOO_LONG", 422)
    with pytest.raises(Rejected) as reversed_:
        await oss.usage_for(["SS-1001-1"], today, today - timedelta(days=1))
    assert reversed_.value.code == "INVALID_PERIOD"


async def test_addons_for(oss: HttpOss, today: date) -> None:
    addons = await oss.addons_for(["SS-2001-1", "SS-2001-2"])
    assert addons["SS-2001-2"] == []
    (block,) = addons["SS-2001-1"]
    assert block.name == "Static IP block /29"
    assert block.monthly_price == Money(Decimal("25.00"), "USD")
    assert block.active_since < today


async def test_batches_above_1000_are_chunked(tmp_path: Path, world: World) -> None:
    bench = with_bench_subscriber(world, 1000)
    ids = [s.id for s in bench.subservices]
    adapter, http = adapter_for(make_system(tmp_path, bench))
    paths: list[str] = []

    async def record(request: httpx.Request) -> None:
        paths.append(request.url.path)

    http.event_hooks["request"].append(record)
    async with http:
        devices = await adapter.devices_for(ids)
        usage = await adapter.usage_for(ids)
        addons = await adapter.addons_for(ids)
    assert set(devices) == set(usage) == set(addons) == set(ids)
    assert sum(len(d) for d in devices.values()) == sum(len(s.device_models) for s in bench.subservices)
    assert sorted(paths) == sorted(["/v1/devices:batch", "/v1/usage:batch", "/v1/addons:batch"] * 2)
