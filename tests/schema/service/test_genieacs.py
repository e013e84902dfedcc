"""The portal with `OSS_BACKEND=genieacs`, end to end: the real app over the sandbox, its devices and CPEs
read through the GenieACS adapter from the sandbox OSS speaking GenieACS's NBI, usage and incidents still from
the core's OSS. A Wi-Fi change and a reboot go PENDING → DONE and each status reaches `deviceTaskChanged`
over a real WebSocket, published by the BFF's task follower (GenieACS sends no events; the sandbox's own
`device.task_changed` events are never delivered here)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bff.server.app import create_app
from sandbox.app import Sandbox
from sandbox.oss.nbi import nbi_id
from tests.harness.portal import portal_settings
from tests.harness.transport import DispatchTransport
from tests.schema.core.test_feed import TestClient, ThreadedApp, bearer, socket
from tests.schema.helpers import gid

TASKS = "subscription { deviceTaskChanged { reference action status failure device { id } } }"
DEVICES = """
query { viewer { subscriber { subServices(first: 10) { nodes { id
  usage { downloadBytes }
  devices { id model serial online wifiNetworks { index ssid security } recentTasks { reference status } }
} } } } }
"""
SET_WIFI = """
mutation($input: SetWifiSettingsInput!) { setWifiSettings(input: $input) {
  task { reference action status } userErrors { code }
} }
"""
REBOOT = """
mutation($id: ID!) { rebootDevice(input: {deviceId: $id}) { task { reference action status } userErrors { code } } }
"""


@pytest.fixture(params=["tag", "serial"])
def match(request: pytest.FixtureRequest) -> str:
    """How devices are matched: by GenieACS tag (device ids are GenieACS's), or by the core inventory's serial
    numbers (device ids are the inventory's)."""
    value: str = request.param
    return value


@pytest.fixture
def acs_app(sandbox: Sandbox, tmp_path: Path, match: str) -> Iterator[ThreadedApp]:
    settings = portal_settings(
        tmp_path,
        OSS_BACKEND="genieacs",
        GENIEACS_DEVICE_MATCH=match,
        GENIEACS_URL="http://genieacs.test",
        GENIEACS_USERNAME="nbi",
        GENIEACS_PASSWORD=sandbox.settings.service_key,
        GENIEACS_TASK_POLL_S="0.05",
    )
    apps = {f"{s.name}.test": s.asgi() for s in sandbox.systems}
    transport = DispatchTransport({**apps, "genieacs.test": sandbox.oss.nbi_asgi()})
    app = create_app(settings, backends_transport=transport)
    with TestClient(app) as client:
        yield ThreadedApp(client, app, transport)


def graph(
    app: ThreadedApp, token: str, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = app.client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=bearer(token)
    )
    body = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


@pytest.fixture
def device_gid(sandbox: Sandbox, match: str) -> Callable[[str], str]:
    """The portal's global id of a sandbox device, as the adapter names it in this mode."""

    def of(device_id: str) -> str:
        if match == "serial":
            return gid("Device", device_id)
        return gid(
            "Device", nbi_id(sandbox.oss.db.one("SELECT * FROM oss_device WHERE id = ?", (device_id,)))
        )

    return of


def test_devices_come_from_genieacs_and_usage_from_the_core(
    acs_app: ThreadedApp, device_gid: Callable[[str], str]
) -> None:
    token = acs_app.login("ana@lima.example")
    nodes = graph(acs_app, token, DEVICES)["viewer"]["subscriber"]["subServices"]["nodes"]
    internet = next(n for n in nodes if n["id"] == gid("SubService", "SS-1001-1"))
    router = next(d for d in internet["devices"] if d["id"] == device_gid("DEV-1001-1-2"))
    assert router["model"] == "Wi-Fi 6 Router AX3000" and router["online"] is True
    assert [(n["index"], n["security"]) for n in router["wifiNetworks"]] == [
        (1, "WPA2_PERSONAL"),
        (2, "WPA2_PERSONAL"),
    ]
    assert internet["usage"]["downloadBytes"] > 0  # the core's OSS
    assert acs_app.transport.calls["genieacs.test"] > 0


def test_a_wifi_change_and_a_reboot_are_pushed_pending_then_done(
    acs_app: ThreadedApp, sandbox: Sandbox, device_gid: Callable[[str], str]
) -> None:
    token = acs_app.login("ana@lima.example")
    router = device_gid("DEV-1001-1-2")
    with socket(acs_app, bearer(token)) as ws:
        op = ws.subscribe(TASKS)
        acs_app.wait_for_listeners("SUB-1001")
        changed = graph(
            acs_app,
            token,
            SET_WIFI,
            {
                "input": {
                    "deviceId": router,
                    "index": 1,
                    "ssid": "Casa Lima",
                    "password": "correct horse battery",
                }
            },
        )["setWifiSettings"]
        assert changed["userErrors"] == [] and changed["task"]["status"] == "PENDING"
        pending = ws.data(op)["deviceTaskChanged"]
        assert pending == {
            "reference": changed["task"]["reference"],
            "action": "CHANGE_WIFI",
            "status": "PENDING",
            "failure": None,
            "device": {"id": router},
        }
        # The connection request made the CPE's session due: it runs (the sandbox's loop would, a second later).
        assert sandbox.oss.cpe.run_due() == 1
        done = ws.data(op)["deviceTaskChanged"]
        assert (done["reference"], done["status"]) == (pending["reference"], "DONE")

        rebooted = graph(acs_app, token, REBOOT, {"id": router})["rebootDevice"]
        assert rebooted["task"]["action"] == "REBOOT"
        assert ws.data(op)["deviceTaskChanged"]["status"] == "PENDING"
        sandbox.oss.cpe.run_due()
        assert ws.data(op)["deviceTaskChanged"] == {
            "reference": rebooted["task"]["reference"],
            "action": "REBOOT",
            "status": "DONE",
            "failure": None,
            "device": {"id": router},
        }
    nodes = graph(acs_app, token, DEVICES)["viewer"]["subscriber"]["subServices"]["nodes"]
    device = next(d for n in nodes for d in n["devices"] if d["id"] == router)
    assert device["wifiNetworks"][0]["ssid"] == "Casa Lima"
    # Nothing came from the sandbox's own events: they are still in its outbox.
    held = sandbox.oss.db.scalar(
        "SELECT COUNT(*) FROM event_outbox WHERE type = 'device.task_changed' AND status = 'DELIVERED'"
    )
    assert held == 0


def test_a_refused_change_is_pushed_failed(
    acs_app: ThreadedApp, sandbox: Sandbox, device_gid: Callable[[str], str]
) -> None:
    token = acs_app.login("ana@lima.example")
    router = device_gid("DEV-1001-1-2")
    sandbox.oss.cpe.set_rejects_tasks("DEV-1001-1-2", True)
    with socket(acs_app, bearer(token)) as ws:
        op = ws.subscribe(TASKS)
        acs_app.wait_for_listeners("SUB-1001")
        graph(acs_app, token, SET_WIFI, {"input": {"deviceId": router, "index": 1, "ssid": "Never"}})
        assert ws.data(op)["deviceTaskChanged"]["status"] == "PENDING"
        sandbox.oss.cpe.run_due()
        failed = ws.data(op)["deviceTaskChanged"]
        assert (failed["status"], failed["failure"]) == ("FAILED", "Internal error (fault 9002)")


def test_the_backends_page_probes_genieacs(acs_app: ThreadedApp) -> None:
    backends = acs_app.client.get("/healthz/backends").json()["backends"]
    assert backends["genieacs"]["reachable"] is True and backends["genieacs"]["breaker"] == "closed"
    acs_app.transport.down.add("genieacs.test")
    down = acs_app.client.get("/healthz/backends").json()["backends"]["genieacs"]
    assert down["reachable"] is False and backends["oss"]["reachable"] is True


PAGE = """query { viewer { subscriber { subServices(first: 50) { nodes { id
  devices { id model online wifiNetworks { ssid } connectedHosts { mac } recentTasks { status } }
} } } } }"""


@pytest.mark.parametrize(("email", "devices"), [("ana@lima.example", 3), ("it@northwind.example", 10)])
def test_a_pages_devices_cost_the_same_calls_however_many(
    acs_app: ThreadedApp, match: str, email: str, devices: int
) -> None:
    """Devices, Wi-Fi and hosts, tasks and faults: one NBI search each (two for devices and Wi-Fi), never one per
    device; by serial, the core's inventory once (the Wi-Fi and task reads reuse what it listed)."""
    token = acs_app.login(email)
    seen = len(acs_app.transport.paths)
    nodes = graph(acs_app, token, PAGE)["viewer"]["subscriber"]["subServices"]["nodes"]
    calls = acs_app.transport.paths[seen:]
    assert sum(len(n["devices"]) for n in nodes) == devices
    assert sorted(p for p in calls if "genieacs.test" in p) == [
        "GET genieacs.test/devices/",
        "GET genieacs.test/devices/",
        "GET genieacs.test/devices/",
        "GET genieacs.test/faults/",
        "GET genieacs.test/tasks/",
    ]
    assert len([p for p in calls if "oss.test" in p]) == (1 if match == "serial" else 0)
