"""The `Subscription` root: live updates over graphql-transport-ws, fed by the event bus (`bff.core.bus`).

Each subscription listens to the viewer's subscriber on this instance's bus and, for every event, decides
whether the viewer may see it (a SITE user: only their sub-services and their invoices; never the wallet;
never another subscriber), then reads the object fresh from the backends and yields it. Fresh means a new
set of dataloaders per event: the connection's context lives as long as the socket and its cache would
otherwise serve the state of the first event forever.

A viewer whose session ended (logout, revocation, refresh-token reuse) stops receiving: the session is
checked for every event (one cheap session-store read), and the stream then completes; a new subscription
on the same socket is refused as UNAUTHENTICATED.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Collection
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from adapters.errors import BackendError
from adapters.ports.money import Money as MoneyValue
from bff.core.auth.viewer import Viewer
from bff.core.bus import BusEvent
from schema.billing.types import Invoice
from schema.core.context import Context
from schema.core.loaders import Loaders, NotificationsKey
from schema.core.money import Money
from schema.core.permission import can_see_invoice, can_see_notification, can_see_subservice
from schema.service.types import SubService
from schema.support.types import Notification
from schema.wallet.types import Wallet

log = logging.getLogger("wispgate.subscriptions")

SETTLED = "payment.settled"


@strawberry.enum
class PaymentKind(Enum):
    INVOICE = strawberry.enum_value(
        "INVOICE", description="An invoice paid through the gateway (checkout or autopay)"
    )
    WALLET_TOPUP = strawberry.enum_value(
        "WALLET_TOPUP", description="A wallet top-up paid through the gateway"
    )


async def _settled_wallet(root: PaymentSettled, info: Info[Context, None]) -> Wallet | None:
    viewer = info.context.viewer
    if viewer is None or viewer.is_site_user:
        return None  # SITE users never see the wallet
    account = await info.context.loaders.account_by_subscriber_id.load(root.subscriber_id)
    if account is None:
        return None
    return Wallet(subscriber_id=root.subscriber_id, balance=Money.of(account.wallet_balance))


@strawberry.type
class PaymentSettled:
    subscriber_id: strawberry.Private[str]
    kind: PaymentKind
    amount: Money
    invoice: Invoice | None = strawberry.field(
        description="INVOICE: the invoice as it is now (PAID when fully settled)"
    )
    # Read only when selected (one Billing call), and null for SITE users.
    wallet: Wallet | None = strawberry.field(
        resolver=_settled_wallet, description="WALLET_TOPUP: the wallet as it is now"
    )
    reactivated: list[SubService] = strawberry.field(
        description="Sub-services that came back to ACTIVE because of this payment"
    )
    settled_at: datetime


# ------------------------------------------------------------------------------------------ the event feed


def _fresh_loaders(context: Context) -> Loaders:
    """A new loader set for this event, also used by the fields of the object yielded for it."""
    context._loaders = Loaders(context.backends)
    return context._loaders


async def _still_signed_in(context: Context, viewer: Viewer) -> bool:
    if await context.sessions.is_active(viewer.session_id):
        return True
    # Later subscribes on this socket are refused too (the client refreshes or logs in again).
    context.viewer = None
    context.credential_error = "SESSION_ENDED"
    return False


def _concerns_sites(viewer: Viewer, event: BusEvent) -> bool:
    """SITE users: an event about particular sub-services must be about one of theirs."""
    if not viewer.is_site_user or not event.subservice_ids:
        return True
    return not viewer.site_subservice_ids.isdisjoint(event.subservice_ids)


async def _events(context: Context, viewer: Viewer, types: Collection[str]) -> AsyncIterator[BusEvent]:
    """The viewer's events of `types`, for as long as the session is active."""
    async for event in context.bus.listen(viewer.subscriber_id):
        if event.subscriber_id != viewer.subscriber_id or event.type not in types:
            continue
        if not await _still_signed_in(context, viewer):
            log.info("subscription of user %s ended: session ended", viewer.user_id)
            return
        if not _concerns_sites(viewer, event):
            continue
        yield event


async def _subscribe(info: Info[Context, None]) -> Viewer:
    """The viewer at subscribe time (UNAUTHENTICATED without one, or when its session has ended)."""
    context = info.context
    viewer = context.require_viewer()
    if not await _still_signed_in(context, viewer):
        context.require_viewer()  # raises with SESSION_ENDED
    return viewer


def _text(data: Any, key: str) -> str | None:
    value = data.get(key) if hasattr(data, "get") else None
    return value if isinstance(value, str) and value else None


def _texts(data: Any, key: str) -> list[str]:
    value = data.get(key) if hasattr(data, "get") else None
    return [v for v in value if isinstance(v, str) and v] if isinstance(value, list) else []


def _moment(raw: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return datetime.now(UTC)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


async def _invoice(loaders: Loaders, viewer: Viewer, invoice_id: str | None) -> Invoice | None:
    if invoice_id is None:
        return None
    record = await loaders.invoice_by_id.load(invoice_id)
    return Invoice.of(record) if record is not None and can_see_invoice(viewer, record) else None


async def _subservices(loaders: Loaders, viewer: Viewer, ids: list[str]) -> list[SubService]:
    if not ids:
        return []
    found = await loaders.subservice_by_id.load_many(ids)
    return [SubService.of(r) for r in found if r is not None and can_see_subservice(viewer, r)]


def _skipped(event: BusEvent, exc: BackendError) -> None:
    # One event that cannot be read now must not end the stream; the portal re-queries after gaps anyway.
    log.warning("subscription skipped event %s (%s): %s", event.id, event.type, exc)


# ------------------------------------------------------------------------------------------ the fields


def _settled(event: BusEvent) -> tuple[PaymentKind, MoneyValue] | None:
    try:
        kind = PaymentKind(event.data.get("kind"))
        amount = Decimal(str(event.data.get("amount")))
    except (ValueError, InvalidOperation):
        return None
    currency = _text(event.data, "currency")
    if not amount.is_finite() or currency is None:
        return None
    return kind, MoneyValue(amount, currency)


async def payment_settled(info: Info[Context, None]) -> AsyncIterator[PaymentSettled]:
    context = info.context
    viewer = await _subscribe(info)

    async def feed() -> AsyncIterator[PaymentSettled]:
        async for event in _events(context, viewer, {SETTLED}):
            parsed = _settled(event)
            if parsed is None:
                log.warning("malformed %s event %s ignored", event.type, event.id)
                continue
            kind, amount = parsed
            if viewer.is_site_user and kind is PaymentKind.WALLET_TOPUP:
                continue
            loaders = _fresh_loaders(context)
            try:
                invoice = await _invoice(loaders, viewer, _text(event.data, "invoice_id"))
                reactivated = await _subservices(
                    loaders, viewer, _texts(event.data, "reactivated_subservice_ids")
                )
            except BackendError as exc:
                _skipped(event, exc)
                continue
            if viewer.is_site_user and invoice is None and not reactivated:
                continue  # nothing of theirs was paid
            yield PaymentSettled(
                kind=kind,
                amount=Money.of(amount),
                invoice=invoice,
                subscriber_id=viewer.subscriber_id,
                reactivated=reactivated,
                settled_at=_moment(event.occurred_at),
            )

    return feed()


async def invoice_changed(info: Info[Context, None]) -> AsyncIterator[Invoice]:
    context = info.context
    viewer = await _subscribe(info)

    async def feed() -> AsyncIterator[Invoice]:
        async for event in _events(context, viewer, {"invoice.created", "invoice.updated", SETTLED}):
            try:
                invoice = await _invoice(_fresh_loaders(context), viewer, _text(event.data, "invoice_id"))
            except BackendError as exc:
                _skipped(event, exc)
                continue
            if invoice is not None:
                yield invoice

    return feed()


async def wallet_changed(info: Info[Context, None]) -> AsyncIterator[Wallet]:
    context = info.context
    viewer = await _subscribe(info)

    async def feed() -> AsyncIterator[Wallet]:
        if viewer.is_site_user:
            # SITE users never see the wallet: nothing is ever delivered (an error would only make clients
            # retry for ever).
            async for _ in _events(context, viewer, ()):
                pass
            return
        async for event in _events(context, viewer, {"wallet.changed", SETTLED}):
            if event.type == SETTLED and event.data.get("kind") != PaymentKind.WALLET_TOPUP.value:
                continue
            try:
                account = await _fresh_loaders(context).account_by_subscriber_id.load(viewer.subscriber_id)
            except BackendError as exc:
                _skipped(event, exc)
                continue
            if account is not None:
                yield Wallet(subscriber_id=viewer.subscriber_id, balance=Money.of(account.wallet_balance))

    return feed()


async def service_status_changed(info: Info[Context, None]) -> AsyncIterator[SubService]:
    context = info.context
    viewer = await _subscribe(info)

    # A reactivation arrives twice: AAA's own event and the payment's list of reactivated services. The
    # subscriber is told each state once: a sub-service is sent again only when its status changed.
    last_sent: dict[str, tuple[str, str | None, object]] = {}

    async def feed() -> AsyncIterator[SubService]:
        async for event in _events(context, viewer, {"service.status_changed", SETTLED}):
            if event.type == SETTLED:
                ids = _texts(event.data, "reactivated_subservice_ids")
            else:
                one = _text(event.data, "subservice_id")
                ids = [one] if one is not None else list(event.subservice_ids)
            loaders = _fresh_loaders(context)
            try:
                found = await _subservices(loaders, viewer, list(dict.fromkeys(ids)))
                # The same fresh loaders resolve the yielded fields: this read is not repeated.
                statuses = await loaders.status_by_subservice_id.load_many([s.record.id for s in found])
            except BackendError as exc:
                _skipped(event, exc)
                continue
            for subservice, status in zip(found, statuses, strict=True):
                state = (
                    (status.status, status.reason, status.since) if status is not None else ("", None, None)
                )
                if last_sent.get(subservice.record.id) == state:
                    continue
                last_sent[subservice.record.id] = state
                yield subservice

    return feed()


async def notification_received(info: Info[Context, None]) -> AsyncIterator[Notification]:
    context = info.context
    viewer = await _subscribe(info)

    async def feed() -> AsyncIterator[Notification]:
        async for event in _events(context, viewer, {"notification.created"}):
            notification_id = _text(event.data, "notification_id")
            if notification_id is None:
                continue
            try:
                # The user's own list: the CRM applies who may see which notification.
                found = await _fresh_loaders(context).notifications_by_user_id.load(
                    NotificationsKey(viewer.subscriber_id, viewer.user_id)
                )
            except BackendError as exc:
                _skipped(event, exc)
                continue
            record = next((n for n in found.items if n.id == notification_id), None)
            if record is not None and can_see_notification(viewer, record):
                yield Notification.of(record)

    return feed()


@strawberry.type
class Subscription:
    payment_settled: AsyncIterator[PaymentSettled] = strawberry.subscription(resolver=payment_settled)
    invoice_changed: AsyncIterator[Invoice] = strawberry.subscription(resolver=invoice_changed)
    wallet_changed: AsyncIterator[Wallet] = strawberry.subscription(resolver=wallet_changed)
    service_status_changed: AsyncIterator[SubService] = strawberry.subscription(
        resolver=service_status_changed
    )
    notification_received: AsyncIterator[Notification] = strawberry.subscription(
        resolver=notification_received
    )
