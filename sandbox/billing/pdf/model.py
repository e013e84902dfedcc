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
