"""The GenieACS adapter against GenieACS's NBI as documented (lib/nbi.ts, docs/api-reference.rst): recorded
answers in `fixtures/` (a TR-181 router and a TR-098 ONT with nested `_value` leaves, a queued task, a
pending and a faulted task with its fault), served with respx. Checks what the adapter sends (queries,
projections, double-escaped device ids, typed values, basic auth) and how it reads the answers."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import respx

from adapters.errors import ContractViolation, NotFound, TimedOut, Unavailable
from adapters.genieacs import oss as genieacs_oss
from adapters.genieacs.config import GenieAcsConfig
from adapters.genieacs.nbi import Nbi, make_nbi_http
from adapters.genieacs.oss import GenieAcsOss
from adapters.ports.cpe import WifiChange
from adapters.resilience.guard import Guard, Policy

NBI = "http://acs.example.net:7557"
FIXTURES = Path(__file__).parent / "fixtures"
ROUTER = "A0B1C2-HX510%2DAX-ACME12345678"  # TR-181, tagged sub-SS-9001-1
ONT = "00259E-HG8245H-4857544312345678"  # TR-098, tagged sub-SS-9001-2
NOW = datetime(2026, 11, 25, 10, 0, 30, tzinfo=UTC)
QUEUED_ID = "6b06b1a0e1f3a20b5c0d1e2f"
FAULTED_ID = "6b06acf00a1b2c3d4e5f6000"


def recorded(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def query_of(request: httpx.Request) -> dict[str, Any]:
    params = parse_qs(urlsplit(str(request.url)).query)
    found: dict[str, Any] = json.loads(params["query"][0])
    return found


def projection_of(request: httpx.Request) -> list[str]:
    params = parse_qs(urlsplit(str(request.url)).query)
    return params["projection"][0].split(",") if "projection" in params else []


def devices_matching(request: httpx.Request) -> httpx.Response:
    """GenieACS's search, over the recorded devices: by `_id` or `_tags`, equal or `$in`."""
    (field, condition), *_ = query_of(request).items()
    wanted = condition["$in"] if isinstance(condition, dict) else [condition]
    docs = [
        d
        for d in recorded("devices.json")
        if (d["_id"] in wanted if field == "_id" else any(t in wanted for t in d["_tags"]))
    ]
    return httpx.Response(200, json=docs)


@pytest.fixture(autouse=True)
def pinned_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(genieacs_oss, "_now", lambda: NOW)


@pytest.fixture
def nbi() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=NBI, assert_all_called=False) as router:
        router.get("/devices/").mock(side_effect=devices_matching)
        yield router


class NoCore:
    """The core's OSS: these tests never reach it."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the core's OSS was asked for {name}")


@pytest.fixture
async def acs() -> AsyncIterator[GenieAcsOss]:
    config = GenieAcsConfig(base_url=NBI, inform_interval_s=300)
    async with make_nbi_http(config) as http:
        yield GenieAcsOss(Nbi(http, Guard("genieacs", Policy(deadline_s=5))), config, NoCore())  # type: ignore[arg-type]


async def test_devices_by_subscriber_tag_with_projected_facts(
    acs: GenieAcsOss, nbi: respx.MockRouter
) -> None:
    found = await acs.devices_for(["SS-9001-1", "SS-9001-2", "SS-9999-9"])
    request = nbi.calls.last.request
    assert query_of(request) == {"_tags": {"$in": ["sub-SS-9001-1", "sub-SS-9001-2", "sub-SS-9999-9"]}}
    projection = projection_of(request)
    assert {"_id", "_lastInform", "_deviceId", "_tags", "Device.DeviceInfo.SoftwareVersion"} <= set(
        projection
    )
    assert "InternetGatewayDevice.DeviceInfo.ModelName" in projection and len(projection) <= 12
    assert found["SS-9999-9"] == []
    [router], [ont] = found["SS-9001-1"], found["SS-9001-2"]
    assert (router.id, router.model, router.serial, router.firmware, router.mac) == (
        ROUTER,
        "HX510 Wi-Fi 6 Router",
        "ACME12345678",
        "3.2.1-build77",
        "A0:B1:C2:00:10:01",
    )
    assert router.kind == "ROUTER" and router.online is True  # informed 18 s ago
    assert router.last_seen == datetime(2026, 11, 25, 9, 58, 12, 345000, tzinfo=UTC)
    assert (ont.kind, ont.model, ont.firmware, ont.online) == ("ONT", "HG8245H ONT", "V3R017C10S115", False)


async def test_a_device_without_the_portals_tag_is_not_found(acs: GenieAcsOss, nbi: respx.MockRouter) -> None:
    nbi.get("/devices/").mock(return_value=httpx.Response(200, json=[{"_id": ROUTER, "_tags": ["fw-beta"]}]))
    with pytest.raises(NotFound):
        await acs.device(ROUTER)


async def test_wifi_and_hosts_from_both_data_models(acs: GenieAcsOss, nbi: respx.MockRouter) -> None:
    views = await acs.cpe_for([ROUTER, ONT])
    assert set(projection_of(nbi.calls.last.request)) == {
        "_id",
        "_tags",
        "Device.WiFi",
        "Device.Hosts.Host",
        "InternetGatewayDevice.LANDevice.1.WLANConfiguration",
        "InternetGatewayDevice.LANDevice.1.Hosts.Host",
    }
    router, ont = views[ROUTER], views[ONT]
    assert [(n.index, n.ssid, n.band, n.channel, n.security) for n in router.wifi] == [
        (1, "Okoro-Home", "2.4GHz", 6, "WPA2_PERSONAL"),
        (2, "Okoro-Home-5G", "5GHz", 44, "WPA2_PERSONAL"),
    ]
    assert [(h.hostname, h.connection, h.wifi_index) for h in router.hosts] == [
        ("Living-Room-TV", "ETHERNET", None),
        ("iPhone", "WIFI", 2),
    ]
    assert [(n.ssid, n.channel, n.supported_security) for n in ont.wifi] == [
        ("HUAWEI-2B3C", 11, ("OPEN", "WPA2_PERSONAL"))
    ]
    assert [(h.mac, h.connection) for h in ont.hosts] == [("ac:de:48:00:11:22", "WIFI")]


async def test_a_wifi_change_is_queued_then_the_cpe_is_asked_to_connect(
    acs: GenieAcsOss, nbi: respx.MockRouter
) -> None:
    posted = nbi.post(path__regex=r"^/devices/.+/tasks$").mock(
        side_effect=[
            httpx.Response(202, json=recorded("task_queued.json")),
            # The connection request failed: GenieACS answers 504 with its status.
            httpx.Response(504, text="Device is offline"),
        ]
    )
    task = await acs.change_wifi(
        ROUTER, WifiChange(index=1, ssid="Okoro Casa", passphrase="correct horse battery")
    )
    queue, connect = (c.request for c in posted.calls)
    # GenieACS's ids already hold %-escapes: the path escapes them again.
    assert queue.url.raw_path == b"/devices/A0B1C2-HX510%252DAX-ACME12345678/tasks"
    assert json.loads(queue.content) == {
        "name": "setParameterValues",
        "parameterValues": [
            ["Device.WiFi.SSID.1.SSID", "Okoro Casa", "xsd:string"],
            ["Device.WiFi.AccessPoint.1.Security.KeyPassphrase", "correct horse battery", "xsd:string"],
        ],
    }
    assert connect.url.query == b"connection_request" and connect.content == b""
    assert (task.id, task.status, task.action, task.subservice_id) == (
        f"{QUEUED_ID}:W:{ROUTER}",
        "PENDING",
        "CHANGE_WIFI",
        "SS-9001-1",
    )
    assert task.created_at == datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    assert "correct horse battery" not in repr(task)


async def test_waiting_for_the_session_answers_done(nbi: respx.MockRouter) -> None:
    config = GenieAcsConfig(base_url=NBI, session_wait_ms=3000, read_timeout_s=10)
    posted = nbi.post(path__regex=r"^/devices/.+/tasks$").mock(
        return_value=httpx.Response(200, json=recorded("task_reboot.json"))
    )
    async with make_nbi_http(config) as http:
        acs = GenieAcsOss(Nbi(http, Guard("genieacs", Policy(deadline_s=15))), config, NoCore())  # type: ignore[arg-type]
        task = await acs.reboot(ONT)
    assert posted.calls.last.request.url.query == b"connection_request&timeout=3000"
    assert json.loads(posted.calls.last.request.content) == {"name": "reboot"}
    assert (task.status, task.action, task.updated_at) == ("DONE", "REBOOT", NOW)


async def test_a_faulted_task_is_failed_with_the_cwmp_fault(acs: GenieAcsOss, nbi: respx.MockRouter) -> None:
    nbi.get("/tasks/").mock(return_value=httpx.Response(200, json=recorded("tasks.json")[1:]))
    faults = nbi.get("/faults/").mock(return_value=httpx.Response(200, json=recorded("faults.json")))
    task = await acs.task(f"{FAULTED_ID}:F:{ONT}")
    assert (task.status, task.fault_code, task.fault_message, task.action) == (
        "FAILED",
        "9005",
        "Invalid parameter name",
        "REFRESH",
    )
    assert task.updated_at == datetime(2026, 11, 25, 9, 41, 7, tzinfo=UTC)
    assert query_of(faults.calls.last.request) == {"_id": f"{ONT}:task_{FAULTED_ID}"}


async def test_a_task_gone_from_genieacs_without_a_fault_is_done(
    acs: GenieAcsOss, nbi: respx.MockRouter
) -> None:
    tasks = nbi.get("/tasks/").mock(return_value=httpx.Response(200, json=[]))
    nbi.get("/faults/").mock(return_value=httpx.Response(200, json=[]))
    task = await acs.task(f"{QUEUED_ID}:W:{ROUTER}")
    assert query_of(tasks.calls.last.request) == {"_id": QUEUED_ID}
    assert (task.status, task.device_id, task.subservice_id) == ("DONE", ROUTER, "SS-9001-1")
    assert task.created_at == datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # from the ObjectId


async def test_the_tasks_genieacs_still_holds(acs: GenieAcsOss, nbi: respx.MockRouter) -> None:
    nbi.get("/tasks/").mock(return_value=httpx.Response(200, json=recorded("tasks.json")))
    nbi.get("/faults/").mock(return_value=httpx.Response(200, json=recorded("faults.json")))
    found = await acs.tasks_for([ROUTER, ONT])
    assert [(t.action, t.status) for t in found[ROUTER]] == [("CHANGE_WIFI", "PENDING")]
    assert [(t.action, t.status, t.fault_code) for t in found[ONT]] == [("REFRESH", "FAILED", "9005")]


@pytest.mark.parametrize("ref", ["", "nonsense", f"{QUEUED_ID}:X:{ROUTER}", f"{QUEUED_ID[:-1]}:W:{ROUTER}"])
async def test_a_malformed_task_reference_is_not_found(
    acs: GenieAcsOss, nbi: respx.MockRouter, ref: str
) -> None:
    with pytest.raises(NotFound):
        await acs.task(ref)
    assert not nbi.calls


async def test_basic_auth_only_when_configured(nbi: respx.MockRouter) -> None:
    for config, expected in (
        (GenieAcsConfig(base_url=NBI), None),
        (GenieAcsConfig(base_url=NBI, username="portal", password="s3cret"), "Basic cG9ydGFsOnMzY3JldA=="),
    ):
        async with make_nbi_http(config) as http:
            await Nbi(http, Guard("genieacs", Policy(deadline_s=5))).find("devices", {"_id": ROUTER})
        assert nbi.calls.last.request.headers.get("authorization") == expected


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (httpx.Response(503, text="busy"), Unavailable),
        (httpx.Response(401, text="Unauthorized"), Unavailable),
        (httpx.Response(200, text="not json"), ContractViolation),
        (httpx.Response(200, json={"not": "a list"}), ContractViolation),
        (httpx.TimeoutException("read timed out"), TimedOut),
    ],
)
async def test_failures_are_adapter_errors(
    acs: GenieAcsOss, nbi: respx.MockRouter, answer: Any, error: type[Exception]
) -> None:
    nbi.get("/devices/").mock(side_effect=[answer] * 3)
    with pytest.raises(error):
        await acs.devices_for(["SS-9001-1"])


async def test_a_task_for_a_device_genieacs_does_not_know_is_not_found(
    acs: GenieAcsOss, nbi: respx.MockRouter
) -> None:
    nbi.get("/devices/").mock(return_value=httpx.Response(200, json=[]))
    posted = nbi.post(path__regex=r"^/devices/.+/tasks$")
    with pytest.raises(NotFound):
        await acs.reboot("000000-Gone-0")
    assert not posted.calls
