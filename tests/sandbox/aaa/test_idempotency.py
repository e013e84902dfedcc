"""AAA honours `Idempotency-Key` on reactivation: a repeat of the key answers what the first call did —
`changed: true` even though the sub-service is ACTIVE by then — which is how the BFF learns, after losing an
answer or crashing, that this payment brought the service back."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from adapters.wispgate.aaa import HttpAaa
from adapters.wispgate.client import CoreClient
from sandbox.app import Sandbox

PATH = "/v1/subservices/SS-1002-1/reactivate"
BODY = {"reason": "NON_PAYMENT", "note": "Payment pi_1 received"}


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=sandbox.aaa.asgi())
    headers = {"x-api-key": sandbox.settings.service_key}
    async with httpx.AsyncClient(transport=transport, base_url="http://aaa.test", headers=headers) as http:
        yield http


def reactivations(sandbox: Sandbox) -> int:
    return int(
        sandbox.aaa.db.scalar(
            "SELECT COUNT(*) FROM aaa_status_history WHERE subservice_id = 'SS-1002-1' AND to_status = 'ACTIVE'"
            " AND from_status IS NOT NULL"
        )
    )


async def test_a_repeated_key_answers_the_first_reactivation(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    key = {"Idempotency-Key": "stripe:pi_1:reactivate:SS-1002-1"}
    first = await client.post(PATH, json=BODY, headers=key)
    assert first.status_code == 200 and first.json()["changed"] is True
    again = await client.post(PATH, json=BODY, headers=key)
    assert again.content == first.content and again.json()["changed"] is True
    # Without the key the same call is the plain idempotent no-op.
    unkeyed = await client.post(PATH, json=BODY)
    assert unkeyed.json()["changed"] is False
    assert reactivations(sandbox) == 1
    events = [e for e in sandbox.aaa.outbox.list() if e["type"] == "service.status_changed"]
    assert len(events) == 1


async def test_the_same_key_with_another_note_is_a_conflict(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    key = {"Idempotency-Key": "stripe:pi_2:reactivate:SS-1002-1"}
    assert (await client.post(PATH, json=BODY, headers=key)).status_code == 200
    other = await client.post(PATH, json={**BODY, "note": "another"}, headers=key)
    assert other.status_code == 409 and other.json()["error"]["code"] == "IDEMPOTENCY_CONFLICT"


async def test_a_refusal_is_not_remembered(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    # Cara is suspended for another reason: refused, and the key stays free for a later, valid request.
    key = {"Idempotency-Key": "stripe:pi_3:reactivate"}
    refused = await client.post("/v1/subservices/SS-1003-1/reactivate", json=BODY, headers=key)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "REASON_MISMATCH"
    accepted = await client.post(PATH, json=BODY, headers=key)
    assert accepted.status_code == 200 and accepted.json()["changed"] is True


async def test_the_adapter_sends_the_key(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    port = HttpAaa(CoreClient("aaa", client))
    key = "stripe:pi_4:reactivate:SS-1002-1"
    first = await port.reactivate("SS-1002-1", "NON_PAYMENT", "Payment pi_4 received", idempotency_key=key)
    again = await port.reactivate("SS-1002-1", "NON_PAYMENT", "Payment pi_4 received", idempotency_key=key)
    assert first.changed and again.changed and again.status == first.status
    assert reactivations(sandbox) == 1
