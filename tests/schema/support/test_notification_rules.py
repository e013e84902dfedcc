"""Notifications follow the field rules of the data their text is about: a SITE user, for whom `wallet` is
null, reads nothing about the wallet in notifications either (the CRM's list, the BFF's own rule).

The seeded Northwind account (SUB-2001) has a WALLET_CREDITED notification ("Wallet credited with 250.00")
and a SITE user, airport@northwind.example."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from adapters.ports.crm import Notification as NotificationRecord
from adapters.wispgate.client import CoreClient
from adapters.wispgate.crm import HttpCrm
from bff.core.auth.viewer import Viewer
from sandbox.crm.service.notices import Notices
from schema.core.permission import can_see_notification
from tests.harness.portal import SignIn
from tests.harness.transport import DispatchTransport
from tests.schema.helpers import nodes, subscriber

NOTIFICATIONS = """
{ viewer { subscriber {
    wallet { balance { amount } }
    notifications(first: 50) { totalCount unreadCount nodes { kind title body } }
} } }
"""
# What a notification about the wallet would give away: the word, or an amount of money.
WALLET_WORDS = re.compile(r"wallet|balance|\d+\.\d\d", re.IGNORECASE)


async def _post_top_up_notice(transport: DispatchTransport) -> None:
    """The notice a top-up settlement posts (bff.core.payments.settlement), with the balance it left."""
    async with _crm(transport) as crm:
        await crm.notify(
            "SUB-2001",
            "WALLET_CREDITED",
            "Wallet topped up",
            "$20.00 was added to your wallet. Your balance is now $270.00.",
        )
        await crm.notify("SUB-2001", "GENERAL", "Planned maintenance", "Tonight from 2 to 4 am.")


@contextlib.asynccontextmanager
async def _crm(transport: DispatchTransport) -> AsyncIterator[HttpCrm]:
    http = httpx.AsyncClient(
        transport=transport, base_url="http://crm.test", headers={"x-api-key": "sandbox-service-key"}
    )
    async with http:
        yield HttpCrm(CoreClient("crm", http))


def _texts(data: dict[str, Any]) -> list[str]:
    return [f"{n['title']} {n['body']}" for n in nodes(subscriber(data)["notifications"])]


async def test_a_site_user_reads_nothing_about_the_wallet_in_notifications(
    sign_in: SignIn, transport: DispatchTransport
) -> None:
    await _post_top_up_notice(transport)
    site = await (await sign_in("airport@northwind.example")).data(NOTIFICATIONS)
    owner = await (await sign_in("it@northwind.example")).data(NOTIFICATIONS)

    assert subscriber(site)["wallet"] is None
    site_notices = subscriber(site)["notifications"]
    assert "WALLET_CREDITED" not in {n["kind"] for n in site_notices["nodes"]}
    assert [t for t in _texts(site) if WALLET_WORDS.search(t)] == []
    assert site_notices["totalCount"] == len(site_notices["nodes"])
    # The unread count is counted over the same list: it does not reveal what was left out.
    assert site_notices["unreadCount"] == len(site_notices["nodes"])
    assert "Planned maintenance Tonight from 2 to 4 am." in _texts(site)

    # Whoever may see the wallet reads them all.
    assert subscriber(owner)["wallet"] is not None
    owner_texts = _texts(owner)
    assert any("Your balance is now $270.00" in t for t in owner_texts)
    assert any("Wallet credited with 250.00" in t for t in owner_texts)


def _viewer(role: str) -> Viewer:
    return Viewer("USR-24", "a@x", "A", role, "SUB-2001", frozenset({"SS-2001-5"}), "s-1")


def _record(kind: str, subservice_id: str | None = None) -> NotificationRecord:
    return NotificationRecord(
        id="NTF-9",
        subscriber_id="SUB-2001",
        subservice_id=subservice_id,
        kind=kind,  # type: ignore[arg-type]
        title="t",
        body="b",
        created_at=datetime(2026, 11, 25, tzinfo=UTC),
        read=False,
    )


def test_the_portal_applies_the_wallet_rule_whatever_the_crm_lists() -> None:
    """An operator's CRM may not know the portal's roles: the BFF's rule holds on its own."""
    wallet_notice = _record("WALLET_CREDITED")
    assert not can_see_notification(_viewer("SITE"), wallet_notice)
    for role in ("OWNER", "MANAGER", "FINANCE", "VIEWER"):
        assert can_see_notification(_viewer(role), wallet_notice), role
    assert can_see_notification(_viewer("SITE"), _record("GENERAL"))
    assert can_see_notification(_viewer("SITE"), _record("SERVICE_STATUS", "SS-2001-5"))
    assert not can_see_notification(_viewer("SITE"), _record("SERVICE_STATUS", "SS-2001-1"))


async def test_a_site_user_reads_no_notice_about_an_invoice_they_cannot_see(
    sign_in: SignIn, transport: DispatchTransport
) -> None:
    """Northwind's invoices are consolidated (account-wide): the branch's SITE user sees none of them, so none
    of the notices about them. An apartment's own invoice notices reach its SITE user."""
    async with _crm(transport) as crm:
        for kind in ("INVOICE_ISSUED", "PAYMENT_RECEIVED", "PAYMENT_FAILED"):
            await crm.notify("SUB-2001", kind, f"{kind} account", "Invoice INV-9 for $4,210.00.")
        await crm.notify(
            "SUB-3001", "PAYMENT_RECEIVED", "Paid", "Invoice INV-7 paid: $49.00.", subservice_id="SS-3001-101"
        )
        await crm.notify(
            "SUB-3001", "PAYMENT_RECEIVED", "Paid", "Invoice INV-8 paid: $49.00.", subservice_id="SS-3001-103"
        )
    branch = await (await sign_in("airport@northwind.example")).data(NOTIFICATIONS)
    assert [t for t in _texts(branch) if "INV-" in t] == []
    owner = await (await sign_in("it@northwind.example")).data(NOTIFICATIONS)
    assert len([t for t in _texts(owner) if "INV-9" in t]) == 3
    apartment = await (await sign_in("apt101@harborview.example")).data(NOTIFICATIONS)
    assert [t for t in _texts(apartment) if "INV-" in t] == ["Paid Invoice INV-7 paid: $49.00."]


def test_invoice_notices_follow_the_invoice_rule_whatever_the_crm_lists() -> None:
    for kind in ("INVOICE_ISSUED", "PAYMENT_RECEIVED", "PAYMENT_FAILED"):
        assert not can_see_notification(_viewer("SITE"), _record(kind))
        assert can_see_notification(_viewer("SITE"), _record(kind, "SS-2001-5"))
        assert can_see_notification(_viewer("VIEWER"), _record(kind))


async def test_with_a_crm_that_lists_everything_the_portal_still_hides_and_does_not_count_it(
    sign_in: SignIn, transport: DispatchTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An operator's CRM may list every notice of the subscriber to every user: the portal's rules alone keep
    the wallet notices from a SITE user, and the unread count does not give them away."""

    def lists_everything(self: Notices, subscriber_id: str, user: Any) -> tuple[str, list[Any]]:
        return "n.subscriber_id = ?", [subscriber_id]

    monkeypatch.setattr(Notices, "_visible", lists_everything)
    await _post_top_up_notice(transport)
    site = await (await sign_in("airport@northwind.example")).data(NOTIFICATIONS)
    notices = subscriber(site)["notifications"]
    assert [t for t in _texts(site) if WALLET_WORDS.search(t)] == []
    assert notices["unreadCount"] == len(notices["nodes"]) == 1  # the maintenance notice
