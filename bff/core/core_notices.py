"""Notifications for what the core did to an account without the portal: a gift card redeemed, a credit the
operator put in the wallet, a service suspended or restricted.

They come from the core's signed events (`POST /hooks/core`, `bff.core.core_events`): for such an event the
CRM is asked to post a notification (and its e-mail), with an idempotency key made from the event id, so that a
redelivered event posts nothing twice. Its text is built from the event alone — never from state read later —
so a redelivery sends exactly what the first attempt sent (the CRM refuses another text for the same key), and
it states dates, never "in 5 days" or "now": a notification is read days after it was written.

Who sees them is the CRM's and the portal's notification rules (`schema.core.permission.NOTIFICATION_RULES`):
the wallet ones (WALLET_CREDITED, with the balance) never reach SITE users; a service one reaches who may see
that service.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from adapters.errors import BackendError, Rejected
from adapters.ports.crm import CrmPort, NotificationLink
from adapters.ports.money import Money

log = logging.getLogger("wispgate.core_notices")

# Wallet entries an operator makes by hand (Billing's ops API); a card top-up (TOPUP) is notified by the
# settlement, a payment from the wallet by its invoice's payment.
OPERATOR_CREDITS = {"PROMO": "a promotional credit", "COMPENSATION": "a compensation"}
DOWN = {"SUSPENDED": "suspended", "RESTRICTED": "restricted"}


def long_date(day: date) -> str:
    """ "December 7, 2026" """
    return f"{day:%B} {day.day}, {day.year}"


@dataclass(frozen=True, slots=True)
class Notice:
    kind: str
    title: str
    body: str
    subservice_id: str | None = None
    link: NotificationLink | None = None


def _money(value: Any) -> Money | None:
    if not isinstance(value, dict):
        return None
    amount, currency = value.get("amount"), value.get("currency")
    if not isinstance(amount, str) or not isinstance(currency, str) or not currency:
        return None
    try:
        parsed = Decimal(amount)
        return Money(parsed, currency) if parsed.is_finite() else None
    except (InvalidOperation, ValueError):
        return None


def _day(raw: dict[str, Any], data: dict[str, Any]) -> date | None:
    for value in (data.get("since"), raw.get("created_at")):
        if isinstance(value, str) and value:
            try:
                return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
            except ValueError:
                continue
    return None


def _wallet_notice(data: dict[str, Any], day: date) -> Notice | None:
    kind = data.get("kind")
    amount, balance = _money(data.get("amount")), _money(data.get("balance"))
    if amount is None or amount.amount <= 0:
        return None
    after = f" Your balance after it: {balance.display()}." if balance is not None else ""
    wallet = NotificationLink(kind="WALLET")
    if kind == "GIFT_CARD":
        return Notice(
            "WALLET_CREDITED",
            "Gift card redeemed",
            f"A gift card worth {amount.display()} was added to your wallet on {long_date(day)}.{after}",
            link=wallet,
        )
    if isinstance(kind, str) and kind in OPERATOR_CREDITS:
        reason = data.get("description")
        why = f" ({reason})" if isinstance(reason, str) and reason.strip() else ""
        return Notice(
            "WALLET_CREDITED",
            "Wallet credited",
            f"Your provider added {OPERATOR_CREDITS[kind]} of {amount.display()}{why} to your wallet on"
            f" {long_date(day)}.{after}",
            link=wallet,
        )
    return None


_WHY = {
    "NON_PAYMENT": "because an invoice is overdue. Paying it restores the service.",
    "ADMINISTRATIVE": "by your provider. Contact support to learn more.",
    "FRAUD": "by your provider. Contact support to learn more.",
    "USAGE_CAP": "because its usage cap was reached.",
    "CUSTOMER_REQUEST": "at your request.",
}


def _status_notice(raw: dict[str, Any], data: dict[str, Any], day: date, label: str | None) -> Notice | None:
    status = data.get("status")
    subservice_id = data.get("subservice_id") or raw.get("subservice_id")
    if status not in DOWN or not isinstance(subservice_id, str) or not subservice_id:
        return None
    reason = data.get("reason")
    why = _WHY.get(reason, "by your provider.") if isinstance(reason, str) else "by your provider."
    what = label or "Your service"
    verb = DOWN[status]
    title = (
        "Service suspended for non-payment"
        if (status, reason) == ("SUSPENDED", "NON_PAYMENT")
        else f"Service {verb}"
    )
    return Notice(
        "SERVICE_STATUS",
        title,
        f"{what} was {verb} on {long_date(day)} {why}",
        subservice_id=subservice_id,
        link=NotificationLink(kind="SERVICE", id=subservice_id),
    )


def wants_notice(raw: dict[str, Any]) -> bool:
    """Whether this core event may give a notification (cheap: no backend call)."""
    data = raw.get("data")
    if not isinstance(data, dict):
        return False
    if raw.get("type") == "wallet.changed":
        return data.get("kind") == "GIFT_CARD" or data.get("kind") in OPERATOR_CREDITS
    if raw.get("type") == "service.status_changed":
        return data.get("status") in DOWN and data.get("previous_status") != data.get("status")
    return False


def notice_for(raw: dict[str, Any], label: str | None = None) -> Notice | None:
    """The notification a core event gives, from the event alone (plus the service's label); None for
    events that give none."""
    if not wants_notice(raw):
        return None
    data: dict[str, Any] = raw["data"]
    day = _day(raw, data)
    if day is None:
        return None
    if raw.get("type") == "wallet.changed":
        return _wallet_notice(data, day)
    return _status_notice(raw, data, day, label)


class CoreNotices:
    """Posts the notification of a core event (see the module)."""

    def __init__(self, crm: CrmPort) -> None:
        self.crm = crm

    async def _label(self, raw: dict[str, Any]) -> str | None:
        data = raw.get("data")
        subservice_id = (data.get("subservice_id") if isinstance(data, dict) else None) or raw.get(
            "subservice_id"
        )
        if not isinstance(subservice_id, str) or not subservice_id:
            return None
        try:
            found = await self.crm.subservices([subservice_id])
        except BackendError:
            return None  # "Your service" then: the notice still goes out
        service = found.get(subservice_id)
        return service.label if service is not None else None

    async def post(self, raw: dict[str, Any]) -> bool:
        """Post the event's notification, if it gives one; True when one was posted (or had been). Raises
        BackendError when the CRM could not take it now (the core retries the event)."""
        if not wants_notice(raw):
            return False
        subscriber_id, event_id = raw.get("subscriber_id"), raw.get("id")
        if not isinstance(subscriber_id, str) or not isinstance(event_id, str):
            return False
        label = await self._label(raw) if raw.get("type") == "service.status_changed" else None
        notice = notice_for(raw, label)
        if notice is None:
            return False
        try:
            await self.crm.notify(
                subscriber_id,
                notice.kind,
                notice.title,
                notice.body,
                subservice_id=notice.subservice_id,
                email=True,
                link=notice.link,
                idempotency_key=f"core:{event_id}:notify",
            )
        except Rejected as exc:
            if exc.code == "IDEMPOTENCY_CONFLICT":
                # Posted before with another text (the service was renamed since): the subscriber has it.
                log.warning("core event %s: its notification was posted before with another text", event_id)
                return True
            # Refused for good (e.g. a service the CRM does not know): retrying would be refused again.
            log.warning("core event %s: the CRM refused its notification (%s)", event_id, exc.code)
            return False
        return True
