"""Wi-Fi and router through the graph, over the real OSS sandbox: a router's networks and hosts, changing a
network (each refusal a typed userError), restarting a device, the task's status as the CPE reports it,
and who may do what. The password is write-only: no answer, event or log ever carries it."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from sandbox.app import Sandbox
from tests.harness.portal import SignIn
from tests.schema.helpers import codes, gid

ROUTER = gid("Device", "DEV-1001-1-2")  # Ana's Wi-Fi 6 router: TR-181, 2.4 and 5 GHz
ONT = gid("Device", "DEV-1001-1-1")  # Ana's ONT HG8245: TR-098, 2.4 GHz, no WPA3
STB = gid("Device", "DEV-1001-2-1")  # a set-top box: manageable, no Wi-Fi
SECRET = "correct horse battery"

DEVICES = """
query { viewer { subscriber { subServices(first: 10) { nodes { id devices {
  id model manageable
  wifiNetworks { index ssid band channel enabled security supportedSecurity }
  connectedHosts { name mac ipAddress active connection wifiNetworkIndex }
  recentTasks { reference action status failure }
} } } } } }
"""
SET_WIFI = """
mutation($input: SetWifiSettingsInput!) { setWifiSettings(input: $input) {
  task { reference action status failure device { id } }
  userErrors { code field message }
} }
"""
REBOOT = """
mutation($id: ID!) { rebootDevice(input: {deviceId: $id}) {
  task { reference action status } userErrors { code field message }
} }
"""


def devices_of(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["id"]: d for s in data["viewer"]["subscriber"]["subServices"]["nodes"] for d in s["devices"]}


async def test_a_router_shows_its_networks_and_hosts_and_never_a_password(
    sign_in: SignIn, sandbox: Sandbox
) -> None:
    ana = await sign_in("ana@lima.example")
    devices = devices_of(await ana.data(DEVICES))
    router, ont, stb = devices[ROUTER], devices[ONT], devices[STB]
    assert [(n["index"], n["band"], n["security"]) for n in router["wifiNetworks"]] == [
        (1, "GHZ_2_4", "WPA2_PERSONAL"),
        (2, "GHZ_5", "WPA2_PERSONAL"),
    ]
    assert router["wifiNetworks"][1]["ssid"].endswith("-5G")
    assert "WPA3_PERSONAL" in router["wifiNetworks"][0]["supportedSecurity"]
    assert ont["wifiNetworks"][0]["supportedSecurity"] == ["OPEN", "WPA2_PERSONAL"]  # TR-098: no WPA3
    assert router["connectedHosts"] and {h["connection"] for h in router["connectedHosts"]} == {
        "WIFI",
        "ETHERNET",
    }
    wifi_host = next(h for h in router["connectedHosts"] if h["connection"] == "WIFI")
    assert wifi_host["wifiNetworkIndex"] in (1, 2) and wifi_host["mac"]
    assert stb["manageable"] is True and stb["wifiNetworks"] == [] and stb["connectedHosts"] == []
    # The seeded passphrases exist in OSS and appear in no answer.
    secrets = [
        r["value"] for r in sandbox.oss.db.all("SELECT value FROM oss_param WHERE secret = 1 AND value != ''")
    ]
    assert secrets and not any(s in json.dumps(devices) for s in secrets)


async def test_changing_a_network_is_a_task_that_the_router_applies(
    sign_in: SignIn, sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    ana = await sign_in("ana@lima.example")
    got = (
        await ana.data(
            SET_WIFI, {"input": {"deviceId": ROUTER, "index": 1, "ssid": "Casa Lima", "password": SECRET}}
        )
    )["setWifiSettings"]
    assert got["userErrors"] == []
    task = got["task"]
    assert (
        task["status"] == "PENDING" and task["action"] == "CHANGE_WIFI" and task["device"] == {"id": ROUTER}
    )
    # The CPE's session (a second after the connection request; run now here) applies it.
    assert sandbox.oss.cpe.session("DEV-1001-1-2") == 1
    router = devices_of(await ana.data(DEVICES))[ROUTER]
    assert router["wifiNetworks"][0]["ssid"] == "Casa Lima"
    assert router["recentTasks"][0] == {
        "reference": task["reference"],
        "action": "CHANGE_WIFI",
        "status": "DONE",
        "failure": None,
    }
    # The router has the new password; nothing else does: not the task, not an event, not a log line.
    stored = sandbox.oss.db.one(
        "SELECT value FROM oss_param WHERE device_id = 'DEV-1001-1-2'"
        " AND name = 'Device.WiFi.AccessPoint.1.Security.KeyPassphrase'"
    )
    assert stored is not None and stored["value"] == SECRET
    tasks = json.dumps([dict(r) for r in sandbox.oss.db.all("SELECT * FROM oss_task")])
    events = json.dumps([dict(r) for r in sandbox.oss.db.all("SELECT * FROM event_outbox")])
    assert SECRET not in tasks and SECRET not in events and "device.task_changed" in events
    assert SECRET not in caplog.text


async def test_a_wpa3_change_sets_the_sae_password(sign_in: SignIn, sandbox: Sandbox) -> None:
    ana = await sign_in("ana@lima.example")
    got = (
        await ana.data(
            SET_WIFI,
            {"input": {"deviceId": ROUTER, "index": 2, "security": "WPA2_WPA3_PERSONAL", "password": SECRET}},
        )
    )["setWifiSettings"]
    assert got["userErrors"] == []
    sandbox.oss.cpe.session("DEV-1001-1-2")
    values = {
        r["name"].rsplit(".", 1)[-1]: r["value"]
        for r in sandbox.oss.db.all(
            "SELECT name, value FROM oss_param WHERE device_id = 'DEV-1001-1-2'"
            " AND name LIKE 'Device.WiFi.AccessPoint.2.Security.%'"
        )
    }
    assert values["ModeEnabled"] == "WPA2-WPA3-Personal"
    assert values["KeyPassphrase"] == SECRET and values["SAEPassphrase"] == SECRET


HEX64 = "0123456789abcdef" * 4


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"ssid": ""}, "SSID_INVALID", "ssid"),
        ({"ssid": "x" * 33}, "SSID_INVALID", "ssid"),
        ({"ssid": "ü" * 17}, "SSID_INVALID", "ssid"),  # 34 bytes in 17 letters
        ({"ssid": "bad\nname"}, "SSID_INVALID", "ssid"),
        ({"password": "short"}, "PASSWORD_INVALID", "password"),
        ({"password": "x" * 64}, "PASSWORD_INVALID", "password"),  # 64 characters, not hex
        ({"password": "contraseña segura"}, "PASSWORD_INVALID", "password"),  # not ASCII
        ({"security": "WPA3_PERSONAL", "password": HEX64}, "PASSWORD_INVALID", "password"),
        ({"security": "WPA3_PERSONAL"}, "PASSWORD_REQUIRED", "password"),
        ({"security": "OPEN", "password": SECRET}, "PASSWORD_NOT_ALLOWED", "password"),
        ({}, "NOTHING_TO_CHANGE", None),
        ({"index": 9, "ssid": "x"}, "NETWORK_NOT_FOUND", "index"),
    ],
)
async def test_a_bad_change_is_a_typed_refusal_and_sends_nothing(
    sign_in: SignIn, sandbox: Sandbox, change: dict[str, Any], code: str, field: str | None
) -> None:
    ana = await sign_in("ana@lima.example")
    got = (await ana.data(SET_WIFI, {"input": {"deviceId": ROUTER, "index": 1, **change}}))["setWifiSettings"]
    assert got["task"] is None
    assert [(e["code"], e["field"]) for e in got["userErrors"]] == [
        (code, ["input", field] if field else None)
    ]
    assert got["userErrors"][0]["message"]
    assert sandbox.oss.db.scalar("SELECT COUNT(*) FROM oss_task") == 0


async def test_what_a_router_cannot_do_is_refused(sign_in: SignIn) -> None:
    ana = await sign_in("ana@lima.example")
    wpa3_on_ont = await ana.data(
        SET_WIFI, {"input": {"deviceId": ONT, "index": 1, "security": "WPA3_PERSONAL", "password": SECRET}}
    )
    assert wpa3_on_ont["setWifiSettings"]["userErrors"][0]["code"] == "SECURITY_UNSUPPORTED"
    no_wifi = await ana.data(SET_WIFI, {"input": {"deviceId": STB, "index": 1, "ssid": "x"}})
    assert no_wifi["setWifiSettings"]["userErrors"][0]["code"] == "NO_WIFI"
    # A raw 64-hex-digit key is a WPA2 pre-shared key on the ONT (TR-098's PreSharedKey.1.PreSharedKey).
    raw = await ana.data(SET_WIFI, {"input": {"deviceId": ONT, "index": 1, "password": HEX64}})
    assert raw["setWifiSettings"]["userErrors"] == []


async def test_a_router_that_refuses_fails_the_task(sign_in: SignIn, sandbox: Sandbox) -> None:
    ana = await sign_in("ana@lima.example")
    sandbox.oss.cpe.set_rejects_tasks("DEV-1001-1-2", True)
    await ana.data(SET_WIFI, {"input": {"deviceId": ROUTER, "index": 1, "ssid": "Never"}})
    sandbox.oss.cpe.session("DEV-1001-1-2")
    router = devices_of(await ana.data(DEVICES))[ROUTER]
    assert router["recentTasks"][0]["status"] == "FAILED"
    assert router["recentTasks"][0]["failure"] == "Internal error (fault 9002)"
    assert router["wifiNetworks"][0]["ssid"] != "Never"


async def test_an_offline_router_runs_the_task_when_it_comes_back(sign_in: SignIn, sandbox: Sandbox) -> None:
    ana = await sign_in("ana@lima.example")
    sandbox.oss.service.set_device_state("DEV-1001-1-2", online=False)
    await ana.data(SET_WIFI, {"input": {"deviceId": ROUTER, "index": 1, "ssid": "Later"}})
    assert sandbox.oss.cpe.run_due() == 0  # nothing due while it is offline
    sandbox.oss.service.set_device_state("DEV-1001-1-2", online=True)
    assert sandbox.oss.cpe.run_due() == 1
    assert devices_of(await ana.data(DEVICES))[ROUTER]["wifiNetworks"][0]["ssid"] == "Later"


async def test_reboot(sign_in: SignIn, sandbox: Sandbox) -> None:
    ana = await sign_in("ana@lima.example")
    got = (await ana.data(REBOOT, {"id": STB}))["rebootDevice"]
    assert (
        got["userErrors"] == [] and got["task"]["action"] == "REBOOT" and got["task"]["status"] == "PENDING"
    )
    sandbox.oss.cpe.session("DEV-1001-2-1")
    assert devices_of(await ana.data(DEVICES))[STB]["recentTasks"][0]["status"] == "DONE"


@pytest.mark.parametrize("email", ["auditor@northwind.example", "finance@northwind.example"])
async def test_viewer_and_finance_may_not_change_devices(
    sign_in: SignIn, sandbox: Sandbox, email: str
) -> None:
    user = await sign_in(email)
    edge = gid("Device", "DEV-2001-1-1")
    for query, variables in (
        (SET_WIFI, {"input": {"deviceId": edge, "index": 1, "ssid": "x"}}),
        (REBOOT, {"id": edge}),
    ):
        answer = await user.execute(query, variables)
        assert codes(answer) == ["FORBIDDEN"], answer
    assert sandbox.oss.db.scalar("SELECT COUNT(*) FROM oss_task") == 0


async def test_a_site_user_manages_only_their_sites(sign_in: SignIn, sandbox: Sandbox) -> None:
    site = await sign_in("apt101@harborview.example")
    own, other = gid("Device", "DEV-3001-101-1"), gid("Device", "DEV-3001-201-1")
    mine = await site.data(SET_WIFI, {"input": {"deviceId": own, "index": 1, "ssid": "Apt 101"}})
    assert mine["setWifiSettings"]["userErrors"] == []
    theirs = await site.data(SET_WIFI, {"input": {"deviceId": other, "index": 1, "ssid": "Mine now"}})
    assert [e["code"] for e in theirs["setWifiSettings"]["userErrors"]] == ["NOT_FOUND"]
    reboot = await site.data(REBOOT, {"id": other})
    assert [e["code"] for e in reboot["rebootDevice"]["userErrors"]] == ["NOT_FOUND"]
    assert [r["device_id"] for r in sandbox.oss.db.all("SELECT device_id FROM oss_task")] == [
        "DEV-3001-101-1"
    ]
