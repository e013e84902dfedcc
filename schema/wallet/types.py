"""The subscriber's wallet: a prepaid balance and its ledger (top-ups, promos, gift cards, payments)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from adapters.errors import NotFound
from adapters.ports import billing
from schema.core.connection import (
    AFTER,
    FIRST,
    Connection,
    Window,
    check_first,
    connection,
    decode_cursor,
    given,
)
from schema.core.context import Context
from schema.core.money import Money
from schema.core.node import encode_id
from schema.core.resolver import typed_field

BACKEND_PAGE = 100  # Billing's largest ledger page


@strawberry.enum(description="Why the wallet's balance moved.")
class WalletTransactionKind(Enum):
    TOPUP = strawberry.enum_value(
        "TOPUP", description="Money added through the payment gateway (`topUpWallet`)."
    )
    PROMO = strawberry.enum_value("PROMO", description="Credit from a promotion.")
    GIFT_CARD = strawberry.enum_value("GIFT_CARD", description="A redeemed gift card (`redeemGiftCard`).")
    COMPENSATION = strawberry.enum_value(
        "COMPENSATION", description="Credit from the operator for an outage or a complaint."
    )
    INVOICE_PAYMENT = strawberry.enum_value(
        "INVOICE_PAYMENT", description="Spent on an invoice (`applyWalletToInvoice`)."
    )
    OVERPAYMENT = strawberry.enum_value(
        "OVERPAYMENT", description="The part of an invoice payment beyond what the invoice owed."
    )
    RENEWAL = strawberry.enum_value(
        "RENEWAL", description="Spent on a prepaid service's next period (`renewService`)."
    )
    ADD_ON = strawberry.enum_value("ADD_ON", description="Spent on an add-on or a data top-up (`buyAddOn`).")


@strawberry.type(description="One movement of the wallet's balance.")
class WalletTransaction:
    id: strawberry.ID = strawberry.field(description="The ledger's id for this movement.")
    kind: WalletTransactionKind = strawberry.field(description="Why the balance moved.")
    amount: Money = strawberry.field(description="Positive for credits, negative for spending")
    description: str = strawberry.field(description="What the statement says about it.")
    created_at: datetime = strawberry.field(description="When it happened.")

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
    balance: Money = strawberry.field(description="What the wallet holds now.")

    @typed_field(description="The wallet's movements, newest first.")
    async def transactions(
        self,
        info: Info[Context, None],
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = 20,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = strawberry.UNSET,
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
