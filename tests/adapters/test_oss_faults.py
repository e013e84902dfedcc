"""`HttpOss` under faults the sandbox never produces on its own, injected with respx."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import date

import httpx
import pytest
import respx

from adapters.errors import ContractViolation, NotFound, Rejected, Unavailable
from adapters.wispgate.client import BackendConfig, CoreClient, make_http_client
from adapters.wispgate.oss import HttpOss

BASE = "http://oss.test"
DEVICE = {
    "id": "DEV-1",
    "subservice_id": "SS-1",
    "kind": "ONT",
    "model": "ONT HG8245",
    "serial": "HWTC1",
    "mac": "02:57:47:00:00:01",
    "firmware": "1.0.0",
    "online": True,
    "last_seen": "2026-11-24T23:45:00Z",
    "signal_dbm": -18.5,
}


@pytest.fixture
async def oss() -> AsyncIterator[HttpOss]:
    async with make_http_client(BackendConfig(base_url=BASE, api_key="k")) as http:
        yield HttpOss(CoreClient("oss", http))


@pytest.fixture
def core() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=True) as router:
        yield router


async def test_timeout_is_unavailable(oss: HttpOss, core: respx.MockRouter) -> None:
    core.post("/v1/devices:batch").mock(side_effect=httpx.ConnectTimeout("slow"))
    with pytest.raises(Unavailable):
        await oss.devices_for(["SS-1"])


async def test_503_is_unavailable(oss: HttpOss, core: respx.MockRouter) -> None:
    core.post("/v1/usage:batch").respond(503)
    with pytest.raises(Unavailable):
        await oss.usage_for(["SS-1"])


async def test_malformed_json_is_contract_violation(oss: HttpOss, core: respx.MockRouter) -> None:
    core.get("/v1/devices/DEV-1").respond(
        200, content=b"{truncated", headers={"content-type": "application/json"}
    )
    with pytest.raises(ContractViolation):
        await oss.device("DEV-1")


async def test_missing_field_is_contract_violation(oss: HttpOss, core: respx.MockRouter) -> None:
    core.post("/v1/devices:batch").respond(
        200, json={"items": [{k: v for k, v in DEVICE.items() if k != "mac"}]}
    )
    with pytest.raises(ContractViolation, match="mac"):
        await oss.devices_for(["SS-1"])


async def test_bad_money_is_contract_violation(oss: HttpOss, core: respx.MockRouter) -> None:
    addon = {
        "id": "ADD-1",
        "subservice_id": "SS-1",
        "name": "Static IP",
        "monthly_price": {"amount": "five", "currency": "USD"},
        "active_since": "2026-01-01",
    }
    core.post("/v1/addons:batch").respond(200, json={"items": [addon]})
    with pytest.raises(ContractViolation, match="amount"):
        await oss.addons_for(["SS-1"])


async def test_bad_usage_day_is_contract_violation(oss: HttpOss, core: respx.MockRouter) -> None:
    usage = {
        "subservice_id": "SS-1",
        "from": "2026-11-01",
        "to": "2026-11-02",
        "download_bytes": 1,
        "upload_bytes": 1,
        "days": [{"date": "yesterday", "download_bytes": 1, "upload_bytes": 1}],
    }
    core.post("/v1/usage:batch").respond(200, json={"items": [usage]})
    with pytest.raises(ContractViolation, match="date"):
        await oss.usage_for(["SS-1"])


async def test_usage_sends_the_period(oss: HttpOss, core: respx.MockRouter) -> None:
    route = core.post("/v1/usage:batch").respond(200, json={"items": []})
    assert await oss.usage_for(["SS-1"], date(2026, 11, 1), date(2026, 11, 20)) == {}
    assert json.loads(route.calls.last.request.read()) == {
        "ids": ["SS-1"],
        "from": "2026-11-01",
        "to": "2026-11-20",
    }


async def test_404_is_not_found(oss: HttpOss, core: respx.MockRouter) -> None:
    core.get("/v1/devices/DEV-9").respond(
        404, json={"error": {"code": "NOT_FOUND", "message": "device not found"}}
    )
    with pytest.raises(NotFound):
        await oss.device("DEV-9")


async def test_409_is_rejected_with_code(oss: HttpOss, core: respx.MockRouter) -> None:
    core.post("/v1/addons:batch").respond(409, json={"error": {"code": "BUSY", "message": "try later"}})
    with pytest.raises(Rejected) as info:
        await oss.addons_for(["SS-1"])
    assert (info.value.code, info.value.status) == ("BUSY", 409)


async def test_422_is_rejected_with_code(oss: HttpOss, core: respx.MockRouter) -> None:
    core.post("/v1/usage:batch").respond(
        422, json={"error": {"code": "PERIOD_TOO_LONG", "message": "the period is at most 90 days"}}
    )
    with pytest.raises(Rejected) as info:
        await oss.usage_for(["SS-1"], date(2026, 1, 1), date(2026, 11, 1))
    assert info.value.code == "PERIOD_TOO_LONG"
