"""The same event delivered many times at once — to one instance and to two instances sharing a real Redis —
settles exactly once and every delivery is acknowledged; events reach listeners on another instance."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal
from pathlib import Path

import httpx

from bff.core.payments.checkout import start_invoice_payment, start_wallet_topup
from tests.harness.money import (
    VIEWERS,
    Listener,
    Money,
    money_settings,
    signed,
)
from tests.harness.portal import Portal


async def paid_invoice_event(money: Money, subscriber_id: str = "SUB-1002") -> tuple[str, bytes]:
    invoice_id = await money.invoice_of(subscriber_id, "OVERDUE", "OPEN")
    started = await start_invoice_payment(
        money.backends,
        money.settings,
        VIEWERS[subscriber_id],
        invoice_id,
        idempotency_key="k-1",
        return_url=None,
        cancel_url=None,
    )
    assert (await money.pay(started.checkout_url)).status_code == 303
    return invoice_id, money.raw_event("payment_intent.succeeded")


async def hammer(instances: list[Portal], body: bytes, total: int, concurrency: int) -> list[httpx.Response]:
    """`total` deliveries of one body, at most `concurrency` in flight, spread over the instances."""
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> httpx.Response:
        async with gate:
            client = instances[i % len(instances)].client
            return await client.post("/webhooks/gateway", content=body, headers=signed(body))

    return list(await asyncio.gather(*(one(i) for i in range(total))))


def redis_settings(tmp_path: Path, redis_url: str) -> dict[str, str]:
    # A prefix of its own: other test runs may share this Redis.
    return {"REDIS_URL": redis_url, "REDIS_PREFIX": f"wgtest-{uuid.uuid4().hex[:12]}:"}


async def test_a_thousand_deliveries_a_hundred_at_once_settle_once(money: Money) -> None:
    app = await money.instance()
    invoice_id, body = await paid_invoice_event(money)
    entries = money.wallet_entries("SUB-1002")
    async with Listener(app.bus, "SUB-1002") as listener:
        responses = await hammer([app], body, total=1000, concurrency=100)
        await listener.wait_for("payment.settled")
        await asyncio.sleep(0.05)
    assert {r.status_code for r in responses} == {200}
    assert money.payments(invoice_id) == 1
    assert money.invoice_status(invoice_id) == "PAID"
    assert money.wallet_entries("SUB-1002") == entries  # no second payment credited as an overpayment
    assert money.notifications("SUB-1002", "PAYMENT_RECEIVED") == 1
    assert money.reactivations("SS-1002-1") == 1
    assert [e.type for e in listener.events] == ["payment.settled"]
    # Billing heard of the payment once: one record call settled it, the rest never got that far.
    recorded = money.sandbox.billing.db.scalar(
        "SELECT COUNT(*) FROM event_outbox WHERE type = 'payment.recorded'"
    )
    assert recorded == 1


async def test_two_instances_sharing_redis_settle_a_concurrent_event_once(
    money: Money, tmp_path: Path, redis_url: str
) -> None:
    settings = money_settings(tmp_path, **redis_settings(tmp_path, redis_url))
    a, b = await money.instance(settings), await money.instance(settings)
    invoice_id, body = await paid_invoice_event(money)
    responses = await hammer([a, b], body, total=1000, concurrency=100)
    assert {r.status_code for r in responses} == {200}
    assert money.payments(invoice_id) == 1
    assert money.notifications("SUB-1002", "PAYMENT_RECEIVED") == 1
    assert money.reactivations("SS-1002-1") == 1


async def test_concurrent_top_up_deliveries_add_one_ledger_entry(money: Money) -> None:
    app = await money.instance()
    started = await start_wallet_topup(
        money.backends,
        money.settings,
        VIEWERS["SUB-1001"],
        Decimal("20.00"),
        idempotency_key="t-1",
        return_url=None,
        cancel_url=None,
    )
    assert (await money.pay(started.checkout_url)).status_code == 303
    entries = money.wallet_entries("SUB-1001")
    completed = money.raw_event("checkout.session.completed")
    succeeded = money.raw_event("payment_intent.succeeded")
    # Both events of the payment, each many times, interleaved.
    responses = await asyncio.gather(
        hammer([app], completed, total=100, concurrency=25),
        hammer([app], succeeded, total=100, concurrency=25),
    )
    assert {r.status_code for batch in responses for r in batch} == {200}
    assert money.wallet_entries("SUB-1001") == entries + 1
    assert money.notifications("SUB-1001", "WALLET_CREDITED") == 1


async def test_a_webhook_on_instance_a_reaches_a_listener_on_instance_b(
    money: Money, tmp_path: Path, redis_url: str
) -> None:
    settings = money_settings(tmp_path, **redis_settings(tmp_path, redis_url))
    a, b = await money.instance(settings), await money.instance(settings)
    invoice_id, body = await paid_invoice_event(money)
    async with Listener(b.bus, "SUB-1002") as on_b, Listener(a.bus, "SUB-1001") as other_subscriber:
        response = await a.client.post("/webhooks/gateway", content=body, headers=signed(body))
        assert response.status_code == 200
        settled = await on_b.wait_for("payment.settled")
        await asyncio.sleep(0.1)
    assert settled.data["invoice_id"] == invoice_id
    assert settled.data["reactivated_subservice_ids"] == ["SS-1002-1"]
    assert other_subscriber.events == []


async def test_the_loser_of_the_lock_answers_503_when_the_winner_fails(
    money: Money, tmp_path: Path, redis_url: str
) -> None:
    settings = money_settings(tmp_path, **redis_settings(tmp_path, redis_url))
    a, b = await money.instance(settings), await money.instance(settings)
    invoice_id, body = await paid_invoice_event(money)
    money.transport.down.add("aaa.test")
    responses = await hammer([a, b], body, total=20, concurrency=20)
    # Every delivery failed with the winner (AAA down): none was acknowledged.
    assert {r.status_code for r in responses} == {503}
    money.transport.down.discard("aaa.test")
    responses = await hammer([a, b], body, total=20, concurrency=20)
    assert {r.status_code for r in responses} == {200}
    assert money.payments(invoice_id) == 1
    assert money.reactivations("SS-1002-1") == 1
