"""Payments with their receipts, the statement's activity (charges, payments, credits with the running
balance) and the CSV exports' signed links: the parts of `Subscriber` that tell what money moved."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

import strawberry
from strawberry.types import Info

from adapters.errors import Rejected
from adapters.ports import billing
from bff.core.exports import PeriodInvalid, check_period
from schema.billing.document import Document
from schema.core.connection import Connection, connection, window
from schema.core.context import Context
from schema.core.errors import BadUserInput
from schema.core.money import Money
from schema.core.permission import can_see_payment
from schema.core.resolver import typed_field


@strawberry.enum(description="How a payment was made.")
class PaidWith(Enum):
    CARD = strawberry.enum_value(
        "CARD", description="A card: `cardBrand` and `cardLast4` say which, when known."
    )
    WALLET = strawberry.enum_value("WALLET", description="The account's wallet credit.")
    BANK_TRANSFER = strawberry.enum_value("BANK_TRANSFER", description="A bank transfer.")
    GATEWAY = strawberry.enum_value("GATEWAY", description="Another method of the payment gateway.")


@strawberry.type(description="A payment received against an invoice, with its receipt.")
class Payment:
    record: strawberry.Private[billing.PaymentRecord]
    receipt_number: str = strawberry.field(description="The receipt's number (RCT-…), one per payment.")
    paid_at: datetime = strawberry.field(description="When Billing recorded the payment.")
    amount: Money = strawberry.field(description="What was paid.")
    applied: Money = strawberry.field(
        description="The part applied to the invoice; the rest (an overpayment) went to the wallet."
    )
    method: PaidWith = strawberry.field(description="How it was paid.")
    card_brand: str | None = strawberry.field(description="A card's brand (visa, mastercard, …), when known.")
    card_last4: str | None = strawberry.field(
        description="A card's last four digits, when known: nothing more of a card is ever kept or shown."
    )
    invoice_number: str = strawberry.field(description="The number of the invoice it paid.")

    @classmethod
    def of(cls, r: billing.PaymentRecord) -> Payment:
        return cls(
            record=r,
            receipt_number=r.receipt_number or r.id,
            paid_at=r.recorded_at,
            amount=Money.of(r.amount),
            applied=Money.of(r.applied),
            method=PaidWith(r.method),
            card_brand=r.card_brand,
            card_last4=r.card_last4,
            invoice_number=r.invoice_number,
        )

    @typed_field(description="Short-lived signed link to the receipt PDF, served by the portal")
    def receipt_url(self, info: Info[Context, None]) -> str:
        return info.context.files.receipt_url(self.record.id, self.receipt_number).url


@strawberry.enum(description="What a statement line did to the balance.")
class StatementLineKind(Enum):
    CHARGE = strawberry.enum_value(
        "CHARGE", description="An invoice, or a renewal or add-on paid from the wallet."
    )
    PAYMENT = strawberry.enum_value("PAYMENT", description="A payment by card, bank transfer or gateway.")
    CREDIT = strawberry.enum_value(
        "CREDIT",
        description="A wallet credit (top-up, promotion, gift card, compensation, overpayment) or a "
        "proration credit on an invoice.",
    )


@strawberry.type(description="One movement on a statement, with the balance after it.")
class StatementLine:
    date: date = strawberry.field(description="The day it happened.")
    kind: StatementLineKind = strawberry.field(description="Charge, payment or credit.")
    description: str = strawberry.field(description="What it was, as the statement prints it.")
    reference: str = strawberry.field(description="The invoice number, receipt number or wallet entry.")
    amount: Money = strawberry.field(
        description="Its effect on the balance: negative for payments and credits."
    )
    balance: Money = strawberry.field(description="The running balance after this line.")


@strawberry.type(
    description=(
        "The account's activity over a period. The balance is what is owed net of the wallet: positive is "
        "owed, negative is credit. A SITE user's statement covers their sub-services' charges and their share "
        "of payments, without the wallet. Paying an invoice from the wallet moves money inside the account and "
        "is not a line (its receipt is still in `payments`)."
    )
)
class Statement:
    subscriber_id: strawberry.Private[str]
    sites: strawberry.Private[list[str] | None]
    period_start: date = strawberry.field(description="First day covered.")
    period_end: date = strawberry.field(description="Last day covered.")
    opening_balance: Money = strawberry.field(description="The balance before the first day.")
    charges: Money = strawberry.field(description="The period's charges, summed.")
    payments: Money = strawberry.field(description="The period's payments, summed (negative).")
    credits: Money = strawberry.field(description="The period's credits, summed (negative).")
    closing_balance: Money = strawberry.field(description="The balance after the last day.")
    lines: list[StatementLine] = strawberry.field(description="Oldest first, each with the running balance.")

    @classmethod
    def of(cls, s: billing.Statement, sites: list[str] | None) -> Statement:
        return cls(
            subscriber_id=s.subscriber_id,
            sites=sites,
            period_start=s.period_start,
            period_end=s.period_end,
            opening_balance=Money.of(s.opening_balance),
            charges=Money.of(s.charges),
            payments=Money.of(s.payments),
            credits=Money.of(s.credits),
            closing_balance=Money.of(s.closing_balance),
            lines=[
                StatementLine(
                    date=line.date,
                    kind=StatementLineKind(line.kind),
                    description=line.description,
                    reference=line.reference,
                    amount=Money.of(line.amount),
                    balance=Money.of(line.balance),
                )
                for line in s.lines
            ],
        )

    @typed_field(description="The statement as a PDF over the same period (short-lived signed link)")
    def pdf(self, info: Info[Context, None]) -> Document:
        link = info.context.files.statement_period_url(
            self.subscriber_id, self.period_start, self.period_end, self.sites
        )
        return Document.of(link)


def checked_period(start: date | None, end: date | None) -> None:
    """BAD_USER_INPUT for a period no statement, list or export covers (before anything is called)."""
    if start is not None and end is not None:
        try:
            check_period(start, end)
        except PeriodInvalid as exc:
            raise BadUserInput(str(exc)) from None


def _period_refused(exc: Rejected) -> Exception:
    """Billing's refusal of a period (one side given, the other its default) as BAD_USER_INPUT."""
    if exc.code == "PERIOD_INVALID":
        return BadUserInput("The period is not valid: at most 366 days, `from` not after `to`.")
    return exc


async def payment_connection(
    info: Info[Context, None],
    subscriber_id: str,
    first: int | None,
    after: str | None,
    start: date | None,
    end: date | None,
) -> Connection[Payment]:
    context = info.context
    viewer = context.require_viewer()
    window(0, first, after, 20)  # validate the arguments before calling anything
    checked_period(start, end)
    try:
        records = await context.backends.billing.payments_of(subscriber_id, start, end)
    except Rejected as exc:
        raise _period_refused(exc) from exc
    visible = [r for r in records if can_see_payment(viewer, r)]
    win = window(len(visible), first, after, 20)
    return connection(Connection, [Payment.of(r) for r in visible[win.start : win.stop]], win)


async def statement_of(
    context: Context, subscriber_id: str, sites: list[str] | None, start: date | None, end: date | None
) -> Statement:
    checked_period(start, end)
    try:
        found = await context.backends.billing.statement(subscriber_id, start, end, sites)
    except Rejected as exc:
        raise _period_refused(exc) from exc
    return Statement.of(found, sites)


def export_link(context: Context, kind: str, subscriber_id: str, start: date, end: date) -> Document:
    checked_period(start, end)
    return Document.of(context.files.export_url(kind, subscriber_id, start, end))
