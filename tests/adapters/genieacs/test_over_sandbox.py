"""The GenieACS adapter against the sandbox OSS speaking GenieACS's NBI (`sandbox.oss.nbi`) over the same CPE
store and task queue as the core's OSS: devices by tag, TR-181 and TR-098 trees, a Wi-Fi change and a reboot
followed from PENDING to DONE or FAILED, and what stays on the core's OSS."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from adapters.errors import NotFound, Rejected, Unavailable
from adapters.genieacs.config import GenieAcsConfig
from adapters.genieacs.nbi import Nbi, make_nbi_http
from adapters.genieacs.oss import GenieAcsOss
from adapters.ports.cpe import DeviceTask, WifiChange
from adapters.resilience.guard import Guard, Policy
from adapters.wispgate.client import BackendConfig, CoreClient, make_http_client
from adapters.wispgate.oss import HttpOss
from sandbox.app import Sandbox
from sandbox.oss.nbi import nbi_id
from tests.harness.transport import DispatchTransport

SECRET = "correct horse battery"
Make = Callable[..., Any]


@pytest.fixture
def transport(sandbox: Sandbox) -> DispatchTransport:
    return DispatchTransport({"oss.test": sandbox.oss.asgi(), "genieacs.test": sandbox.oss.nbi_asgi()})


@pytest.fixture
async def make_acs(sandbox: Sandbox, transport: DispatchTransport) -> AsyncIterator[Make]:
    clients: list[httpx.AsyncClient] = []
    key = sandbox.settings.service_key

    def make(**overrides: Any) -> GenieAcsOss:
        config = GenieAcsConfig(base_url="http://genieacs.test", username="nbi", password=key)
        config = dataclasses.replace(config, **overrides)
        nbi_http = make_nbi_http(config, transport)
        core_http = make_http_client(BackendConfig("http://oss.test", key), transport)
        clients.extend((nbi_http, core_http))
        core = HttpOss(CoreClient("oss", core_http))
        return GenieAcsOss(Nbi(nbi_http, Guard("genieacs", Policy(deadline_s=10))), config, core)

    yield make
    for client in clients:
        await client.aclose()


def acs_id(sandbox: Sandbox, device_id: str) -> str:
    row = sandbox.oss.db.one("SELECT * FROM oss_device WHERE id = ?", (device_id,))
    assert row is not None
    return nbi_id(row)


async def test_devices_are_the_ones_tagged_for_the_subservice(sandbox: Sandbox, make_acs: Make) -> None:
    acs = make_acs()
    found = await acs.devices_for(["SS-1001-1", "SS-UNKNOWN"])
    assert found["SS-UNKNOWN"] == []
    rows = sandbox.oss.db.all("SELECT * FROM oss_device WHERE subservice_id = 'SS-1001-1' ORDER BY id")
    by_serial = {d.serial: d for d in found["SS-1001-1"]}
    assert set(by_serial) == {r["serial"] for r in rows}
    for row in rows:
        device = by_serial[row["serial"]]
        assert device.id == nbi_id(row) and "%20" in device.id  # GenieACS escapes the product class
        assert (device.model, device.firmware, device.mac) == (row["model"], row["firmware"], row["mac"])
        assert device.online is True and device.subservice_id == "SS-1001-1"
    assert {d.kind for d in found["SS-1001-1"]} >= {"ONT", "ROUTER"}
    router = await acs.device(acs_id(sandbox, "DEV-1001-1-2"))
    assert router.model == "Wi-Fi 6 Router AX3000"


async def test_an_offline_cpe_is_told_by_its_last_inform(sandbox: Sandbox, make_acs: Make) -> None:
    sandbox.oss.service.set_device_state("DEV-1001-1-2", online=False)
    sandbox.oss.db.execute(
        "UPDATE oss_device SET last_seen = '2026-11-25T08:00:00Z' WHERE id = 'DEV-1001-1-2'"
    )
    acs = make_acs(inform_interval_s=60)
    router = await acs.device(acs_id(sandbox, "DEV-1001-1-2"))
    assert router.online is False and router.last_seen.isoformat() == "2026-11-25T08:00:00+00:00"
    assert (await acs.device(acs_id(sandbox, "DEV-1001-1-1"))).online is True


async def test_wifi_of_a_tr181_router_and_a_tr098_ont(sandbox: Sandbox, make_acs: Make) -> None:
    router, ont = acs_id(sandbox, "DEV-1001-1-2"), acs_id(sandbox, "DEV-1001-1-1")
    views = await make_acs().cpe_for([router, ont, "000000-Nothing-0"])
    assert set(views) == {router, ont}
    assert [(n.index, n.band, n.security) for n in views[router].wifi] == [
        (1, "2.4GHz", "WPA2_PERSONAL"),
        (2, "5GHz", "WPA2_PERSONAL"),
    ]
    assert "WPA3_PERSONAL" in views[router].wifi[0].supported_security
    assert views[ont].wifi[0].supported_security == ("OPEN", "WPA2_PERSONAL")
    assert views[router].hosts and {h.connection for h in views[router].hosts} == {"WIFI", "ETHERNET"}


async def test_a_wifi_change_is_pending_until_the_cpe_session_runs_it(
    sandbox: Sandbox, make_acs: Make
) -> None:
    acs = make_acs()
    queued: list[DeviceTask] = []
    acs.on_task_queued = queued.append
    router = acs_id(sandbox, "DEV-1001-1-2")
    task = await acs.change_wifi(router, WifiChange(index=1, ssid="Casa Lima", passphrase=SECRET))
    assert (task.status, task.action, task.device_id, task.subservice_id) == (
        "PENDING",
        "CHANGE_WIFI",
        router,
        "SS-1001-1",
    )
    assert queued == [task]
    assert (await acs.task(task.id)).status == "PENDING"
    assert [t.id for t in (await acs.tasks_for([router]))[router]] == [task.id]
    # The connection request brought the CPE's session forward: it runs now.
    assert sandbox.oss.cpe.run_due() == 1
    done = await acs.task(task.id)
    assert done.status == "DONE" and done.created_at == task.created_at
    assert (await acs.tasks_for([router]))[router] == []  # GenieACS deletes a task that ran
    assert (await acs.cpe_for([router]))[router].wifi[0].ssid == "Casa Lima"
    stored = sandbox.oss.db.one(
        "SELECT value FROM oss_param WHERE device_id = 'DEV-1001-1-2'"
        " AND name = 'Device.WiFi.AccessPoint.1.Security.KeyPassphrase'"
    )
    assert stored is not None and stored["value"] == SECRET


async def test_a_tr098_change_carries_the_parameter_types(sandbox: Sandbox, make_acs: Make) -> None:
    acs = make_acs()
    ont = acs_id(sandbox, "DEV-1001-1-1")
    task = await acs.change_wifi(ont, WifiChange(index=1, ssid="Lima ONT", security="OPEN"))
    sandbox.oss.cpe.run_due()
    assert (await acs.task(task.id)).status == "DONE"
    wifi = (await acs.cpe_for([ont]))[ont].wifi[0]
    assert (wifi.ssid, wifi.security) == ("Lima ONT", "OPEN")


async def test_a_refused_task_is_failed_with_the_cpe_fault(sandbox: Sandbox, make_acs: Make) -> None:
    acs = make_acs()
    sandbox.oss.cpe.set_rejects_tasks("DEV-1001-2-1", True)
    stb = acs_id(sandbox, "DEV-1001-2-1")
    task = await acs.reboot(stb)
    assert (task.action, task.status) == ("REBOOT", "PENDING")
    sandbox.oss.cpe.run_due()
    failed = await acs.task(task.id)
    assert (failed.status, failed.fault_code, failed.fault_message) == ("FAILED", "9002", "Internal error")
    assert [t.status for t in (await acs.tasks_for([stb]))[stb]] == ["FAILED"]  # a faulted task stays


async def test_waiting_for_the_session_answers_done_at_once(sandbox: Sandbox, make_acs: Make) -> None:
    acs = make_acs(session_wait_ms=3000)
    task = await acs.reboot(acs_id(sandbox, "DEV-1001-2-1"))
    assert task.status == "DONE"
    sandbox.oss.cpe.set_rejects_tasks("DEV-1001-2-1", True)
    refused = await acs.reboot(acs_id(sandbox, "DEV-1001-2-1"))
    assert (refused.status, refused.fault_code) == ("FAILED", "9002")


async def test_an_offline_cpe_keeps_the_task_queued(sandbox: Sandbox, make_acs: Make) -> None:
    acs = make_acs()
    sandbox.oss.service.set_device_state("DEV-1001-1-2", online=False)
    task = await acs.reboot(acs_id(sandbox, "DEV-1001-1-2"))  # the connection request fails (504)
    assert task.status == "PENDING" and sandbox.oss.cpe.run_due() == 0
    sandbox.oss.service.set_device_state("DEV-1001-1-2", online=True)
    assert sandbox.oss.cpe.run_due() == 1
    assert (await acs.task(task.id)).status == "DONE"


async def test_unknown_devices_tasks_and_networks(sandbox: Sandbox, make_acs: Make) -> None:
    acs = make_acs()
    with pytest.raises(NotFound):
        await acs.device("000000-Nothing-0")
    with pytest.raises(NotFound):
        await acs.reboot("000000-Nothing-0")
    with pytest.raises(NotFound):
        await acs.task("not-a-task")
    with pytest.raises(Rejected) as refused:
        await acs.change_wifi(acs_id(sandbox, "DEV-1001-1-2"), WifiChange(index=9, ssid="x"))
    assert refused.value.code == "NO_SUCH_NETWORK"
    assert sandbox.oss.db.scalar("SELECT COUNT(*) FROM oss_task") == 0


async def test_the_nbi_refuses_wrong_credentials(sandbox: Sandbox, make_acs: Make) -> None:
    with pytest.raises(Unavailable, match="refused our credentials"):
        await make_acs(password="wrong").devices_for(["SS-1001-1"])


async def test_usage_addons_and_incidents_stay_on_the_core(
    make_acs: Make, transport: DispatchTransport
) -> None:
    acs = make_acs()
    usage = await acs.usage_for(["SS-1001-1"])
    addons = await acs.addons_for(["SS-1001-1"])
    assert "SS-1001-1" in usage and "SS-1001-1" in addons
    assert transport.calls["oss.test"] == 2 and transport.calls["genieacs.test"] == 0


# --- devices matched by serial: the core's inventory, GenieACS's device of each serial number ------------


async def test_by_serial_the_inventory_keeps_its_ids_with_live_facts(
    sandbox: Sandbox, make_acs: Make
) -> None:
    acs = make_acs(match="serial")
    sandbox.oss.db.execute("UPDATE oss_device SET firmware = '9.9.9' WHERE id = 'DEV-1001-1-2'")
    # A device GenieACS does not know (no CPE record): listed as the core has it.
    sandbox.oss.db.execute("DELETE FROM oss_param WHERE device_id = 'DEV-1001-1-1'")
    sandbox.oss.db.execute("DELETE FROM oss_cpe WHERE device_id = 'DEV-1001-1-1'")
    found = (await acs.devices_for(["SS-1001-1"]))["SS-1001-1"]
    assert [d.id for d in found] == ["DEV-1001-1-1", "DEV-1001-1-2"]
    router = found[1]
    assert router.firmware == "9.9.9" and router.online is True  # from GenieACS's document
    assert (await acs.device("DEV-1001-1-2")).firmware == "9.9.9"
    assert set(await acs.cpe_for(["DEV-1001-1-1", "DEV-1001-1-2"])) == {"DEV-1001-1-2"}


async def test_by_serial_a_change_is_followed_under_the_inventory_id(
    sandbox: Sandbox, make_acs: Make
) -> None:
    acs = make_acs(match="serial")
    task = await acs.change_wifi("DEV-1001-1-2", WifiChange(index=2, ssid="Lima 5G"))
    assert (task.device_id, task.subservice_id, task.status) == ("DEV-1001-1-2", "SS-1001-1", "PENDING")
    assert [t.id for t in (await acs.tasks_for(["DEV-1001-1-2"]))["DEV-1001-1-2"]] == [task.id]
    assert sandbox.oss.cpe.run_due() == 1
    assert (await acs.task(task.id)).status == "DONE"
    assert (await acs.cpe_for(["DEV-1001-1-2"]))["DEV-1001-1-2"].wifi[1].ssid == "Lima 5G"
    sandbox.oss.cpe.set_rejects_tasks("DEV-1001-1-2", True)
    refused = await acs.reboot("DEV-1001-1-2")
    assert sandbox.oss.cpe.run_due() == 1
    failed = await acs.task(refused.id)
    assert (failed.status, failed.fault_code, failed.device_id) == ("FAILED", "9002", "DEV-1001-1-2")
    with pytest.raises(NotFound):
        await acs.reboot("DEV-NOPE")


async def test_the_combined_sandbox_serves_the_nbi_behind_basic_auth(sandbox: Sandbox) -> None:
    """Where development's default `GENIEACS_URL` points (`/_sandbox/genieacs`, the sandbox mounted at
    `/_sandbox`)."""
    transport = httpx.ASGITransport(app=sandbox.asgi())
    query = {"query": '{"_tags":"sub-SS-1001-1"}', "projection": "_id,_tags"}
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test/genieacs") as client:
        refused = await client.get("/devices/", params=query)
        answered = await client.get("/devices/", params=query, auth=("nbi", sandbox.settings.service_key))
    assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Basic")
    assert answered.status_code == 200
    assert {tuple(d) for d in answered.json()} == {("_id", "_tags")}
    assert all(d["_tags"] == ["sub-SS-1001-1"] for d in answered.json()) and len(answered.json()) >= 2
