"""Notifications for what the core did to an account without the portal — a gift card redeemed, an operator's
wallet credit, a suspension — posted once per core event (`/hooks/core`), with dates rather than relative
times, and seen only by whom the notification rules let see them (no wallet amounts for SITE users)."""

from __future__ import annotations

import re
from decimal import Decimal

from adapters.wispgate.signing import sign
from bff.core.core_notices import long_date, notice_for
from sandbox.common import clock
from tests.harness.money import Money


def newest(money: Money, system: str, type_: str) -> bytes:
    db = getattr(money.sandbox, system).db
    row = db.one("SELECT body FROM event_outbox WHERE type = ? ORDER BY seq DESC LIMIT 1", (type_,))
    assert row is not None, f"no {type_} in the {system} outbox"
    return str(row["body"]).encode()


async def deliver(money: Money, body: bytes, times: int = 2) -> None:
    app = await money.instance()
    for _ in range(times):  # the core's delivery loop retries; a repeat must post nothing more
        key = money.settings.core_events_secret
        response = await app.client.post(
            "/hooks/core",
            content=body,
            headers={"content-type": "application/json", "x-wispgate-signature": sign(key, body)},
        )
        assert response.status_code == 200, response.text


async def visible(money: Money, subscriber_id: str, user_id: str) -> list[tuple[str, str, str, str | None]]:
    page = await money.backends.crm.notifications(subscriber_id, user_id)
    return [
        (n.kind, n.title, n.body, n.link.kind if n.link is not None else None)
        for n in page.items
        if n.kind in ("WALLET_CREDITED", "SERVICE_STATUS")
    ]


def today_text() -> str:
    """The sandbox's day, as its events stamp it."""
    return long_date(clock.now().date())


async def test_a_redeemed_gift_card_is_notified_once_to_who_sees_the_wallet(money: Money) -> None:
    before = money.notifications("SUB-1001", "WALLET_CREDITED")
    money.sandbox.billing.service.redeem_gift_card("SUB-1001", "WG-GIFT-25")
    await deliver(money, newest(money, "billing", "wallet.changed"))

    assert money.notifications("SUB-1001", "WALLET_CREDITED") == before + 1
    ana = await visible(money, "SUB-1001", "USR-1")
    gift = [n for n in ana if n[1] == "Gift card redeemed"]
    assert len(gift) == 1
    kind, _, body, link = gift[0]
    assert (kind, link) == ("WALLET_CREDITED", "WALLET")
    assert "$25.00" in body and f"on {today_text()}" in body
    assert not re.search(r"\bnow\b|\bin \d+ days?\b", body)


async def test_an_operator_credit_is_notified_but_not_to_a_site_user(money: Money) -> None:
    money.sandbox.billing.service.credit_wallet(
        "SUB-2001", "COMPENSATION", Decimal("15.00"), "Outage on the airport link"
    )
    await deliver(money, newest(money, "billing", "wallet.changed"))

    owner = await visible(money, "SUB-2001", "USR-20")
    credit = [n for n in owner if n[1] == "Wallet credited"]
    assert len(credit) == 1
    assert "$15.00" in credit[0][2] and "Outage on the airport link" in credit[0][2]
    assert f"on {today_text()}" in credit[0][2]
    site = await visible(money, "SUB-2001", "USR-24")
    assert [n for n in site if n[0] == "WALLET_CREDITED"] == []
    assert not [n for n in site if "$15.00" in n[2]]


async def test_a_suspension_is_notified_to_who_sees_the_service(money: Money) -> None:
    money.sandbox.aaa.service.set_down("SS-2001-5", "SUSPENDED", "ADMINISTRATIVE", "Abuse report")
    await deliver(money, newest(money, "aaa", "service.status_changed"))

    site = await visible(money, "SUB-2001", "USR-24")  # SS-2001-5 is one of this SITE user's sites
    suspended = [n for n in site if n[0] == "SERVICE_STATUS" and n[1] == "Service suspended"]
    assert len(suspended) == 1
    assert suspended[0][3] == "SERVICE"
    assert f"was suspended on {today_text()}" in suspended[0][2]
    # Another site's SITE user (none here but Harbor View's) and another subscriber see nothing of it.
    assert not [n for n in await visible(money, "SUB-3001", "USR-31") if "SS-2001-5" in n[2]]

    # Back to ACTIVE: no "suspended" notice for a reactivation.
    count = money.notifications("SUB-2001", "SERVICE_STATUS")
    money.sandbox.aaa.service.reactivate("SS-2001-5", "ADMINISTRATIVE")
    await deliver(money, newest(money, "aaa", "service.status_changed"))
    assert money.notifications("SUB-2001", "SERVICE_STATUS") == count


def test_notice_texts_come_from_the_event_alone() -> None:
    event = {
        "id": "evt_1",
        "type": "wallet.changed",
        "subscriber_id": "SUB-1",
        "created_at": "2026-11-30T23:59:59Z",
        "data": {
            "kind": "GIFT_CARD",
            "amount": {"amount": "25.00", "currency": "USD"},
            "balance": {"amount": "125.50", "currency": "USD"},
        },
    }
    notice = notice_for(event)
    assert notice is not None
    assert notice.body == (
        "A gift card worth $25.00 was added to your wallet on November 30, 2026. Your balance after it: $125.50."
    )
    assert notice_for({**event, "data": {**event["data"], "kind": "TOPUP"}}) is None  # the settlement's
    assert notice_for({**event, "data": {**event["data"], "kind": "INVOICE_PAYMENT"}}) is None
