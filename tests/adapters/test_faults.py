"""Every HTTP adapter under faults the sandbox never produces on its own, injected with respx.

One mapping, tested once over all of them: a transport failure or a 5xx is `Unavailable`, a body outside the
contract is `ContractViolation`, a 404 is `NotFound`, any other 4xx is `Rejected` with the backend's code (or
`HTTP_<status>` when the body has none). The four WISPGate core adapters get it from `CoreClient`; the CRM's
upload and the Stripe gateway have senders of their own, so each is a row of its own.

Then what only one adapter's parser or request can get wrong, once each. Stripe's own error and response
shapes are in `test_gateway_faults.py`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest
import respx

from adapters.errors import BackendError, ContractViolation, NotFound, Rejected, Unavailable
from adapters.stripe.gateway import HttpStripeGateway, StripeConfig, make_stripe_http
from adapters.wispgate.aaa import HttpAaa
from adapters.wispgate.billing import HttpBilling
from adapters.wispgate.client import BackendConfig, CoreClient, make_http_client
from adapters.wispgate.crm import HttpCrm
from adapters.wispgate.oss import HttpOss

AAA, BILLING, CRM, OSS = "http://aaa.test", "http://billing.test", "http://crm.test", "http://oss.test"
STRIPE = "https://api.stripe.com"

Adapter = HttpAaa | HttpBilling | HttpCrm | HttpOss | HttpStripeGateway
Call = Callable[[Any], Awaitable[object]]

# Bodies as the core sends them, each the smallest one its parser accepts.
STATUS = {
    "subservice_id": "SS-1",
    "subscriber_id": "SUB-1",
    "status": "SUSPENDED",
    "reason": "NON_PAYMENT",
    "since": "2026-11-20T06:00:00Z",
    "note": None,
}
MONEY = {"amount": "5.00", "currency": "USD"}
WALLET = {"subscriber_id": "SUB-1", "balance": MONEY}
SUBSCRIBER = {
    "id": "SUB-1",
    "account_number": "WG-1",
    "name": "Ana",
    "kind": "RESIDENTIAL",
    "email": "a@x.example",
    "phone": "+1",
    "address": "1 Road",
    "subservice_count": 1,
}
ATTACHMENT = {
    "id": "ATT-1",
    "ticket_id": "TCK-1",
    "message_id": None,
    "filename": "a.txt",
    "content_type": "text/plain",
    "size_bytes": 5,
    "sha256": "0" * 64,
    "created_at": "2026-11-25T10:00:00Z",
}
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


def without(body: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != key}


def error(code: str, message: str = "refused") -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


@asynccontextmanager
async def adapter_at(base_url: str) -> AsyncIterator[Adapter]:
    """The adapter of the backend at `base_url`, over its production client (base URL, key, timeouts)."""
    if base_url == STRIPE:
        async with make_stripe_http(StripeConfig(api_key="sk_test_4eC39HqLyjWDarjtT1zdp7dc")) as http:
            yield HttpStripeGateway(http)
        return
    kinds: dict[str, Callable[[CoreClient], Adapter]] = {
        AAA: HttpAaa,
        BILLING: HttpBilling,
        CRM: HttpCrm,
        OSS: HttpOss,
    }
    async with make_http_client(BackendConfig(base_url=base_url, api_key="k")) as http:
        yield kinds[base_url](CoreClient(base_url.removeprefix("http://").removesuffix(".test"), http))


@pytest.fixture
def backends() -> respx.MockRouter:
    """Every backend's routes in one router; each route a test adds must be called."""
    return respx.mock(assert_all_called=True)


async def upload(crm: HttpCrm) -> object:
    return await crm.add_attachment("TCK-1", "a.txt", "text/plain", b"x")


# ------------------------------------------------------------------------------ the mapping, every adapter


@dataclass(frozen=True)
class Request:
    """One adapter call that makes exactly one request."""

    base_url: str
    method: str
    path: str
    call: Call
    ok_status: int = 200  # what the backend answers when all is well


REQUESTS = [
    pytest.param(Request(AAA, "POST", "/v1/status:batch", lambda a: a.statuses(["SS-1"])), id="aaa"),
    pytest.param(
        Request(BILLING, "POST", "/v1/wallets:batch", lambda b: b.wallet_balances(["SUB-1"])), id="billing"
    ),
    pytest.param(Request(CRM, "POST", "/v1/subscribers:batch", lambda c: c.subscribers(["SUB-1"])), id="crm"),
    pytest.param(
        Request(CRM, "POST", "/v1/tickets/TCK-1/attachments", upload, ok_status=201), id="crm upload"
    ),
    pytest.param(Request(OSS, "POST", "/v1/devices:batch", lambda o: o.devices_for(["SS-1"])), id="oss"),
    pytest.param(
        Request(STRIPE, "GET", "/v1/payment_methods/pm_1", lambda g: g.payment_method("pm_1")), id="gateway"
    ),
]


@dataclass(frozen=True)
class Fault:
    """What the backend (or the network) does instead of answering well, and what the adapter must raise."""

    error: type[BackendError]
    raises: Exception | None = None  # the transport raises this instead of answering
    status: int | None = None  # the answer's status; None: the request's own success status
    answer: dict[str, Any] | None = None  # a JSON body, or:
    text: str | None = None
    content: bytes | None = None
    rejected: tuple[str, int] | None = None  # a `Rejected`'s (code, status)

    def mock(self, route: respx.Route, ok_status: int) -> None:
        if self.raises is not None:
            route.mock(side_effect=self.raises)
            return
        status = self.status or ok_status
        if self.answer is not None:
            route.respond(status, json=self.answer)
        elif self.content is not None:
            route.respond(status, content=self.content, headers={"content-type": "application/json"})
        else:
            route.respond(status, text=self.text or "")


FAULTS = [
    pytest.param(Fault(Unavailable, raises=httpx.ReadTimeout("slow")), id="read timeout"),
    pytest.param(Fault(Unavailable, raises=httpx.ConnectTimeout("slow")), id="connect timeout"),
    pytest.param(Fault(Unavailable, raises=httpx.ConnectError("refused")), id="connection refused"),
    pytest.param(Fault(Unavailable, raises=httpx.RemoteProtocolError("eof")), id="connection dropped"),
    pytest.param(Fault(Unavailable, status=503, text="maintenance"), id="503"),
    pytest.param(Fault(Unavailable, status=502), id="502 without a body"),
    pytest.param(Fault(ContractViolation, text="<html>oops</html>"), id="HTML instead of JSON"),
    pytest.param(Fault(ContractViolation, content=b"{truncated"), id="truncated JSON"),
    pytest.param(Fault(NotFound, status=404, answer=error("NOT_FOUND", "no such thing")), id="404"),
    pytest.param(
        Fault(Rejected, status=401, answer=error("UNAUTHORIZED", "key"), rejected=("UNAUTHORIZED", 401)),
        id="401 with a code",
    ),
    pytest.param(
        Fault(Rejected, status=409, answer=error("TICKET_CLOSED"), rejected=("TICKET_CLOSED", 409)),
        id="409 with a code",
    ),
    pytest.param(
        Fault(Rejected, status=422, answer=error("PERIOD_TOO_LONG"), rejected=("PERIOD_TOO_LONG", 422)),
        id="422 with a code",
    ),
    pytest.param(
        Fault(Rejected, status=413, text="too big", rejected=("HTTP_413", 413)), id="413 without a JSON body"
    ),
]


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("request_", REQUESTS)
async def test_faults_become_adapter_errors(
    backends: respx.MockRouter, request_: Request, fault: Fault
) -> None:
    with backends:
        route = backends.request(request_.method, request_.base_url + request_.path)
        fault.mock(route, request_.ok_status)
        async with adapter_at(request_.base_url) as adapter:
            with pytest.raises(fault.error) as raised:
                await request_.call(adapter)
    if fault.rejected is not None:
        assert isinstance(raised.value, Rejected)
        assert (raised.value.code, raised.value.status) == fault.rejected


# ------------------------------------------------------------------- answers outside one parser's contract


@dataclass(frozen=True)
class Outside:
    """An answer that is valid JSON but breaks one parser's part of the contract."""

    base_url: str
    method: str
    path: str
    answer: dict[str, Any]
    call: Call
    names: str | None = None  # the message names the field at fault


OUTSIDE = [
    pytest.param(
        Outside(AAA, "POST", "/v1/status:batch", {"items": [without(STATUS, "since")]},
                lambda a: a.statuses(["SS-1"]), "since"),
        id="aaa: a status without `since`",
    ),
    pytest.param(
        Outside(AAA, "GET", "/v1/subservices/SS-1/status", {**STATUS, "status": "HIBERNATING"},
                lambda a: a.status("SS-1"), "status"),
        id="aaa: an unknown status",
    ),
    pytest.param(
        Outside(AAA, "POST", "/v1/subservices/SS-1/reactivate", STATUS,
                lambda a: a.reactivate("SS-1", "NON_PAYMENT"), "changed"),
        id="aaa: a reactivation without `changed`",
    ),
    pytest.param(
        Outside(BILLING, "POST", "/v1/wallets:batch", {"items": [{"subscriber_id": "SUB-1"}]},
                lambda b: b.wallet_balances(["SUB-1"])),
        id="billing: a wallet without its balance",
    ),
    pytest.param(
        Outside(BILLING, "POST", "/v1/wallets:batch",
                {"items": [{**WALLET, "balance": {"amount": "lots", "currency": "USD"}}]},
                lambda b: b.wallet_balances(["SUB-1"])),
        id="billing: an amount that is not a number",
    ),
    pytest.param(
        Outside(CRM, "POST", "/v1/subscribers:batch", {"items": [without(SUBSCRIBER, "kind")]},
                lambda c: c.subscribers(["SUB-1"])),
        id="crm: a subscriber without its kind",
    ),
    pytest.param(
        Outside(CRM, "GET", "/v1/subscribers/SUB-1", {**SUBSCRIBER, "kind": "ALIEN"},
                lambda c: c.subscriber("SUB-1")),
        id="crm: an unknown kind",
    ),
    pytest.param(
        Outside(CRM, "GET", "/v1/subscribers/SUB-1/subservices",
                {"items": [], "next_cursor": "same", "total_count": 5},
                lambda c: c.all_subservices_of("SUB-1")),
        id="crm: a cursor that never advances",
    ),
    pytest.param(
        Outside(OSS, "POST", "/v1/devices:batch", {"items": [without(DEVICE, "mac")]},
                lambda o: o.devices_for(["SS-1"]), "mac"),
        id="oss: a device without its MAC",
    ),
    pytest.param(
        Outside(OSS, "POST", "/v1/addons:batch",
                {"items": [{"id": "ADD-1", "subservice_id": "SS-1", "name": "Static IP",
                            "monthly_price": {"amount": "five", "currency": "USD"},
                            "active_since": "2026-01-01"}]},
                lambda o: o.addons_for(["SS-1"]), "amount"),
        id="oss: a price that is not a number",
    ),
    pytest.param(
        Outside(OSS, "POST", "/v1/usage:batch",
                {"items": [{"subservice_id": "SS-1", "from": "2026-11-01", "to": "2026-11-02",
                            "download_bytes": 1, "upload_bytes": 1,
                            "days": [{"date": "yesterday", "download_bytes": 1, "upload_bytes": 1}]}]},
                lambda o: o.usage_for(["SS-1"]), "date"),
        id="oss: a usage day that is not a date",
    ),
]  # fmt: skip


@pytest.mark.parametrize("case", OUTSIDE)
async def test_answers_outside_the_contract_are_contract_violations(
    backends: respx.MockRouter, case: Outside
) -> None:
    with backends:
        backends.request(case.method, case.base_url + case.path).respond(200, json=case.answer)
        async with adapter_at(case.base_url) as adapter:
            with pytest.raises(ContractViolation, match=case.names):
                await case.call(adapter)


# ----------------------------------------------------------------------------- what one adapter sends


async def test_aaa_reactivation_sends_reason_and_note_and_a_refusal_keeps_its_code(
    backends: respx.MockRouter,
) -> None:
    with backends:
        route = backends.post(f"{AAA}/v1/subservices/SS-1/reactivate").respond(
            409, json=error("REASON_MISMATCH", "suspended for ADMINISTRATIVE")
        )
        async with adapter_at(AAA) as adapter:
            assert isinstance(adapter, HttpAaa)
            with pytest.raises(Rejected) as info:
                await adapter.reactivate("SS-1", "NON_PAYMENT", "paid")
    assert (info.value.code, info.value.status) == ("REASON_MISMATCH", 409)
    assert route.calls.last.request.read() == b'{"reason":"NON_PAYMENT","note":"paid"}'


async def test_billing_ids_are_escaped_in_paths(backends: respx.MockRouter) -> None:
    with backends:
        route = backends.get(f"{BILLING}/v1/subscribers/SUB%2F1/payment-methods").respond(
            200, json={"items": []}
        )
        async with adapter_at(BILLING) as adapter:
            assert isinstance(adapter, HttpBilling)
            assert await adapter.payment_methods("SUB/1") == []
    assert route.called


async def test_crm_ids_are_quoted_into_one_path_segment(backends: respx.MockRouter) -> None:
    with backends:
        route = backends.get(f"{CRM}/v1/tickets/..%2Fops%2Femails").respond(404, json=error("NOT_FOUND", "x"))
        async with adapter_at(CRM) as adapter:
            assert isinstance(adapter, HttpCrm)
            with pytest.raises(NotFound):
                await adapter.ticket("../ops/emails")
    assert route.called


async def test_billing_batches_above_1000_are_split(backends: respx.MockRouter) -> None:
    seen: list[int] = []

    def answer(request: httpx.Request) -> httpx.Response:
        ids = json.loads(request.content)["ids"]
        seen.append(len(ids))
        return httpx.Response(200, json={"items": [{"subscriber_id": i, "balance": MONEY} for i in ids]})

    with backends:
        backends.post(f"{BILLING}/v1/wallets:batch").mock(side_effect=answer)
        async with adapter_at(BILLING) as adapter:
            assert isinstance(adapter, HttpBilling)
            balances = await adapter.wallet_balances([f"SUB-{i}" for i in range(2500)] + ["SUB-1"])
    assert sorted(seen) == [500, 1000, 1000] and len(balances) == 2500


async def test_crm_upload_is_real_multipart(backends: respx.MockRouter) -> None:
    with backends:
        route = backends.post(f"{CRM}/v1/tickets/TCK-1/attachments").respond(
            201, json={**ATTACHMENT, "message_id": "MSG-2"}
        )
        async with adapter_at(CRM) as adapter:
            assert isinstance(adapter, HttpCrm)
            attachment = await adapter.add_attachment(
                "TCK-1", "a.txt", "text/plain", b"hello", message_id="MSG-2"
            )
    assert attachment.message_id == "MSG-2"
    request = route.calls.last.request
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert request.headers["x-api-key"] == "k"
    body = request.content
    assert b'name="file"; filename="a.txt"' in body and b"Content-Type: text/plain" in body
    assert b'name="message_id"' in body and b"hello" in body


async def test_crm_attachment_size_mismatch_is_contract_violation(backends: respx.MockRouter) -> None:
    with backends:
        backends.post(f"{CRM}/v1/attachments:batch").respond(
            200, json={"items": [{**ATTACHMENT, "size_bytes": 99}]}
        )
        backends.get(f"{CRM}/v1/attachments/ATT-1").respond(
            200, content=b"short", headers={"content-type": "text/plain"}
        )
        async with adapter_at(CRM) as adapter:
            assert isinstance(adapter, HttpCrm)
            with pytest.raises(ContractViolation):
                await adapter.attachment("ATT-1")


async def test_oss_usage_sends_the_period(backends: respx.MockRouter) -> None:
    with backends:
        route = backends.post(f"{OSS}/v1/usage:batch").respond(200, json={"items": []})
        async with adapter_at(OSS) as adapter:
            assert isinstance(adapter, HttpOss)
            assert await adapter.usage_for(["SS-1"], date(2026, 11, 1), date(2026, 11, 20)) == {}
    assert json.loads(route.calls.last.request.read()) == {
        "ids": ["SS-1"],
        "from": "2026-11-01",
        "to": "2026-11-20",
    }
