"""`HttpAaa` under faults the sandbox never produces on its own, injected with respx."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import respx

from adapters.errors import ContractViolation, NotFound, Rejected, Unavailable
from adapters.wispgate.aaa import HttpAaa
from adapters.wispgate.client import BackendConfig, CoreClient, make_http_client

BASE = "http://aaa.test"
STATUS = {
    "subservice_id": "SS-1",
    "subscriber_id": "SUB-1",
    "status": "SUSPENDED",
    "reason": "NON_PAYMENT",
    "since": "2026-11-20T06:00:00Z",
    "note": None,
}


@pytest.fixture
async def aaa() -> AsyncIterator[HttpAaa]:
    async with make_http_client(BackendConfig(base_url=BASE, api_key="k")) as http:
        yield HttpAaa(CoreClient("aaa", http))


@pytest.fixture
def core() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=True) as router:
        yield router


async def test_timeout_is_unavailable(aaa: HttpAaa, core: respx.MockRouter) -> None:
    core.post("/v1/status:batch").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(Unavailable):
        await aaa.statuses(["SS-1"])


async def test_connection_error_is_unavailable(aaa: HttpAaa, core: respx.MockRouter) -> None:
    core.post("/v1/sessions:batch").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(Unavailable):
        await aaa.sessions(["SS-1"])


async def test_503_is_unavailable(aaa: HttpAaa, core: respx.MockRouter) -> None:
    core.post("/v1/subservices/SS-1/reactivate").respond(503, text="maintenance")
    with pytest.raises(Unavailable):
        await aaa.reactivate("SS-1", "NON_PAYMENT")


async def test_malformed_json_is_contract_violation(aaa: HttpAaa, core: respx.MockRouter) -> None:
    core.post("/v1/profiles:batch").respond(200, text="<html>oops</html>")
    with pytest.raises(ContractViolation):
        await aaa.profiles(["SS-1"])


async def test_missing_field_is_contract_violation(aaa: HttpAaa, core: respx.MockRouter) -> None:
    incomplete = {k: v for k, v in STATUS.items() if k != "since"}
    core.post("/v1/status:batch").respond(200, json={"items": [incomplete]})
    with pytest.raises(ContractViolation, match="since"):
        await aaa.statuses(["SS-1"])


async def test_unknown_enum_is_contract_violation(aaa: HttpAaa, core: respx.MockRouter) -> None:
    core.get("/v1/subservices/SS-1/status").respond(200, json={**STATUS, "status": "HIBERNATING"})
    with pytest.raises(ContractViolation, match="status"):
        await aaa.status("SS-1")


async def test_reactivate_without_changed_is_contract_violation(aaa: HttpAaa, core: respx.MockRouter) -> None:
    core.post("/v1/subservices/SS-1/reactivate").respond(200, json=STATUS)
    with pytest.raises(ContractViolation, match="changed"):
        await aaa.reactivate("SS-1", "NON_PAYMENT")


async def test_404_is_not_found(aaa: HttpAaa, core: respx.MockRouter) -> None:
    core.get("/v1/subservices/SS-1/status-history").respond(
        404, json={"error": {"code": "NOT_FOUND", "message": "sub-service not found"}}
    )
    with pytest.raises(NotFound):
        await aaa.status_history("SS-1")


async def test_409_is_rejected_with_code(aaa: HttpAaa, core: respx.MockRouter) -> None:
    route = core.post("/v1/subservices/SS-1/reactivate").respond(
        409, json={"error": {"code": "REASON_MISMATCH", "message": "suspended for ADMINISTRATIVE"}}
    )
    with pytest.raises(Rejected) as info:
        await aaa.reactivate("SS-1", "NON_PAYMENT", "paid")
    assert (info.value.code, info.value.status) == ("REASON_MISMATCH", 409)
    assert route.calls.last.request.read() == b'{"reason":"NON_PAYMENT","note":"paid"}'


async def test_401_is_rejected(aaa: HttpAaa, core: respx.MockRouter) -> None:
    core.post("/v1/status:batch").respond(401, json={"error": {"code": "UNAUTHORIZED", "message": "key"}})
    with pytest.raises(Rejected) as info:
        await aaa.statuses(["SS-1"])
    assert info.value.code == "UNAUTHORIZED"
