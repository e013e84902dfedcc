"""OSS's ACS and incidents through HTTP: parameter trees (write-only values read back empty), tasks queued
and run in the CPE's session with CWMP faults, operator incidents and their validation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.common.system import SystemConfig
from sandbox.oss.system import OssSystem
from sandbox.world import World

SERVICE = {"x-api-key": "svc-key"}
OPERATOR = {"x-api-key": "op-key"}
ROUTER = "DEV-1001-1-2"


@pytest.fixture
def system(tmp_path: Path, world: World) -> OssSystem:
    built = OssSystem(
        SystemConfig(db_path=str(tmp_path / "oss.sqlite3"), service_key="svc-key", operator_key="op-key")
    )
    built.seed(world)
    return built


@pytest.fixture
async def client(system: OssSystem) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=system.asgi()), base_url="http://oss.test"
    ) as http:
        yield http


async def task(client: httpx.AsyncClient, body: dict[str, Any], device: str = ROUTER) -> httpx.Response:
    return await client.post(
        f"/v1/devices/{device}/tasks?connection_request=true", json=body, headers=SERVICE
    )


async def params(client: httpx.AsyncClient, *prefixes: str) -> dict[str, str]:
    answer = await client.post(
        "/v1/parameters:batch", json={"ids": [ROUTER], "prefixes": list(prefixes)}, headers=SERVICE
    )
    assert answer.status_code == 200
    return {p["name"]: p["value"] for p in answer.json()["items"][0]["parameters"]}


async def test_the_tree_reads_back_write_only_values_empty(client: httpx.AsyncClient) -> None:
    answer = await client.post(
        "/v1/parameters:batch", json={"ids": [ROUTER, "DEV-1001-1-1", "nope"]}, headers=SERVICE
    )
    items = {i["device_id"]: i for i in answer.json()["items"]}
    assert set(items) == {ROUTER, "DEV-1001-1-1"}
    assert items[ROUTER]["data_model"] == "TR-181" and items["DEV-1001-1-1"]["data_model"] == "TR-098"
    tree = {p["name"]: p for p in items[ROUTER]["parameters"]}
    assert tree["Device.WiFi.SSID.1.SSID"]["writable"] is True and tree["Device.WiFi.SSID.1.SSID"]["value"]
    assert tree["Device.WiFi.AccessPoint.1.Security.KeyPassphrase"]["value"] == ""
    assert tree["Device.WiFi.Radio.2.OperatingFrequencyBand"]["value"] == "5GHz"


async def test_a_task_waits_for_the_session_then_applies_atomically(
    client: httpx.AsyncClient, system: OssSystem
) -> None:
    queued = await task(
        client, {"name": "setParameterValues", "parameterValues": [["Device.WiFi.SSID.1.SSID", "Casa"]]}
    )
    assert queued.status_code == 202 and queued.json()["status"] == "PENDING"
    assert queued.json()["parameter_names"] == ["Device.WiFi.SSID.1.SSID"]
    assert (await params(client, "Device.WiFi.SSID.1.SSID"))["Device.WiFi.SSID.1.SSID"] != "Casa"
    inform = await client.post(f"/v1/ops/devices/{ROUTER}/inform", headers=OPERATOR)
    assert inform.json() == {"ran": 1}
    done = await client.get(f"/v1/tasks/{queued.json()['id']}", headers=SERVICE)
    assert done.json()["status"] == "DONE" and done.json()["fault"] is None
    assert (await params(client, "Device.WiFi.SSID.1.SSID"))["Device.WiFi.SSID.1.SSID"] == "Casa"


@pytest.mark.parametrize(
    ("values", "fault"),
    [
        ([["Device.WiFi.SSID.1.SSID", "ok"], ["Device.WiFi.Radio.1.OperatingFrequencyBand", "5GHz"]], "9005"),
        ([["Device.WiFi.SSID.1.SSID", "ok"], ["Device.Nope.", "x"]], "9005"),
        ([["Device.WiFi.SSID.1.SSID", "ok"], ["Device.WiFi.SSID.1.Enable", "maybe"]], "9007"),
        ([["Device.WiFi.SSID.1.SSID", "x" * 33]], "9007"),
        ([["Device.WiFi.AccessPoint.1.Security.KeyPassphrase", "short"]], "9007"),
        ([["Device.WiFi.AccessPoint.1.Security.PreSharedKey", "zz" * 32]], "9007"),
        ([["Device.WiFi.AccessPoint.1.Security.ModeEnabled", "WEP-64"]], "9007"),
    ],
)
async def test_a_refused_value_faults_the_task_and_changes_nothing(
    client: httpx.AsyncClient, system: OssSystem, values: list[list[str]], fault: str
) -> None:
    before = await params(client, "Device.WiFi.")
    queued = await task(client, {"name": "setParameterValues", "parameterValues": values})
    system.cpe.session(ROUTER)
    got = (await client.get(f"/v1/tasks/{queued.json()['id']}", headers=SERVICE)).json()
    assert got["status"] == "FAULT" and got["fault"]["code"] == fault
    assert await params(client, "Device.WiFi.") == before


@pytest.mark.parametrize(
    "body",
    [
        {"name": "download"},
        {"name": "setParameterValues"},
        {"name": "setParameterValues", "parameterValues": []},
        {"name": "setParameterValues", "parameterValues": [["a"]]},
        {"name": "setParameterValues", "parameterValues": [["a", 1.5]]},
        {"name": "setParameterValues", "parameterValues": [["a", "b", "xsd:date"]]},
        {"name": "setParameterValues", "parameterValues": [["a", "1"], ["a", "2"]]},
        {"name": "refreshObject", "objectName": "Device.Hosts"},
    ],
)
async def test_a_malformed_task_is_422(client: httpx.AsyncClient, body: dict[str, Any]) -> None:
    answer = await task(client, body)
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "INVALID_TASK"


async def test_unknown_device_and_task_are_404(client: httpx.AsyncClient) -> None:
    assert (await task(client, {"name": "reboot"}, device="DEV-NOPE")).status_code == 404
    assert (await client.get("/v1/tasks/TSK-nope", headers=SERVICE)).status_code == 404


async def test_recent_tasks_newest_first_at_most_five(client: httpx.AsyncClient, system: OssSystem) -> None:
    ids = [
        (await task(client, {"name": "refreshObject", "objectName": "Device.Hosts."})).json()["id"]
        for _ in range(6)
    ]
    system.cpe.session(ROUTER)
    listed = (
        await client.post("/v1/tasks:batch", json={"ids": [ROUTER, "DEV-1001-1-1"]}, headers=SERVICE)
    ).json()
    assert [t["id"] for t in listed["items"]] == ids[::-1][:5]
    assert {t["status"] for t in listed["items"]} == {"DONE"}


async def test_operator_incidents(client: httpx.AsyncClient) -> None:
    sites = (await client.get("/v1/ops/sites", headers=OPERATOR)).json()["items"]
    assert {"area": "Harbor", "access_point": "AP-HARBOR-F1", "subservices": 10} in sites
    for body, code in (
        ({"kind": "FIRE", "title": "x", "area": "Harbor"}, "INVALID_REQUEST"),
        ({"kind": "OUTAGE", "title": "x"}, "SCOPE_REQUIRED"),
        (
            {"kind": "OUTAGE", "title": "x", "area": "Harbor", "access_point": "AP-HARBOR-F1"},
            "SCOPE_REQUIRED",
        ),
        ({"kind": "OUTAGE", "title": "x", "area": "Atlantis"}, "UNKNOWN_SITE"),
        (
            {
                "kind": "OUTAGE",
                "title": "x",
                "area": "Harbor",
                "starts_at": "2030-01-01T10:00:00Z",
                "estimated_end": "2030-01-01T09:00:00Z",
            },
            "INVALID_ESTIMATE",
        ),
        ({"kind": "OUTAGE", "title": "x", "area": "Harbor", "estimated_end": "tomorrow"}, "INVALID_REQUEST"),
    ):
        answer = await client.post("/v1/ops/incidents", json=body, headers=OPERATOR)
        assert (answer.status_code, answer.json()["error"]["code"]) == (422, code), body
    assert (
        await client.post(
            "/v1/ops/incidents", json={"kind": "OUTAGE", "title": "x", "area": "Harbor"}, headers=SERVICE
        )
    ).status_code == 403
    opened = await client.post(
        "/v1/ops/incidents",
        json={"kind": "OUTAGE", "title": "Cut", "access_point": "AP-HARBOR-F1"},
        headers=OPERATOR,
    )
    assert opened.status_code == 201 and opened.json()["affected_subservices"] == 10
    incident_id = opened.json()["id"]
    hit = (
        await client.post(
            "/v1/incidents:batch", json={"ids": ["SS-3001-101", "SS-3001-201"]}, headers=SERVICE
        )
    ).json()
    assert [(i["id"], i["subservice_ids"]) for i in hit["items"]] == [(incident_id, ["SS-3001-101"])]
    resolved = await client.post(f"/v1/ops/incidents/{incident_id}/resolve", headers=OPERATOR)
    assert resolved.json()["status"] == "RESOLVED" and resolved.json()["resolved_at"]
    again = await client.post(f"/v1/ops/incidents/{incident_id}/resolve", headers=OPERATOR)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "ALREADY_RESOLVED")
    assert (
        await client.post("/v1/incidents:batch", json={"ids": ["SS-3001-101"]}, headers=SERVICE)
    ).json() == {"items": []}
    assert (await client.get(f"/v1/incidents/{incident_id}", headers=SERVICE)).json()["status"] == "RESOLVED"
