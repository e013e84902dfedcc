"""The CRM honours `Idempotency-Key` on `POST /v1/notifications`: a repeat of a key posts and e-mails nothing
and answers the first notification, the same key with other content is a 409, a refusal is not remembered.
Also through the BFF's own adapter (`HttpCrm.notify(idempotency_key=…)`)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from adapters.errors import Rejected
from adapters.wispgate.client import CoreClient
from adapters.wispgate.crm import HttpCrm
from sandbox.crm.system import CrmSystem

NOTICE: dict[str, Any] = {
    "subscriber_id": "SUB-1002",
    "subservice_id": None,
    "kind": "PAYMENT_RECEIVED",
    "title": "Payment received",
    "body": "We received your payment of $10.00. Thank you!",
    "email": True,
}


def counts(crm: CrmSystem) -> tuple[int, int]:
    notices = crm.db.scalar("SELECT COUNT(*) FROM notifications WHERE kind = 'PAYMENT_RECEIVED'")
    emails = crm.db.scalar("SELECT COUNT(*) FROM email_outbox WHERE subject = 'Payment received'")
    return int(notices), int(emails)


async def test_a_repeated_key_posts_and_emails_once_and_answers_the_first_notification(
    client: httpx.AsyncClient, crm: CrmSystem
) -> None:
    key = {"Idempotency-Key": "stripe:pi_1:notify"}
    first = await client.post("/v1/notifications", json=NOTICE, headers=key)
    again = await client.post("/v1/notifications", json=NOTICE, headers=key)
    assert (first.status_code, again.status_code) == (201, 201), again.text
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert counts(crm) == (1, 1)
    events = [e for e in crm.outbox.list() if e["type"] == "notification.created"]
    assert len(events) == 1


async def test_the_same_key_with_other_content_is_a_conflict(
    client: httpx.AsyncClient, crm: CrmSystem
) -> None:
    key = {"Idempotency-Key": "stripe:pi_2:notify"}
    assert (await client.post("/v1/notifications", json=NOTICE, headers=key)).status_code == 201
    other = await client.post("/v1/notifications", json={**NOTICE, "body": "Something else"}, headers=key)
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "IDEMPOTENCY_CONFLICT"
    assert counts(crm) == (1, 1)


async def test_a_refusal_is_not_remembered(client: httpx.AsyncClient, crm: CrmSystem) -> None:
    key = {"Idempotency-Key": "stripe:pi_3:notify"}
    refused = await client.post(
        "/v1/notifications", json={**NOTICE, "subscriber_id": "SUB-NOPE"}, headers=key
    )
    assert refused.status_code == 422
    assert counts(crm) == (0, 0)
    accepted = await client.post("/v1/notifications", json=NOTICE, headers=key)
    assert accepted.status_code == 201
    assert counts(crm) == (1, 1)


async def test_without_a_key_every_request_posts(client: httpx.AsyncClient, crm: CrmSystem) -> None:
    for _ in range(2):
        assert (await client.post("/v1/notifications", json=NOTICE)).status_code == 201
    assert counts(crm) == (2, 2)


async def test_a_key_that_is_not_printable_ascii_or_too_long_is_refused(
    client: httpx.AsyncClient, crm: CrmSystem
) -> None:
    response = await client.post("/v1/notifications", json=NOTICE, headers={"Idempotency-Key": "k" * 256})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "IDEMPOTENCY_KEY_INVALID"
    assert counts(crm) == (0, 0)


async def test_the_adapter_sends_the_key(client: httpx.AsyncClient, crm: CrmSystem) -> None:
    port = HttpCrm(CoreClient("crm", client))
    args = ("SUB-1002", "PAYMENT_RECEIVED", "Payment received", NOTICE["body"])
    first = await port.notify(*args, email=True, idempotency_key="stripe:pi_4:notify")
    again = await port.notify(*args, email=True, idempotency_key="stripe:pi_4:notify")
    assert again == first
    assert counts(crm) == (1, 1)
    with pytest.raises(Rejected) as refused:
        await port.notify(*args[:3], "changed", email=True, idempotency_key="stripe:pi_4:notify")
    assert (refused.value.code, refused.value.status) == ("IDEMPOTENCY_CONFLICT", 409)


async def test_concurrent_repeats_of_a_key_post_once(client: httpx.AsyncClient, crm: CrmSystem) -> None:
    key = {"Idempotency-Key": "stripe:pi_5:notify"}
    answers = await asyncio.gather(
        *(client.post("/v1/notifications", json=NOTICE, headers=key) for _ in range(20))
    )
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["id"] for a in answers}) == 1
    assert counts(crm) == (1, 1)
