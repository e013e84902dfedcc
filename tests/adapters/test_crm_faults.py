"""`HttpCrm` under faults the sandbox never produces on its own, injected with respx."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import respx

from adapters.errors import ContractViolation, NotFound, Rejected, Unavailable
from adapters.wispgate.client import BackendConfig, CoreClient, make_http_client
from adapters.wispgate.crm import HttpCrm

BASE = "http://crm.test"
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


@pytest.fixture
async def crm() -> AsyncIterator[HttpCrm]:
    async with make_http_client(BackendConfig(base_url=BASE, api_key="k")) as http:
        yield HttpCrm(CoreClient("crm", http))


@pytest.fixture
def core() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=True) as router:
        yield router


async def test_timeout_is_unavailable(crm: HttpCrm, core: respx.MockRouter) -> None:
    core.post("/v1/subscribers:batch").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(Unavailable):
        await crm.subscribers(["SUB-1"])


async def test_upload_timeout_and_connection_errors_are_unavailable(
    crm: HttpCrm, core: respx.MockRouter
) -> None:
    core.post("/v1/tickets/TCK-1/attachments").mock(
        side_effect=[httpx.ReadTimeout("slow"), httpx.ConnectError("refused")]
    )
    for _ in range(2):
        with pytest.raises(Unavailable):
            await crm.add_attachment("TCK-1", "a.txt", "text/plain", b"x")


async def test_503_is_unavailable(crm: HttpCrm, core: respx.MockRouter) -> None:
    core.get("/v1/subscribers/SUB-1").respond(503, text="maintenance")
    core.post("/v1/tickets/TCK-1/attachments").respond(502)
    with pytest.raises(Unavailable):
        await crm.subscriber("SUB-1")
    with pytest.raises(Unavailable):
        await crm.add_attachment("TCK-1", "a.txt", "text/plain", b"x")


async def test_malformed_json_is_contract_violation(crm: HttpCrm, core: respx.MockRouter) -> None:
    core.get("/v1/users/USR-1").respond(200, text="<html>oops</html>")
    core.post("/v1/tickets/TCK-1/attachments").respond(201, text="not json")
    with pytest.raises(ContractViolation):
        await crm.user("USR-1")
    with pytest.raises(ContractViolation):
        await crm.add_attachment("TCK-1", "a.txt", "text/plain", b"x")


async def test_missing_required_field_is_contract_violation(crm: HttpCrm, core: respx.MockRouter) -> None:
    partial = {k: v for k, v in SUBSCRIBER.items() if k != "kind"}
    core.post("/v1/subscribers:batch").respond(200, json={"items": [partial]})
    with pytest.raises(ContractViolation):
        await crm.subscribers(["SUB-1"])


async def test_unknown_enum_is_contract_violation(crm: HttpCrm, core: respx.MockRouter) -> None:
    core.get("/v1/subscribers/SUB-1").respond(200, json={**SUBSCRIBER, "kind": "ALIEN"})
    with pytest.raises(ContractViolation):
        await crm.subscriber("SUB-1")


async def test_cursor_that_never_advances_is_contract_violation(crm: HttpCrm, core: respx.MockRouter) -> None:
    core.get("/v1/subscribers/SUB-1/subservices").respond(
        200, json={"items": [], "next_cursor": "same", "total_count": 5}
    )
    with pytest.raises(ContractViolation):
        await crm.all_subservices_of("SUB-1")


async def test_404_is_not_found(crm: HttpCrm, core: respx.MockRouter) -> None:
    error = {"error": {"code": "NOT_FOUND", "message": "ticket not found"}}
    core.get("/v1/tickets/TCK-9").respond(404, json=error)
    core.post("/v1/tickets/TCK-9/attachments").respond(404, json=error)
    with pytest.raises(NotFound):
        await crm.ticket("TCK-9")
    with pytest.raises(NotFound):
        await crm.add_attachment("TCK-9", "a.txt", "text/plain", b"x")


async def test_409_with_code_is_rejected(crm: HttpCrm, core: respx.MockRouter) -> None:
    error = {"error": {"code": "TICKET_CLOSED", "message": "the ticket is closed"}}
    core.post("/v1/tickets/TCK-1/messages").respond(409, json=error)
    core.post("/v1/tickets/TCK-1/attachments").respond(409, json=error)
    with pytest.raises(Rejected) as reply:
        await crm.reply_to_ticket("TCK-1", "USR-1", "hi")
    assert (reply.value.code, reply.value.status) == ("TICKET_CLOSED", 409)
    with pytest.raises(Rejected) as upload:
        await crm.add_attachment("TCK-1", "a.txt", "text/plain", b"x")
    assert upload.value.code == "TICKET_CLOSED"


async def test_413_without_a_json_body_is_rejected_with_a_status_code(
    crm: HttpCrm, core: respx.MockRouter
) -> None:
    core.post("/v1/tickets/TCK-1/attachments").respond(413, text="too big")
    with pytest.raises(Rejected) as refused:
        await crm.add_attachment("TCK-1", "a.txt", "text/plain", b"x")
    assert (refused.value.code, refused.value.status) == ("HTTP_413", 413)


async def test_upload_is_real_multipart(crm: HttpCrm, core: respx.MockRouter) -> None:
    route = core.post("/v1/tickets/TCK-1/attachments").respond(
        201,
        json={
            "id": "ATT-1",
            "ticket_id": "TCK-1",
            "message_id": "MSG-2",
            "filename": "a.txt",
            "content_type": "text/plain",
            "size_bytes": 5,
            "sha256": "0" * 64,
            "created_at": "2026-11-25T10:00:00Z",
        },
    )
    attachment = await crm.add_attachment("TCK-1", "a.txt", "text/plain", b"hello", message_id="MSG-2")
    assert attachment.message_id == "MSG-2"
    request = route.calls.last.request
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert request.headers["x-api-key"] == "k"
    body = request.content
    assert b'name="file"; filename="a.txt"' in body and b"Content-Type: text/plain" in body
    assert b'name="message_id"' in body and b"hello" in body


async def test_attachment_size_mismatch_is_contract_violation(crm: HttpCrm, core: respx.MockRouter) -> None:
    meta = {
        "id": "ATT-1",
        "ticket_id": "TCK-1",
        "message_id": None,
        "filename": "a.txt",
        "content_type": "text/plain",
        "size_bytes": 99,
        "sha256": "0" * 64,
        "created_at": "2026-11-25T10:00:00Z",
    }
    core.post("/v1/attachments:batch").respond(200, json={"items": [meta]})
    core.get("/v1/attachments/ATT-1").respond(200, content=b"short", headers={"content-type": "text/plain"})
    with pytest.raises(ContractViolation):
        await crm.attachment("ATT-1")


async def test_ids_are_quoted_into_one_path_segment(crm: HttpCrm, core: respx.MockRouter) -> None:
    route = core.get("/v1/tickets/..%2Fops%2Femails").respond(
        404, json={"error": {"code": "NOT_FOUND", "message": "x"}}
    )
    with pytest.raises(NotFound):
        await crm.ticket("../ops/emails")
    assert route.called
