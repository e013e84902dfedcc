"""OSS through HTTP: devices from the seed, usage windows, add-ons, operator device changes and key checks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from sandbox.common.system import SystemConfig
from sandbox.oss.store import device_kind
from sandbox.oss.system import OssSystem
from sandbox.world import World, with_bench_subscriber

SERVICE = {"x-api-key": "svc-key"}
OPERATOR = {"x-api-key": "op-key"}


def make_system(tmp_path: Path, world: World) -> OssSystem:
    system = OssSystem(
        SystemConfig(db_path=str(tmp_path / "oss.sqlite3"), service_key="svc-key", operator_key="op-key")
    )
    system.seed(world)
    return system


@pytest.fixture
def system(tmp_path: Path, world: World) -> OssSystem:
    return make_system(tmp_path, world)


@pytest.fixture
async def client(system: OssSystem) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=system.asgi())
    async with httpx.AsyncClient(transport=transport, base_url="http://oss.test") as http:
        yield http


async def usage(client: httpx.AsyncClient, body: dict[str, object]) -> httpx.Response:
    return await client.post("/v1/usage:batch", json=body, headers=SERVICE)


@pytest.mark.parametrize(
    ("model", "kind"),
    [
        ("ONT HG8245", "ONT"),
        ("Wi-Fi 6 Router AX3000", "ROUTER"),
        ("Set-top Box STB-4K", "STB"),
        ("VoIP ATA 2-port", "ATA"),
        ("Edge Router ER-8", "ROUTER"),
        ("SIP Gateway 8FXS", "GATEWAY"),
    ],
)
def test_device_kind_from_model(model: str, kind: str) -> None:
    assert device_kind(model) == kind


async def test_devices_match_seed_models(client: httpx.AsyncClient, world: World) -> None:
    ids = [s.id for s in world.subservices]
    response = await client.post("/v1/devices:batch", json={"ids": ids}, headers=SERVICE)
    assert response.status_code == 200
    items = response.json()["items"]
    by_subservice: dict[str, list[str]] = {}
    for item in items:
        by_subservice.setdefault(item["subservice_id"], []).append(item["model"])
    assert by_subservice == {s.id: list(s.device_models) for s in world.subservices if s.device_models}
    macs = [i["mac"] for i in items]
    assert len(set(macs)) == len(macs)
    ont = next(i for i in items if i["subservice_id"] == "SS-1001-1" and i["kind"] == "ONT")
    assert -30 < ont["signal_dbm"] < -10
    router = next(i for i in items if i["subservice_id"] == "SS-1001-1" and i["kind"] == "ROUTER")
    assert router["signal_dbm"] is None
    assert all(i["online"] is True and i["last_seen"].endswith("Z") and i["firmware"] for i in items)
    # A suspended sub-service's CPE is still powered.
    assert [i["online"] for i in items if i["subservice_id"] == "SS-1002-1"] == [True]


async def test_seed_is_deterministic(tmp_path: Path, world: World) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = make_system(tmp_path / "a", world), make_system(tmp_path / "b", world)
    ids = ["SS-1001-1", "SS-2001-1"]
    assert first.service.devices_for(ids) == second.service.devices_for(ids)
    assert first.service.usage_for(ids) == second.service.usage_for(ids)


async def test_device_by_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/devices/DEV-1001-2-1", headers=SERVICE)
    assert response.status_code == 200
    assert (response.json()["kind"], response.json()["subservice_id"]) == ("STB", "SS-1001-2")
    missing = await client.get("/v1/devices/DEV-404", headers=SERVICE)
    assert missing.status_code == 404


async def test_usage_default_window_is_30_days(client: httpx.AsyncClient, today: date) -> None:
    response = await usage(client, {"ids": ["SS-1001-1"]})
    assert response.status_code == 200
    (item,) = response.json()["items"]
    assert (item["from"], item["to"]) == ((today - timedelta(days=29)).isoformat(), today.isoformat())
    # Run alone, OSS has the recorded days before the seed's day; from then on the usage is what AAA's
    # sessions count (wired in the combined sandbox: tests/sandbox/test_usage_consistency.py).
    assert [d["date"] for d in item["days"]] == [
        (today - timedelta(days=29 - i)).isoformat() for i in range(29)
    ]
    assert item["download_bytes"] == sum(d["download_bytes"] for d in item["days"])
    assert item["upload_bytes"] == sum(d["upload_bytes"] for d in item["days"])
    # Plausible for a 300/50 plan: between 1 GB and the line rate per day, upload below download.
    for day in item["days"]:
        assert 10**9 < day["download_bytes"] < 300 * 125_000 * 86_400
        assert 0 < day["upload_bytes"] < day["download_bytes"]


async def test_usage_custom_window(client: httpx.AsyncClient, today: date) -> None:
    start, end = today - timedelta(days=89), today - timedelta(days=80)
    response = await usage(client, {"ids": ["SS-2001-1"], "from": start.isoformat(), "to": end.isoformat()})
    (item,) = response.json()["items"]
    assert (item["from"], item["to"]) == (start.isoformat(), end.isoformat())
    assert len(item["days"]) == 10
    full = await usage(client, {"ids": ["SS-2001-1"], "from": start.isoformat(), "to": today.isoformat()})
    assert len(full.json()["items"][0]["days"]) == 89  # every day before today (the sessions' day)
    only_to = await usage(client, {"ids": ["SS-2001-1"], "to": end.isoformat()})
    assert only_to.json()["items"][0]["from"] == (end - timedelta(days=29)).isoformat()


async def test_usage_window_limits(client: httpx.AsyncClient, today: date) -> None:
    too_long = await usage(
        client,
        {"ids": ["SS-1001-1"], "from": (today - timedelta(days=90)).isoformat(), "to": today.isoformat()},
    )
    assert too_long.status_code == 422
    assert too_long.json()["error"]["code"] == "PERIOD_TOO_LONG"
    reversed_ = await usage(client, {"ids": ["SS-1001-1"], "from": "2026-11-20", "to": "2026-11-10"})
    assert reversed_.status_code == 422
    assert reversed_.json()["error"]["code"] == "INVALID_PERIOD"
    future_from = await usage(client, {"ids": ["SS-1001-1"], "from": (today + timedelta(days=1)).isoformat()})
    assert future_from.status_code == 422


@pytest.mark.parametrize(
    "value", ["2026-02-30", "20261101", "yesterday", 20261101, "", "２０２６-11-01", "2026-11-01\n"]
)
async def test_usage_bad_dates(client: httpx.AsyncClient, value: object) -> None:
    response = await usage(client, {"ids": ["SS-1001-1"], "from": value})
    assert response.status_code == 422


async def test_usage_iptv_and_voip_are_metered_unknown_omitted(client: httpx.AsyncClient) -> None:
    """Their sessions carry bytes (a small steady stream), so their usage is recorded too."""
    response = await usage(client, {"ids": ["SS-1001-2", "SS-1003-2", "nope"]})
    items = response.json()["items"]
    assert [i["subservice_id"] for i in items] == ["SS-1001-2", "SS-1003-2"]
    assert all(len(i["days"]) == 29 and 0 < i["upload_bytes"] < i["download_bytes"] for i in items)
    # Far less than a 300 Mbps line: under 1 GB a day.
    assert all(d["download_bytes"] < 10**9 for i in items for d in i["days"])


async def test_addons(client: httpx.AsyncClient, world: World, today: date) -> None:
    response = await client.post(
        "/v1/addons:batch", json={"ids": ["SS-1001-1", "SS-1001-2", "SS-1002-1"]}, headers=SERVICE
    )
    items = response.json()["items"]
    assert [(i["subservice_id"], i["name"], i["monthly_price"]) for i in items] == [
        ("SS-1001-1", "Static IP", {"amount": "5.00", "currency": "USD"}),
        ("SS-1001-2", "Sports Pack", {"amount": "7.99", "currency": "USD"}),
    ]
    assert all(date.fromisoformat(i["active_since"]) < today for i in items)
    everyone = [s.id for s in world.subservices]
    all_items = (await client.post("/v1/addons:batch", json={"ids": everyone}, headers=SERVICE)).json()[
        "items"
    ]
    assert len(all_items) == sum(len(s.add_ons) for s in world.subservices)


async def test_ops_device_state(client: httpx.AsyncClient) -> None:
    before = (await client.get("/v1/devices/DEV-1001-1-1", headers=SERVICE)).json()
    response = await client.post(
        "/v1/ops/devices/DEV-1001-1-1/state",
        json={"online": False, "signal_dbm": -27.34, "firmware": "6.0.1"},
        headers=OPERATOR,
    )
    assert response.status_code == 200
    after = response.json()
    assert (after["online"], after["signal_dbm"], after["firmware"]) == (False, -27.3, "6.0.1")
    assert after["last_seen"] > before["last_seen"]  # it was seen until it went offline
    reread = (await client.get("/v1/devices/DEV-1001-1-1", headers=SERVICE)).json()
    assert reread == after
    # Offline again: last_seen stays where it was.
    again = await client.post(
        "/v1/ops/devices/DEV-1001-1-1/state", json={"firmware": "6.0.2"}, headers=OPERATOR
    )
    assert again.json()["last_seen"] == after["last_seen"]


@pytest.mark.parametrize(
    ("device", "body", "code"),
    [
        ("DEV-1001-1-1", {}, "NOTHING_TO_CHANGE"),
        ("DEV-1001-1-2", {"signal_dbm": -20}, "NOT_AN_ONT"),
        ("DEV-1001-1-1", {"online": "yes"}, "INVALID_REQUEST"),
        ("DEV-1001-1-1", {"signal_dbm": -90}, "INVALID_REQUEST"),
        ("DEV-1001-1-1", {"signal_dbm": True}, "INVALID_REQUEST"),
        ("DEV-1001-1-1", {"signal_dbm": 10**400}, "INVALID_REQUEST"),
        ("DEV-1001-1-1", {"firmware": "  "}, "INVALID_REQUEST"),
        ("DEV-1001-1-1", {"firmware": "x" * 65}, "INVALID_REQUEST"),
    ],
)
async def test_ops_device_state_validation(
    client: httpx.AsyncClient, device: str, body: dict[str, object], code: str
) -> None:
    response = await client.post(f"/v1/ops/devices/{device}/state", json=body, headers=OPERATOR)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == code


async def test_ops_device_state_unknown_and_bad_json(client: httpx.AsyncClient) -> None:
    missing = await client.post("/v1/ops/devices/DEV-404/state", json={"online": True}, headers=OPERATOR)
    assert missing.status_code == 404
    bad = await client.post("/v1/ops/devices/DEV-1001-1-1/state", content=b"[1, 2]", headers=OPERATOR)
    assert bad.status_code == 400


async def test_ops_list_devices(client: httpx.AsyncClient, world: World) -> None:
    one = (await client.get("/v1/ops/devices?subservice_id=SS-1001-1", headers=OPERATOR)).json()["items"]
    assert [d["kind"] for d in one] == ["ONT", "ROUTER"]
    everything = (await client.get("/v1/ops/devices", headers=OPERATOR)).json()["items"]
    assert len(everything) == sum(len(s.device_models) for s in world.subservices)


async def test_batch_with_1000_ids(tmp_path: Path, world: World) -> None:
    bench = with_bench_subscriber(world, 1000)
    system = make_system(tmp_path, bench)  # how long seeding takes is a benchmark's business, not a test's
    ids = [f"SS-9001-{i}" for i in range(1, 1001)]
    transport = httpx.ASGITransport(app=system.asgi())
    async with httpx.AsyncClient(transport=transport, base_url="http://oss.test") as http:
        devices = await http.post("/v1/devices:batch", json={"ids": ids}, headers=SERVICE)
        assert len(devices.json()["items"]) == 1000
        used = await http.post("/v1/usage:batch", json={"ids": ids}, headers=SERVICE)
        assert [i["subservice_id"] for i in used.json()["items"]] == ids
        assert all(len(i["days"]) == 29 for i in used.json()["items"])
        addons = await http.post("/v1/addons:batch", json={"ids": ids}, headers=SERVICE)
        assert addons.json()["items"] == []
    assert system.db.scalar("SELECT COUNT(*) FROM oss_usage WHERE subservice_id LIKE 'SS-9001-%'") == 90_000


@pytest.mark.parametrize("path", ["/v1/devices:batch", "/v1/usage:batch", "/v1/addons:batch"])
@pytest.mark.parametrize("body", [{"ids": []}, {"ids": ["x"] * 1001}, {"ids": [None]}, {"nope": 1}])
async def test_batch_validation(client: httpx.AsyncClient, path: str, body: dict[str, object]) -> None:
    response = await client.post(path, json=body, headers=SERVICE)
    assert response.status_code == 422


async def test_keys(client: httpx.AsyncClient) -> None:
    assert (await client.post("/v1/devices:batch", json={"ids": ["SS-1001-1"]})).status_code == 401
    wrong = await client.get("/v1/devices/DEV-1001-1-1", headers={"x-api-key": "bad"})
    assert wrong.status_code == 403
    service_on_ops = await client.post(
        "/v1/ops/devices/DEV-1001-1-1/state", json={"online": False}, headers=SERVICE
    )
    assert service_on_ops.status_code == 403
    assert (await client.get("/v1/ops/devices", headers=SERVICE)).status_code == 403
    assert (await client.get("/v1/ops/devices", headers=OPERATOR)).status_code == 200


@pytest.mark.parametrize("raw", [b'{"signal_dbm": NaN}', b'{"signal_dbm": Infinity}'])
async def test_ops_device_state_refuses_non_finite_signal(client: httpx.AsyncClient, raw: bytes) -> None:
    response = await client.post("/v1/ops/devices/DEV-1001-1-1/state", content=raw, headers=OPERATOR)
    assert response.status_code == 422
