"""Dunning through the combined sandbox in-process: a declined autopay charge is retried on the schedule's days
after the first decline, once per day however often the run runs, with the default card of the day; success
ends it; suspension for non-payment waits for the last retry to fail.

The clock is the run's `as_of` day (each run is dated), which is how the operator's daily run advances time.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.sandbox.test_billing_autopay import (
    CHARGE_FAILS_CARD,
    GOOD_CARD,
    Clients,
    autopay,
    clients,  # noqa: F401  (the fixture `c`)
    gateway_customer,
    gateway_events,
    run,
    save_card,
    unpaid_invoices,
)

SUB = "SUB-1001"  # one OPEN invoice issued 2026-11-01, due 2026-11-30, 7 grace days; SS-1001-1 and -2
FIRST = date(2026, 11, 25)  # the pinned today: the first charge


async def declining_autopay(c: Clients) -> str:
    customer = await gateway_customer(c, SUB)
    await save_card(c, SUB, customer, CHARGE_FAILS_CARD)
    await autopay(c, SUB, True)
    return customer


async def run_on(c: Clients, day: date) -> dict[str, Any]:
    return await run(c, as_of=day.isoformat(), subscriber_id=SUB)


async def dunning(c: Clients, invoice_id: str) -> dict[str, Any]:
    r = await c.billing.post("/v1/dunning:by-invoice", json={"ids": [invoice_id]})
    assert r.status_code == 200, r.text
    [item] = r.json()["items"]
    result: dict[str, Any] = item
    return result


def aaa_status(c: Clients, subservice_id: str) -> dict[str, Any]:
    return c.sandbox.aaa.service.status(subservice_id)


async def test_declined_charge_is_retried_on_days_1_3_5_once_per_day(c: Clients) -> None:
    await declining_autopay(c)
    [due] = await unpaid_invoices(c, SUB)

    charged_on: list[date] = []
    for offset in range(0, 8):
        day = FIRST + timedelta(days=offset)
        for _ in range(2):  # the run twice on the same day charges once
            summary = await run_on(c, day)
            for charge in summary["charged"]:
                if charge["invoice_id"] == due["id"]:
                    charged_on.append(day)
                    assert charge["succeeded"] is False

    assert charged_on == [FIRST + timedelta(days=d) for d in (0, 1, 3, 5)]
    state = await dunning(c, due["id"])
    assert state["state"] == "EXHAUSTED" and state["next_retry_on"] is None
    assert [a["retry"] for a in state["attempts"]] == [0, 1, 2, 3]
    assert {a["outcome"] for a in state["attempts"]} == {"DECLINED"}
    assert {a["decline_code"] for a in state["attempts"]} == {"generic_decline"}
    assert state["attempts"][0]["card"] == {"brand": "visa", "last4": "0341"}
    assert [a["at"][:10] for a in state["attempts"]] == [d.isoformat() for d in charged_on]
    failed = [
        e
        for e in await gateway_events(c, "payment_intent.payment_failed")
        if e["data"]["object"]["metadata"]["wg_invoice_id"] == due["id"]
    ]
    assert len(failed) == 4  # one gateway event (one notice) per decline, none for the repeated runs


async def test_schedule_is_visible_while_it_runs(c: Clients) -> None:
    await declining_autopay(c)
    [due] = await unpaid_invoices(c, SUB)
    await run_on(c, FIRST)

    state = await dunning(c, due["id"])
    assert state["state"] == "RETRYING" and state["retries"] == 3
    assert state["next_retry_on"] == "2026-11-26"
    # Due 11-30 + 7 grace days is later than the last retry (11-30).
    assert state["suspends_on"] == "2026-12-08"
    r = await c.billing.post("/v1/dunning:by-subscriber", json={"ids": [SUB, "SUB-1002"]})
    assert [item["invoice_id"] for item in r.json()["items"]] == [due["id"]]

    await run_on(c, FIRST + timedelta(days=1))
    assert (await dunning(c, due["id"]))["next_retry_on"] == "2026-11-28"


async def test_success_on_a_retry_ends_dunning_and_nothing_is_suspended(c: Clients) -> None:
    customer = await declining_autopay(c)
    [due] = await unpaid_invoices(c, SUB)
    await run_on(c, FIRST)
    await run_on(c, FIRST + timedelta(days=1))
    # Between retries the subscriber saves a working card as the default: the next retry (day 3) uses it.
    await save_card(c, SUB, customer, GOOD_CARD, default=True)
    assert not [
        x for x in (await run_on(c, FIRST + timedelta(days=2)))["charged"] if x["invoice_id"] == due["id"]
    ]

    [retry] = [
        x for x in (await run_on(c, FIRST + timedelta(days=3)))["charged"] if x["invoice_id"] == due["id"]
    ]

    assert retry["succeeded"] is True and retry["retry"] == 2
    intent = (await c.gateway.get(f"/v1/payment_intents/{retry['payment_intent_id']}")).json()
    assert intent["status"] == "succeeded"
    state = await dunning(c, due["id"])
    assert state["state"] == "RECOVERED" and state["next_retry_on"] is None and state["suspends_on"] is None
    assert state["attempts"][-1]["card"]["last4"] == "4242"
    # No more charges of it, and — even past the grace days, before the webhook settled it — no suspension.
    for offset in (5, 14, 20):
        summary = await run_on(c, FIRST + timedelta(days=offset))
        assert due["id"] not in [x["invoice_id"] for x in summary["charged"]]
        assert summary["suspended"] == []
    assert aaa_status(c, "SS-1001-1")["status"] == "ACTIVE"


async def test_suspension_waits_for_the_last_retry_then_is_for_non_payment(c: Clients) -> None:
    # A schedule whose last retry (12-10) falls after the end of grace (12-08).
    c.sandbox.billing.service.dunning_retry_days = (1, 3, 15)
    await declining_autopay(c)
    [due] = await unpaid_invoices(c, SUB)
    await run_on(c, FIRST)
    assert (await dunning(c, due["id"]))["suspends_on"] == "2026-12-10"

    beyond_grace = await run_on(c, date(2026, 12, 8))
    assert beyond_grace["suspended"] == []  # without dunning this run would have suspended it
    assert aaa_status(c, "SS-1001-1")["status"] == "ACTIVE"

    last = await run_on(c, date(2026, 12, 10))

    [charge] = [x for x in last["charged"] if x["invoice_id"] == due["id"]]
    assert charge["retry"] == 3 and charge["succeeded"] is False
    assert set(last["suspended"]) >= {"SS-1001-1", "SS-1001-2"}
    status = aaa_status(c, "SS-1001-1")
    assert status["status"] == "SUSPENDED" and status["reason"] == "NON_PAYMENT"


async def test_without_autopay_the_same_invoice_is_suspended_after_grace_as_before(c: Clients) -> None:
    await run_on(c, FIRST)
    assert (await run_on(c, date(2026, 12, 7)))["suspended"] == []

    summary = await run_on(c, date(2026, 12, 8))  # due 11-30 + 7 grace days

    assert set(summary["suspended"]) == {"SS-1001-1", "SS-1001-2"}
    assert aaa_status(c, "SS-1001-1")["reason"] == "NON_PAYMENT"


async def test_turning_autopay_off_ends_the_wait_and_the_invoice_is_suspended_after_grace(c: Clients) -> None:
    c.sandbox.billing.service.dunning_retry_days = (1, 3, 15)  # the last retry (12-10) after grace (12-08)
    await declining_autopay(c)
    [due] = await unpaid_invoices(c, SUB)
    await run_on(c, FIRST)
    await autopay(c, SUB, False)  # no retry can happen any more
    state = await dunning(c, due["id"])
    assert (state["state"], state["next_retry_on"], state["suspends_on"]) == ("EXHAUSTED", None, "2026-12-08")

    summary = await run_on(c, date(2026, 12, 8))

    assert due["id"] not in [x["invoice_id"] for x in summary["charged"]]
    assert set(summary["suspended"]) == {"SS-1001-1", "SS-1001-2"}
