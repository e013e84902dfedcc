"""AAA through HTTP: seed facts, batch reads, reactivation rules, operator actions, events and key checks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from sandbox.aaa.system import AaaSystem
from sandbox.common.system import SystemConfig
from sandbox.world import World, with_bench_subscriber

SERVICE = {"x-api-key": "svc-key"}
OPERATOR = {"x-api-key": "op-key"}


def make_system(tmp_path: Path, world: World) -> AaaSystem:
    system = AaaSystem(
        SystemConfig(db_path=str(tmp_path / "aaa.sqlite3"), service_key="svc-key", operator_key="op-key")
    )
    system.seed(world)
    return system


@pytest.fixture
def system(tmp_path: Path, world: World) -> AaaSystem:
    return make_system(tmp_path, world)


@pytest.fixture
async def client(system: AaaSystem) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=system.asgi())
    async with httpx.AsyncClient(transport=transport, base_url="http://aaa.test") as http:
        yield http


def status_events(system: AaaSystem) -> list[dict[str, object]]:
    return [e["body"] for e in system.outbox.list() if e["type"] == "service.status_changed"]


async def test_seed_statuses(client: httpx.AsyncClient, world: World) -> None:
    ids = [s.id for s in world.subservices]
    response = await client.post("/v1/status:batch", json={"ids": ids}, headers=SERVICE)
    assert response.status_code == 200
    items = {i["subservice_id"]: i for i in response.json()["items"]}
    assert set(items) == set(ids)
    assert (items["SS-1002-1"]["status"], items["SS-1002-1"]["reason"]) == ("SUSPENDED", "NON_PAYMENT")
    assert (items["SS-1003-1"]["status"], items["SS-1003-1"]["reason"]) == ("SUSPENDED", "ADMINISTRATIVE")
    others = [i for k, i in items.items() if k not in ("SS-1002-1", "SS-1003-1")]
    assert all(i["status"] == "ACTIVE" and i["reason"] is None for i in others)
    assert items["SS-2001-5"]["subscriber_id"] == "SUB-2001"
    assert items["SS-1002-1"]["since"].endswith("Z")


async def test_batch_omits_unknown_ids_and_keeps_order(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/status:batch", json={"ids": ["SS-1003-1", "nope", "SS-1001-1", "SS-1003-1"]}, headers=SERVICE
    )
    assert [i["subservice_id"] for i in response.json()["items"]] == ["SS-1003-1", "SS-1001-1"]


async def test_single_status_and_unknown(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/subservices/SS-1002-1/status", headers=SERVICE)
    assert response.json()["status"] == "SUSPENDED"
    missing = await client.get("/v1/subservices/SS-0000/status", headers=SERVICE)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "NOT_FOUND"


async def test_seed_history(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/subservices/SS-1002-1/status-history", headers=SERVICE)
    items = response.json()["items"]
    assert [(i["from_status"], i["to_status"]) for i in items] == [("ACTIVE", "SUSPENDED"), (None, "ACTIVE")]
    assert items[0]["reason"] == "NON_PAYMENT"
    limited = await client.get("/v1/subservices/SS-1002-1/status-history?limit=1", headers=SERVICE)
    assert len(limited.json()["items"]) == 1


@pytest.mark.parametrize("limit", ["0", "501", "abc", "-1", "²", "1.5"])
async def test_history_limit_validated(client: httpx.AsyncClient, limit: str) -> None:
    response = await client.get(f"/v1/subservices/SS-1002-1/status-history?limit={limit}", headers=SERVICE)
    assert response.status_code == 422


async def test_profiles(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/profiles:batch", json={"ids": ["SS-1001-1", "SS-1001-2", "SS-2001-1"]}, headers=SERVICE
    )
    items = {i["subservice_id"]: i for i in response.json()["items"]}
    assert items["SS-1001-1"] == {
        "subservice_id": "SS-1001-1",
        "name": "Fiber 300",
        "plan": "Fiber 300",
        "down_mbps": 300,
        "up_mbps": 50,
        "restricted": False,
    }
    assert (items["SS-1001-2"]["down_mbps"], items["SS-1001-2"]["up_mbps"]) == (None, None)
    assert items["SS-2001-1"]["down_mbps"] == 500


async def test_sessions_online_and_offline_deterministic(client: httpx.AsyncClient) -> None:
    body = {"ids": ["SS-1001-1", "SS-1002-1"]}
    first = (await client.post("/v1/sessions:batch", json=body, headers=SERVICE)).json()["items"]
    second = (await client.post("/v1/sessions:batch", json=body, headers=SERVICE)).json()["items"]
    online, offline = first
    assert online["online"] is True and online["ip"].startswith("100.") and online["nas"].startswith("bng-")
    assert online["bytes_in"] > 0 and online["started_at"].endswith("Z")
    assert (online["ip"], online["nas"], online["started_at"]) == (
        second[0]["ip"],
        second[0]["nas"],
        second[0]["started_at"],
    )
    assert offline == {
        "subservice_id": "SS-1002-1",
        "online": False,
        "ip": None,
        "nas": None,
        "started_at": None,
        "bytes_in": 0,
        "bytes_out": 0,
    }


async def test_reactivate_non_payment(client: httpx.AsyncClient, system: AaaSystem) -> None:
    response = await client.post(
        "/v1/subservices/SS-1002-1/reactivate",
        json={"reason": "NON_PAYMENT", "note": "Paid"},
        headers=SERVICE,
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["reason"], body["changed"], body["note"]) == ("ACTIVE", None, True, "Paid")
    events = status_events(system)
    assert len(events) == 1
    assert events[0]["subscriber_id"] == "SUB-1002"
    assert events[0]["data"] == {
        "subservice_id": "SS-1002-1",
        "status": "ACTIVE",
        "reason": None,
        "previous_status": "SUSPENDED",
        "since": body["since"],
    }
    history = (await client.get("/v1/subservices/SS-1002-1/status-history", headers=SERVICE)).json()["items"]
    assert (history[0]["from_status"], history[0]["to_status"], history[0]["actor"]) == (
        "SUSPENDED",
        "ACTIVE",
        "SERVICE",
    )
    session = (await client.post("/v1/sessions:batch", json={"ids": ["SS-1002-1"]}, headers=SERVICE)).json()
    assert session["items"][0]["online"] is True
    # A retried call (the payment webhook again) is a no-op.
    again = await client.post(
        "/v1/subservices/SS-1002-1/reactivate", json={"reason": "NON_PAYMENT"}, headers=SERVICE
    )
    assert again.status_code == 200
    assert (again.json()["status"], again.json()["changed"]) == ("ACTIVE", False)
    assert len(status_events(system)) == 1


async def test_reactivate_refuses_other_reason(client: httpx.AsyncClient, system: AaaSystem) -> None:
    response = await client.post(
        "/v1/subservices/SS-1003-1/reactivate", json={"reason": "NON_PAYMENT"}, headers=SERVICE
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "REASON_MISMATCH"
    status = (await client.get("/v1/subservices/SS-1003-1/status", headers=SERVICE)).json()
    assert (status["status"], status["reason"]) == ("SUSPENDED", "ADMINISTRATIVE")
    assert status_events(system) == []


async def test_reactivate_active_is_noop(client: httpx.AsyncClient, system: AaaSystem) -> None:
    response = await client.post(
        "/v1/subservices/SS-1001-1/reactivate", json={"reason": "NON_PAYMENT"}, headers=SERVICE
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["changed"]) == ("ACTIVE", False)
    assert status_events(system) == []
    history = (await client.get("/v1/subservices/SS-1001-1/status-history", headers=SERVICE)).json()["items"]
    assert len(history) == 1


@pytest.mark.parametrize(
    "body",
    [{}, {"reason": "BROKE"}, {"reason": None}, {"reason": "NON_PAYMENT", "note": 5}, {"reason": 1}],
)
async def test_reactivate_validation(client: httpx.AsyncClient, body: dict[str, object]) -> None:
    response = await client.post("/v1/subservices/SS-1002-1/reactivate", json=body, headers=SERVICE)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "INVALID_REQUEST"


async def test_reactivate_bad_json_and_unknown(client: httpx.AsyncClient) -> None:
    bad = await client.post("/v1/subservices/SS-1002-1/reactivate", content=b"{not json", headers={**SERVICE})
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "INVALID_JSON"
    missing = await client.post(
        "/v1/subservices/SS-404/reactivate", json={"reason": "NON_PAYMENT"}, headers=SERVICE
    )
    assert missing.status_code == 404


async def test_ops_restrict_then_profile_and_status(client: httpx.AsyncClient, system: AaaSystem) -> None:
    response = await client.post(
        "/v1/ops/subservices/SS-1001-1/restrict",
        json={"reason": "USAGE_CAP", "note": "Cap"},
        headers=OPERATOR,
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["reason"], response.json()["changed"]) == (
        "RESTRICTED",
        "USAGE_CAP",
        True,
    )
    profile = (await client.post("/v1/profiles:batch", json={"ids": ["SS-1001-1"]}, headers=SERVICE)).json()
    assert profile["items"][0] == {
        "subservice_id": "SS-1001-1",
        "name": "Restricted",
        "plan": "Fiber 300",
        "down_mbps": 1,
        "up_mbps": 1,
        "restricted": True,
    }
    session = (await client.post("/v1/sessions:batch", json={"ids": ["SS-1001-1"]}, headers=SERVICE)).json()
    assert session["items"][0]["online"] is True
    # Same status and reason again changes nothing.
    again = await client.post(
        "/v1/ops/subservices/SS-1001-1/restrict", json={"reason": "USAGE_CAP"}, headers=OPERATOR
    )
    assert again.json()["changed"] is False
    assert [e["data"]["status"] for e in status_events(system)] == ["RESTRICTED"]  # type: ignore[index]


async def test_ops_suspend_then_status_profile_session(client: httpx.AsyncClient, system: AaaSystem) -> None:
    response = await client.post(
        "/v1/ops/subservices/SS-2001-5/suspend", json={"reason": "FRAUD"}, headers=OPERATOR
    )
    assert response.status_code == 200
    status = (await client.get("/v1/subservices/SS-2001-5/status", headers=SERVICE)).json()
    assert (status["status"], status["reason"]) == ("SUSPENDED", "FRAUD")
    session = (await client.post("/v1/sessions:batch", json={"ids": ["SS-2001-5"]}, headers=SERVICE)).json()
    assert session["items"][0]["online"] is False
    profile = (await client.post("/v1/profiles:batch", json={"ids": ["SS-2001-5"]}, headers=SERVICE)).json()
    assert profile["items"][0]["restricted"] is False
    listed = (await client.get("/v1/ops/subservices?status=SUSPENDED", headers=OPERATOR)).json()["items"]
    assert {i["subservice_id"] for i in listed} == {"SS-1002-1", "SS-1003-1", "SS-2001-5"}
    (event,) = status_events(system)
    assert event["data"]["previous_status"] == "ACTIVE"  # type: ignore[index]
    history = (await client.get("/v1/subservices/SS-2001-5/status-history", headers=SERVICE)).json()["items"]
    assert (history[0]["to_status"], history[0]["reason"], history[0]["actor"]) == (
        "SUSPENDED",
        "FRAUD",
        "OPERATOR",
    )


async def test_ops_reactivate_any_reason(client: httpx.AsyncClient, system: AaaSystem) -> None:
    response = await client.post(
        "/v1/ops/subservices/SS-1003-1/reactivate", json={"note": "Cleared"}, headers=OPERATOR
    )
    assert (response.json()["status"], response.json()["changed"]) == ("ACTIVE", True)
    again = await client.post("/v1/ops/subservices/SS-1003-1/reactivate", headers=OPERATOR)
    assert again.json()["changed"] is False
    assert len(status_events(system)) == 1


async def test_ops_validation(client: httpx.AsyncClient) -> None:
    bad_reason = await client.post(
        "/v1/ops/subservices/SS-1001-1/suspend", json={"reason": "WHATEVER"}, headers=OPERATOR
    )
    assert bad_reason.status_code == 422
    long_note = await client.post(
        "/v1/ops/subservices/SS-1001-1/suspend", json={"reason": "FRAUD", "note": "x" * 501}, headers=OPERATOR
    )
    assert long_note.status_code == 422
    bad_filter = await client.get("/v1/ops/subservices?status=GONE", headers=OPERATOR)
    assert bad_filter.status_code == 422
    missing = await client.post(
        "/v1/ops/subservices/SS-404/suspend", json={"reason": "FRAUD"}, headers=OPERATOR
    )
    assert missing.status_code == 404


async def test_suspend_python_method(system: AaaSystem) -> None:
    system.suspend("SS-1001-1", "NON_PAYMENT", "Invoice overdue")
    assert system.service.status("SS-1001-1")["status"] == "SUSPENDED"
    assert system.service.status("SS-1001-1")["reason"] == "NON_PAYMENT"
    assert len(status_events(system)) == 1
    # An existing suspension is never replaced: NON_PAYMENT must not overwrite ADMINISTRATIVE.
    system.suspend("SS-1003-1", "NON_PAYMENT", "Invoice overdue")
    assert system.service.status("SS-1003-1")["reason"] == "ADMINISTRATIVE"
    system.suspend("SS-1001-1", "NON_PAYMENT", "again")
    assert len(status_events(system)) == 1
    assert system.service.history("SS-1001-1")[0]["actor"] == "SYSTEM"


async def test_batch_of_1000_ids_in_one_call(tmp_path: Path, world: World) -> None:
    system = make_system(tmp_path, with_bench_subscriber(world, 1000))
    ids = [f"SS-9001-{i}" for i in range(1, 1001)]
    transport = httpx.ASGITransport(app=system.asgi())
    async with httpx.AsyncClient(transport=transport, base_url="http://aaa.test") as http:
        for path in ("/v1/status:batch", "/v1/profiles:batch", "/v1/sessions:batch"):
            response = await http.post(path, json={"ids": ids}, headers=SERVICE)
            assert response.status_code == 200
            assert [i["subservice_id"] for i in response.json()["items"]] == ids
        too_many = await http.post("/v1/status:batch", json={"ids": [*ids, "x"]}, headers=SERVICE)
        assert too_many.status_code == 422


@pytest.mark.parametrize("body", [{"ids": []}, {"ids": "SS-1"}, {"ids": [1]}, {"ids": [""]}, {}])
async def test_batch_validation(client: httpx.AsyncClient, body: dict[str, object]) -> None:
    response = await client.post("/v1/status:batch", json=body, headers=SERVICE)
    assert response.status_code == 422


async def test_keys(client: httpx.AsyncClient) -> None:
    no_key = await client.post("/v1/status:batch", json={"ids": ["SS-1001-1"]})
    assert no_key.status_code == 401
    wrong = await client.get("/v1/subservices/SS-1001-1/status", headers={"x-api-key": "nope"})
    assert wrong.status_code == 403
    service_on_ops = await client.get("/v1/ops/subservices", headers=SERVICE)
    assert service_on_ops.status_code == 403
    assert service_on_ops.json()["error"]["code"] == "FORBIDDEN"
    suspend = await client.post(
        "/v1/ops/subservices/SS-1001-1/suspend", json={"reason": "FRAUD"}, headers=SERVICE
    )
    assert suspend.status_code == 403
    operator_reads = await client.get("/v1/subservices/SS-1001-1/status", headers=OPERATOR)
    assert operator_reads.status_code == 200


async def test_set_profile_changes_speeds_live_once_and_reports_it(
    client: httpx.AsyncClient, system: AaaSystem
) -> None:
    body = {"plan": "Fiber 1000", "down_mbps": 1000, "up_mbps": 200}
    headers = {**SERVICE, "Idempotency-Key": "plan-1"}
    r = await client.put("/v1/subservices/SS-1001-1/profile", json=body, headers=headers)
    assert r.status_code == 200, r.text
    assert (r.json()["name"], r.json()["down_mbps"], r.json()["changed"]) == ("Fiber 1000", 1000, True)
    session = await client.post("/v1/sessions:batch", json={"ids": ["SS-1001-1"]}, headers=SERVICE)
    assert session.json()["items"][0]["online"] is True  # a change of authorization, not a reconnect
    again = await client.put("/v1/subservices/SS-1001-1/profile", json=body, headers=SERVICE)
    assert again.json()["changed"] is False
    events = [e["body"] for e in system.outbox.list() if e["type"] == "service.profile_changed"]
    assert [(e["subservice_id"], e["data"]["plan"]) for e in events] == [("SS-1001-1", "Fiber 1000")]
    speeds_on_tv = await client.put(
        "/v1/subservices/SS-1001-2/profile", json={**body, "plan": "TV Plus"}, headers=SERVICE
    )
    assert speeds_on_tv.status_code == 422
    unknown = await client.put("/v1/subservices/SS-NOPE/profile", json=body, headers=SERVICE)
    assert unknown.status_code == 404
