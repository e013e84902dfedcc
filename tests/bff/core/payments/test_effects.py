"""The keyed side effects of a settlement, in process: a step that fails (as a crash would stop it) and a
fresh `Settlement` that remembers nothing finish the payment exactly once; a notification already sent with
a text that no longer holds is not sent again, and does not block the settlement."""

from __future__ import annotations

import logging

import pytest

from adapters.ports.gateway import GatewayEvent
from adapters.stripe.webhook import verify_event
from bff.core.bus import MemoryBus
from bff.core.payments.effects import NOTIFIED, STEPS, AfterStep, key
from bff.core.payments.settlement import Settlement
from tests.bff.core.payments.test_webhook import pay_invoice
from tests.harness.money import WEBHOOK_SECRET, Listener, Money, signed


class Stop(Exception):
    """Stands for the process dying after a step."""


def stop_after(step: str) -> AfterStep:
    def after_step(done: str) -> None:
        if done == step:
            raise Stop(step)

    return after_step


async def paid_event(money: Money) -> tuple[str, GatewayEvent]:
    invoice_id = await money.invoice_of("SUB-1002", "OVERDUE")
    await pay_invoice(money, "SUB-1002", invoice_id)
    body = money.raw_event("payment_intent.succeeded")
    return invoice_id, verify_event(body, signed(body)["stripe-signature"], WEBHOOK_SECRET)


@pytest.mark.parametrize("step", STEPS)
async def test_a_step_cut_short_is_finished_once_by_a_settlement_that_remembers_nothing(
    money: Money, step: str
) -> None:
    invoice_id, event = await paid_event(money)
    bus = MemoryBus()
    async with Listener(bus, "SUB-1002") as listener:
        with pytest.raises(Stop):
            await Settlement(money.backends, bus, after_step=stop_after(step)).handle(event)
        assert await Settlement(money.backends, bus).handle(event) == "settled"
        settled = await listener.wait_for("payment.settled")
    assert money.payments(invoice_id) == 1
    assert money.reactivations("SS-1002-1") == 1
    assert money.notifications("SUB-1002", "PAYMENT_RECEIVED") == 1
    assert money.emails("SUB-1002") == ["Payment received"]
    # The second attempt found the reactivation through AAA's answer for its key, not through memory.
    assert settled.data["reactivated_subservice_ids"] == ["SS-1002-1"]
    body = money.sandbox.crm.db.scalar("SELECT body FROM notifications WHERE kind = 'PAYMENT_RECEIVED'")
    assert "Your service is active again." in body
    await bus.close()


async def test_a_notification_sent_with_a_text_that_no_longer_holds_is_not_sent_again(
    money: Money, caplog: pytest.LogCaptureFixture
) -> None:
    invoice_id, event = await paid_event(money)
    bus = MemoryBus()
    with pytest.raises(Stop):
        await Settlement(money.backends, bus, after_step=stop_after(NOTIFIED)).handle(event)
    # Before the redelivery an operator suspends and lifts the service with a note of their own: the payment
    # no longer shows as what brought it back, so the notification would now read differently.
    aaa = money.sandbox.aaa.service
    aaa.set_down("SS-1002-1", "SUSPENDED", "ADMINISTRATIVE", "check")
    aaa.operator_reactivate("SS-1002-1", "checked")
    assert aaa.status("SS-1002-1")["note"] == "checked"
    with caplog.at_level(logging.WARNING, logger="wispgate.settlement"):
        assert await Settlement(money.backends, bus).handle(event) == "settled"
    assert any("sent before with another text" in r.getMessage() for r in caplog.records)
    assert money.notifications("SUB-1002", "PAYMENT_RECEIVED") == 1
    assert money.emails("SUB-1002") == ["Payment received"]
    assert money.payments(invoice_id) == 1
    await bus.close()


def test_keys_are_derived_from_the_payment() -> None:
    assert key("pi_123", "notify") == "stripe:pi_123:notify"
    assert key("pi_123", "reactivate:SS-1") == "stripe:pi_123:reactivate:SS-1"
