"""`/hooks/core`: the core's signed events (taken from the sandbox systems' own outboxes, signed as their
delivery loop signs them) are verified and published on the bus once per event id."""

from __future__ import annotations

import asyncio
import json
import time

from adapters.wispgate.signing import sign
from bff.core.core_events import bus_event
from sandbox.common.system import System
from tests.harness.money import (
    Listener,
    Money,
)


def outbox_body(system: System, type_: str) -> bytes:
    row = system.db.one("SELECT body FROM event_outbox WHERE type = ? ORDER BY seq DESC LIMIT 1", (type_,))
    assert row is not None, f"no {type_} event in the {system.name} outbox"
    body: str = row["body"]
    return body.encode()


def headers(
    money: Money, body: bytes, secret: str | None = None, timestamp: int | None = None
) -> dict[str, str]:
    key = secret or money.settings.core_events_secret
    return {"content-type": "application/json", "x-wispgate-signature": sign(key, body, timestamp)}


async def test_a_signed_core_event_is_published_once(money: Money) -> None:
    app = await money.instance()
    await money.backends.aaa.reactivate("SS-1002-1", "NON_PAYMENT", note="test")
    body = outbox_body(money.sandbox.aaa, "service.status_changed")
    async with Listener(app.bus, "SUB-1002") as listener:
        first = await app.client.post("/hooks/core", content=body, headers=headers(money, body))
        again = await app.client.post("/hooks/core", content=body, headers=headers(money, body))
        event = await listener.wait_for("service.status_changed")
        await asyncio.sleep(0.05)
    assert (first.status_code, first.json()["result"]) == (200, "published")
    assert (again.status_code, again.json()["result"]) == (200, "duplicate")
    assert len(listener.events) == 1
    raw = json.loads(body)
    assert event.id == raw["id"]
    assert event.subservice_ids == ("SS-1002-1",)
    assert dict(event.data) == {"subservice_id": "SS-1002-1", "status": "ACTIVE", "reason": None}
    assert event.occurred_at == raw["created_at"]


async def test_notifications_reach_the_bus_with_their_id_only(money: Money) -> None:
    app = await money.instance()
    note = await money.backends.crm.notify("SUB-1001", "GENERAL", "Maintenance", "Tonight 2-4am")
    body = outbox_body(money.sandbox.crm, "notification.created")
    async with Listener(app.bus, "SUB-1001") as listener:
        response = await app.client.post("/hooks/core", content=body, headers=headers(money, body))
        event = await listener.wait_for("notification.created")
    assert response.status_code == 200
    assert dict(event.data) == {"notification_id": note.id}


async def test_bad_signatures_are_refused_and_nothing_is_published(money: Money) -> None:
    app = await money.instance()
    await money.backends.aaa.reactivate("SS-1002-1", "NON_PAYMENT")
    body = outbox_body(money.sandbox.aaa, "service.status_changed")
    now = int(time.time())
    attempts = [
        (body.replace(b"ACTIVE", b"ACTIVF"), headers(money, body)),
        (body, headers(money, body, secret="another-secret-0123456789abcdef-012345")),
        (body, {"content-type": "application/json"}),
        (body, headers(money, body, timestamp=now - 301)),
        (body, headers(money, body, timestamp=now + 301)),
        # The gateway's header is not the core's.
        (body, {"stripe-signature": sign(money.settings.core_events_secret, body)}),
    ]
    async with Listener(app.bus, "SUB-1002") as listener:
        for content, sent in attempts:
            response = await app.client.post("/hooks/core", content=content, headers=sent)
            assert response.status_code == 400, sent
        await asyncio.sleep(0.05)
        assert listener.events == []
        # Refusals marked nothing: the genuine delivery is then published.
        ok = await app.client.post("/hooks/core", content=body, headers=headers(money, body))
        assert ok.json()["result"] == "published"
        await listener.wait_for("service.status_changed")


async def test_events_the_bus_does_not_carry_are_acknowledged(money: Money) -> None:
    app = await money.instance()
    junk = b"[1, 2]"
    response = await app.client.post("/hooks/core", content=junk, headers=headers(money, junk))
    assert response.status_code == 400
    payment_recorded = json.dumps(
        {"id": "evt_1", "type": "payment.recorded", "subscriber_id": "SUB-1", "data": {}}
    ).encode()
    response = await app.client.post(
        "/hooks/core", content=payment_recorded, headers=headers(money, payment_recorded)
    )
    assert (response.status_code, response.json()["result"]) == (200, "ignored")


def test_bus_event_mapping_keeps_only_the_documented_data() -> None:
    event = bus_event(
        {
            "id": "evt_9",
            "type": "invoice.updated",
            "subscriber_id": "SUB-1",
            "subservice_id": None,
            "created_at": "2026-11-25T10:00:00Z",
            "data": {"invoice_id": "INV-1", "balance": {"amount": "1.00", "currency": "USD"}},
        }
    )
    assert event is not None
    assert (event.type, event.subservice_ids, dict(event.data)) == (
        "invoice.updated",
        (),
        {"invoice_id": "INV-1"},
    )
    assert bus_event({"id": "evt_1", "type": "ticket.created", "subscriber_id": None}) is None


async def test_aaas_profile_change_reaches_the_bus(money: Money) -> None:
    app = await money.instance()
    await money.backends.aaa.set_profile("SS-1001-1", "Fiber 1000", 1000, 200)
    body = outbox_body(money.sandbox.aaa, "service.profile_changed")
    async with Listener(app.bus, "SUB-1001") as listener:
        response = await app.client.post("/hooks/core", content=body, headers=headers(money, body))
        event = await listener.wait_for("service.profile_changed")
    assert (response.status_code, response.json()["result"]) == (200, "published")
    assert (event.subservice_ids, dict(event.data)) == (("SS-1001-1",), {"subservice_id": "SS-1001-1"})
