"""What a billing document says, already decided and formatted: the renderers only lay it out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from adapters.brand import DEFAULT_BRAND, Brand


@dataclass(frozen=True)
class PdfLine:
    description: str
    amount: str  # already formatted, e.g. "49.99"


@dataclass(frozen=True)
class InvoiceDocument:
    isp_name: str
    isp_address: str
    invoice_number: str
    status: str
    subscriber_name: str
    account_number: str
    billing_address: str
    issued_on: date
    due_on: date
    period_start: date
    period_end: date
    currency: str
    lines: tuple[PdfLine, ...]
    total: str
    amount_paid: str
    balance: str
    brand: Brand = DEFAULT_BRAND  # the operator's colour, logo and contacts
    locale: str = "en"  # the language it is printed in (en, es, pt): sandbox.billing.pdf.words


@dataclass(frozen=True)
class StatementSection:
    """One sub-service on a consolidated statement."""

    title: str
    lines: tuple[PdfLine, ...]
    subtotal: str


@dataclass(frozen=True)
class StatementDocument:
    isp_name: str
    isp_address: str
    subscriber_name: str
    account_number: str
    generated_on: date
    currency: str
    sections: tuple[StatementSection, ...]
    open_invoices: tuple[tuple[str, date, str], ...]  # (number, due_on, balance)
    total_outstanding: str
    # None leaves the wallet out: a statement restricted to some sites is for people who may not see it.
    wallet_balance: str | None
    brand: Brand = DEFAULT_BRAND
    locale: str = "en"  # the language it is printed in (en, es, pt)
    # The account's activity over a period: payments and credits as well as charges (`ActivityLine`s).
    activity: StatementActivity | None = None


@dataclass(frozen=True)
class ActivityLine:
    on: date
    kind: str  # CHARGE | PAYMENT | CREDIT
    description: str
    amount: str  # signed: what the line did to the balance
    balance: str  # the running balance after it


@dataclass(frozen=True)
class StatementActivity:
    period_start: date
    period_end: date
    opening_balance: str
    charges: str
    payments: str
    credits: str
    closing_balance: str
    lines: tuple[ActivityLine, ...]


@dataclass(frozen=True)
class ReceiptDocument:
    """One payment, as the subscriber keeps it: who paid what, how, when, and for which invoice(s)."""

    isp_name: str
    isp_address: str
    receipt_number: str
    subscriber_name: str
    account_number: str
    billing_address: str
    paid_on: date
    currency: str
    amount: str
    method: str  # "VISA **** 4242", "Wallet", "Bank transfer": never more of a card than brand and last four
    invoices: tuple[PdfLine, ...]  # (invoice number, amount applied to it)
    wallet_credit: str | None  # what exceeded the invoices and went to the wallet
    reference: str
    brand: Brand = DEFAULT_BRAND
