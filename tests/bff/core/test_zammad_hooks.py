"""`/webhooks/zammad` on the running app (TICKETS_BACKEND=zammad): Zammad's default payload, signed as Zammad
signs it (`X-Hub-Signature: sha1=…` over the body), becomes one `ticket.updated` on the bus per delivery; a
bad signature is a 401 with nothing published; a replayed delivery is acknowledged and not published again.
With customers matched by e-mail, whose ticket it is is known to every instance sharing Redis once one of them
has looked the subscriber up."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import respx
from redis.asyncio import Redis

from adapters.zammad.webhook import sign
from bff.core.bus import BusEvent
from tests.harness.money import Listener
from tests.harness.portal import MakePortal, Portal, portal_settings
from tests.harness.zammad import API, FIXTURES, WEBHOOK_SECRET, known_customer, zammad_env

BODY = (FIXTURES / "webhook_ticket_updated.json").read_bytes()


def headers(body: bytes, delivery: str, secret: str = WEBHOOK_SECRET) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "user-agent": "Zammad User Agent",
        "x-zammad-trigger": "portal: ticket updated",
        "x-zammad-delivery": delivery,
        "x-hub-signature": sign(secret, body),
    }


@pytest.fixture
def zammad_api() -> Iterator[respx.MockRouter]:
    # The webhook path reads nothing from Zammad: any call would fail the test.
    with respx.mock(base_url=API, assert_all_mocked=True) as router:
        yield router


@pytest.fixture
async def app(make_portal: MakePortal, tmp_path: Path, zammad_api: respx.MockRouter) -> Portal:
    return await make_portal(portal_settings(tmp_path, **zammad_env()))


async def settled(portal: Portal, listener: Listener) -> None:
    """Every event published before now has reached `listener` (the fanout keeps order)."""
    await portal.bus.publish(BusEvent(id="sentinel", type="wallet.changed", subscriber_id="SUB-1001"))
    await listener.wait_for("wallet.changed")


async def test_a_signed_delivery_is_published_once(app: Portal) -> None:
    async with Listener(app.bus, "SUB-1001") as listener:
        first = await app.client.post("/webhooks/zammad", content=BODY, headers=headers(BODY, "d-1"))
        again = await app.client.post("/webhooks/zammad", content=BODY, headers=headers(BODY, "d-1"))
        await settled(app, listener)
    assert (first.status_code, first.json()["result"]) == (200, "published")
    assert (again.status_code, again.json()["result"]) == (200, "duplicate")
    [event] = [e for e in listener.events if e.type.startswith("ticket.")]
    assert (event.id, event.type, event.subscriber_id) == ("zammad:d-1", "ticket.updated", "SUB-1001")
    # The id the tickets port reads it by: the subscriber's and Zammad's.
    assert dict(event.data) == {"ticket_id": "SUB-1001:81"}
    assert event.occurred_at == "2026-12-02T11:30:00.000Z"


async def test_bad_signatures_are_refused_and_nothing_is_published(app: Portal) -> None:
    tampered = BODY.replace(b"Did the restart help?", b"Send your password")
    attempts = [
        (tampered, headers(BODY, "d-2")),
        (BODY, headers(BODY, "d-3", secret="another-secret-0123456789abcdef-0123456789")),
        (BODY, {"content-type": "application/json", "x-zammad-delivery": "d-4"}),
        (
            BODY,
            {
                **headers(BODY, "d-5"),
                "x-hub-signature": sign(WEBHOOK_SECRET, BODY).replace("sha1=", "sha256="),
            },
        ),
    ]
    async with Listener(app.bus, "SUB-1001") as listener:
        for content, sent in attempts:
            response = await app.client.post("/webhooks/zammad", content=content, headers=sent)
            assert (response.status_code, response.json()["error"]["code"]) == (401, "BAD_SIGNATURE"), sent
        await settled(app, listener)
    assert [e.type for e in listener.events] == ["wallet.changed"]


async def test_bodies_are_bounded_and_must_be_ticket_webhooks(app: Portal) -> None:
    huge = b'{"ticket": {"id": 1}, "pad": "' + b"x" * (1024 * 1024) + b'"}'
    too_large = await app.client.post("/webhooks/zammad", content=huge, headers=headers(huge, "d-6"))
    assert too_large.status_code == 413
    not_a_ticket = json.dumps({"article": {"id": 3}}).encode()
    refused = await app.client.post(
        "/webhooks/zammad", content=not_a_ticket, headers=headers(not_a_ticket, "d-7")
    )
    assert (refused.status_code, refused.json()["error"]["code"]) == (400, "BAD_EVENT")


async def test_a_customer_of_no_subscriber_is_acknowledged_and_dropped(app: Portal) -> None:
    payload = json.loads(BODY)
    del payload["ticket"]["customer"]["wispgate_subscriber_id"]
    body = json.dumps(payload).encode()
    async with Listener(app.bus, "SUB-1001") as listener:
        response = await app.client.post("/webhooks/zammad", content=body, headers=headers(body, "d-8"))
        await settled(app, listener)
    assert (response.status_code, response.json()["result"]) == (200, "ignored")
    assert [e.type for e in listener.events] == ["wallet.changed"]


async def test_without_zammad_the_endpoint_does_not_exist(make_portal: MakePortal) -> None:
    portal = await make_portal()
    response = await portal.client.post("/webhooks/zammad", content=BODY, headers=headers(BODY, "d-9"))
    assert response.status_code == 404


async def test_e_mail_customers_are_known_to_every_instance_once_one_looked_them_up(
    make_portal: MakePortal, tmp_path: Path, zammad_api: respx.MockRouter, redis_url: str
) -> None:
    known_customer(zammad_api)  # Ana, by e-mail
    zammad_api.get("/tickets/search").mock(return_value=httpx.Response(200, json=[]))
    prefix = f"wg-test-{uuid.uuid4().hex}:"
    env = zammad_env(ZAMMAD_CUSTOMER_MATCH="email", REDIS_URL=redis_url, REDIS_PREFIX=prefix)
    first = await make_portal(portal_settings(tmp_path, **env))
    second = await make_portal(portal_settings(tmp_path, **env))
    async with Listener(first.bus, "SUB-1001") as listener:
        unknown = await second.client.post("/webhooks/zammad", content=BODY, headers=headers(BODY, "m-1"))
        assert (unknown.status_code, unknown.json()["result"]) == (200, "ignored")

        # Ana opens her tickets on the first instance: it finds her Zammad customer and shares the link.
        ana = await first.another().sign_in("ana@lima.example")
        await ana.data("{ viewer { subscriber { tickets(first: 5) { totalCount } } } }")

        known = await second.client.post("/webhooks/zammad", content=BODY, headers=headers(BODY, "m-2"))
        assert (known.status_code, known.json()["result"]) == (200, "published")
        event = await listener.wait_for("ticket.updated")
    assert (event.id, dict(event.data)) == ("zammad:m-2", {"ticket_id": "SUB-1001:81"})
    redis = Redis.from_url(redis_url)
    try:
        assert await redis.get(f"{prefix}mark:zammad-customer:8") == b"SUB-1001"
        for key in [k async for k in redis.scan_iter(match=f"{prefix}*")]:
            await redis.delete(key)
    finally:
        await redis.aclose()
