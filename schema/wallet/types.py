"""The subscriber's wallet: a prepaid balance and its ledger (top-ups, promos, gift cards, payments)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry.types import Info

from adapters.errors import NotFound
from adapters.ports import billing
from schema.core.connection import Connection, Window, check_first, connection, decode_cursor, given
from schema.core.context import Context
from schema.core.money import Money
from schema.core.node import encode_id

BACKEND_PAGE = 100  # Billing's largest ledger page


@strawberry.enum
class WalletTransactionKind(Enum):
    TOPUP = "TOPUP"
    PROMO = "PROMO"
    GIFT_CARD = "GIFT_CARD"
    COMPENSATION = "COMPENSATION"
    INVOICE_PAYMENT = "INVOICE_PAYMENT"
    OVERPAYMENT = "OVERPAYMENT"
    RENEWAL = "RENEWAL"


@strawberry.type
class WalletTransaction:
    id: strawberry.ID
    kind: WalletTransactionKind
    amount: Money = strawberry.field(description="Positive for credits, negative for spending")
    description: str
    created_at: datetime

    @classmethod
    def of(cls, t: billing.WalletTransaction) -> WalletTransaction:
        return cls(
            id=encode_id("WalletTransaction", t.id),
            kind=WalletTransactionKind(t.kind),
            amount=Money.of(t.amount),
            description=t.description,
            created_at=t.created_at,
        )


@strawberry.type(description="Prepaid credit that can settle invoices and renew prepaid services.")
class Wallet:
    subscriber_id: strawberry.Private[str]
    balance: Money

    @strawberry.field
    async def transactions(
        self, info: Info[Context, None], first: int | None = 20, after: str | None = strawberry.UNSET
    ) -> Connection[WalletTransaction]:
        count = check_first(first, 20)
        after = given(after)
        start = decode_cursor(after) + 1 if after is not None else 0
        # The ledger pages newest first by its own cursor: walk it up to the end of the wanted window
        # (one call for the first 100 entries).
        port = info.context.backends.billing
        items: list[billing.WalletTransaction] = []
        before: str | None = None
        needed = max(start + count, 1)
        total = 0
        while True:
            page = await port.wallet_transactions(
                self.subscriber_id, limit=min(BACKEND_PAGE, needed - len(items)), before=before
            )
            items += page.items
            total = page.total_count
            if page.next_cursor is None or len(items) >= needed or not page.items:
                break
            before = page.next_cursor
        start = min(start, total)
        win = Window(start, min(start + count, total), total)
        nodes = [WalletTransaction.of(t) for t in items[win.start : win.stop]]
        return connection(Connection, nodes, win)


async def current_wallet(context: Context, subscriber_id: str) -> Wallet:
    """The wallet as Billing has it now (not from this request's loader cache)."""
    balance = (await context.backends.billing.wallet_balances([subscriber_id])).get(subscriber_id)
    if balance is None:
        raise NotFound("billing", f"no wallet for subscriber {subscriber_id}")
    return Wallet(subscriber_id=subscriber_id, balance=Money.of(balance))
