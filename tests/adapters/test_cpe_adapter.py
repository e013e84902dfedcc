"""`HttpOss`'s ACS and incident methods against the real OSS sandbox: TR-181 and TR-098 trees read as Wi-Fi
networks and hosts, a Wi-Fi change written as the data model's `setParameterValues`, tasks and incidents."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from adapters.errors import NotFound, Rejected
from adapters.ports.cpe import WifiChange
from adapters.wispgate.client import BackendConfig, CoreClient, make_http_client
from adapters.wispgate.oss import HttpOss
from sandbox.common.system import SystemConfig
from sandbox.oss.system import OssSystem
from sandbox.world import World


@pytest.fixture
def system(tmp_path: Path, world: World) -> OssSystem:
    built = OssSystem(SystemConfig(db_path=str(tmp_path / "oss.sqlite3")))
    built.seed(world)
    return built


@pytest.fixture
async def oss(system: OssSystem) -> AsyncIterator[HttpOss]:
    config = BackendConfig(base_url="http://oss.test", api_key=system.config.service_key)
    async with make_http_client(config, transport=httpx.ASGITransport(app=system.asgi())) as http:
        yield HttpOss(CoreClient("oss", http))


def requested(system: OssSystem) -> list[str]:
    row = system.db.one("SELECT request FROM oss_task ORDER BY seq DESC LIMIT 1")
    assert row is not None
    return [n for n, _ in json.loads(row["request"])["parameterValues"]]


async def test_both_data_models_read_as_networks_and_hosts(oss: HttpOss) -> None:
    views = await oss.cpe_for(["DEV-1001-1-2", "DEV-1001-1-1", "DEV-1001-2-1", "unknown"])
    assert set(views) == {"DEV-1001-1-2", "DEV-1001-1-1", "DEV-1001-2-1"}
    router, ont, stb = views["DEV-1001-1-2"], views["DEV-1001-1-1"], views["DEV-1001-2-1"]
    assert [(n.index, n.band, n.security) for n in router.wifi] == [
        (1, "2.4GHz", "WPA2_PERSONAL"),
        (2, "5GHz", "WPA2_PERSONAL"),
    ]
    assert router.wifi[0].supported_security == (
        "OPEN",
        "WPA2_PERSONAL",
        "WPA3_PERSONAL",
        "WPA2_WPA3_PERSONAL",
    )
    assert [(n.index, n.band) for n in ont.wifi] == [(1, "2.4GHz")] and ont.hosts
    assert stb.wifi == () and stb.hosts == ()
    assert {h.connection for h in router.hosts} == {"WIFI", "ETHERNET"}


async def test_a_change_is_written_in_the_devices_data_model(oss: HttpOss, system: OssSystem) -> None:
    task = await oss.change_wifi(
        "DEV-1001-1-2", WifiChange(index=2, ssid="Casa", passphrase="p" * 10, security="WPA3_PERSONAL")
    )
    assert (task.action, task.status, task.subservice_id) == ("CHANGE_WIFI", "PENDING", "SS-1001-1")
    assert requested(system) == [
        "Device.WiFi.SSID.2.SSID",
        "Device.WiFi.AccessPoint.2.Security.ModeEnabled",
        "Device.WiFi.AccessPoint.2.Security.SAEPassphrase",
    ]
    await oss.change_wifi("DEV-1001-1-1", WifiChange(index=1, passphrase="ab" * 32))
    assert requested(system) == [
        "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.PreSharedKey.1.PreSharedKey"
    ]
    system.cpe.session("DEV-1001-1-1")
    system.cpe.session("DEV-1001-1-2")
    done = await oss.tasks_for(["DEV-1001-1-2", "DEV-1001-1-1", "DEV-1001-2-1"])
    assert [t.status for t in done["DEV-1001-1-2"]] == ["DONE"] and done["DEV-1001-2-1"] == []
    assert (await oss.task(task.id)).status == "DONE"


async def test_refusals(oss: HttpOss) -> None:
    with pytest.raises(Rejected) as no_network:
        await oss.change_wifi("DEV-1001-1-2", WifiChange(index=7, ssid="x"))
    assert no_network.value.code == "NO_SUCH_NETWORK"
    with pytest.raises(Rejected) as unsupported:
        await oss.change_wifi(
            "DEV-1001-1-1", WifiChange(index=1, security="WPA3_PERSONAL", passphrase="p" * 9)
        )
    assert unsupported.value.code == "SECURITY_UNSUPPORTED"
    with pytest.raises(NotFound):
        await oss.change_wifi("DEV-NOPE", WifiChange(index=1, ssid="x"))
    with pytest.raises(NotFound):
        await oss.reboot("DEV-NOPE")
    with pytest.raises(NotFound):
        await oss.task("TSK-nope")
    assert "passphrase" not in repr(WifiChange(index=1, passphrase="secret-value"))
    assert "secret-value" not in repr(WifiChange(index=1, passphrase="secret-value"))


async def test_incidents(oss: HttpOss, system: OssSystem) -> None:
    opened = system.incidents.open({"kind": "MAINTENANCE", "title": "Upgrade", "area": "Harbor"})
    found = await oss.incidents_for(["SS-3001-101", "SS-3001-402", "SS-1001-1"])
    assert [(i.id, i.kind, i.subservice_ids) for i in found] == [
        (opened["id"], "MAINTENANCE", ("SS-3001-101", "SS-3001-402"))
    ]
    assert (await oss.incident(opened["id"])).status == "OPEN"
    with pytest.raises(NotFound):
        await oss.incident("INC-404")
