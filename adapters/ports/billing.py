"""The Billing port: what the BFF reads from and asks of the billing system of record, batch-first.

Amounts are `Money` (exact Decimal + currency); datetimes are timezone-aware. Business refusals surface as
`adapters.errors.Rejected` carrying the backend's code (INSUFFICIENT_BALANCE, ALREADY_PAID, INVOICE_VOID,
GIFT_CARD_INVALID, GIFT_CARD_ALREADY_USED, NOT_PREPAID, AUTOPAY_REQUIRES_CARD, PAYMENT_METHOD_IN_USE,
IDEMPOTENCY_CONFLICT, CURRENCY_MISMATCH, AMOUNT_INVALID, CARD_EXPIRED); unknown objects as `NotFound`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from adapters.ports.money import Money

INVOICE_STATUSES = ("OPEN", "PAID", "OVERDUE", "VOID")
INVOICE_MODES = ("CONSOLIDATED", "PER_SUBSERVICE")
PAYMENT_METHOD_KINDS = ("CARD", "WALLET", "BANK_TRANSFER", "GATEWAY")
WALLET_ENTRY_KINDS = (
    "TOPUP",
    "PROMO",
    "GIFT_CARD",
    "COMPENSATION",
    "INVOICE_PAYMENT",
    "OVERPAYMENT",
    "RENEWAL",
)
CARD_BRANDS = ("visa", "mastercard", "amex", "discover", "diners", "jcb", "unionpay", "unknown")


@dataclass(frozen=True, slots=True)
class Cycle:
    period_start: date
    period_end: date
    next_invoice_on: date


@dataclass(frozen=True, slots=True)
class BillingAccount:
    subscriber_id: str
    account_number: str
    currency: str
    invoice_mode: str
    billing_day: int
    grace_days: int
    autopay: bool
    default_payment_method_id: str | None
    gateway_customer_id: str | None
    cycle: Cycle
    outstanding: Money  # balances of OPEN and OVERDUE invoices
    overdue: Money
    next_due_on: date | None
    wallet_balance: Money


@dataclass(frozen=True, slots=True)
class ChargeLine:
    description: str
    amount: Money


@dataclass(frozen=True, slots=True)
class SubServiceBilling:
    subservice_id: str
    subscriber_id: str
    description: str  # the plan name
    monthly_charge: Money  # plan + add-ons
    charge_lines: tuple[ChargeLine, ...]
    outstanding: Money  # its share of unpaid invoices
    cycle: Cycle | None  # None for prepaid
    next_invoice_on: date | None
    open_invoice_ids: tuple[str, ...]
    prepaid: bool
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    subservice_id: str | None
    description: str
    amount: Money


@dataclass(frozen=True, slots=True)
class Invoice:
    id: str
    number: str
    subscriber_id: str
    subservice_id: str | None  # None for a consolidated invoice
    status: str
    issued_on: date
    due_on: date
    period_start: date
    period_end: date
    total: Money
    amount_paid: Money
    balance: Money
    lines: tuple[InvoiceLine, ...]
    subservice_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WalletTransaction:
    id: str
    kind: str
    amount: Money  # negative for INVOICE_PAYMENT and RENEWAL
    description: str
    reference: str | None
    invoice_id: str | None
    subservice_id: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class WalletPage:
    items: tuple[WalletTransaction, ...]
    next_cursor: str | None
    total_count: int
    balance: Money


@dataclass(frozen=True, slots=True)
class Payment:
    id: str
    external_ref: str
    invoice_id: str
    subscriber_id: str
    amount: Money
    applied: Money
    method: str
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class PaymentResult:
    payment: Payment
    invoice: Invoice
    wallet_credit: Money | None  # what exceeded the balance, credited to the wallet
    duplicate: bool  # True when the external reference had been recorded before


@dataclass(frozen=True, slots=True)
class WalletCreditResult:
    entry: WalletTransaction
    wallet_balance: Money
    duplicate: bool


@dataclass(frozen=True, slots=True)
class WalletApplyResult:
    payment: Payment
    invoice: Invoice
    wallet_balance: Money
    duplicate: bool


@dataclass(frozen=True, slots=True)
class GiftCardResult:
    code: str
    value: Money
    entry: WalletTransaction
    wallet_balance: Money


@dataclass(frozen=True, slots=True)
class RenewalResult:
    subservice_id: str
    expires_at: datetime
    charged: Money
    entry: WalletTransaction
    wallet_balance: Money
    duplicate: bool


@dataclass(frozen=True, slots=True)
class PaymentMethod:
    id: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int
    is_default: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class InstallmentPlan:
    id: str
    subservice_id: str
    description: str
    total: Money
    paid_amount: Money
    remaining: Money
    installments_total: int
    installments_paid: int
    amount_each: Money
    next_due_on: date | None
    progress: Decimal  # 0..1


class BillingPort(Protocol):
    # ---- reads (batch-first; unknown ids are absent from the result) ----
    async def accounts(self, subscriber_ids: Sequence[str]) -> dict[str, BillingAccount]: ...

    async def subservice_billing(self, subservice_ids: Sequence[str]) -> dict[str, SubServiceBilling]: ...

    async def invoices(self, invoice_ids: Sequence[str]) -> dict[str, Invoice]: ...

    async def invoice(self, invoice_id: str) -> Invoice:
        """One invoice; NotFound if it does not exist."""
        ...

    async def invoices_for_subscribers(
        self, subscriber_ids: Sequence[str], status: str | None = None
    ) -> dict[str, list[Invoice]]:
        """Invoices per subscriber, newest first (every requested id is a key)."""
        ...

    async def invoices_for_subservices(
        self, subservice_ids: Sequence[str], status: str | None = None
    ) -> dict[str, list[Invoice]]:
        """Invoices having a line for each sub-service, newest first (every requested id is a key)."""
        ...

    async def invoice_pdf(self, invoice_id: str) -> bytes: ...

    async def statement_pdf(
        self, subscriber_id: str, subservice_ids: Sequence[str] | None = None
    ) -> bytes: ...

    async def wallet_balances(self, subscriber_ids: Sequence[str]) -> dict[str, Money]: ...

    async def wallet_transactions(
        self, subscriber_id: str, *, limit: int = 20, before: str | None = None
    ) -> WalletPage: ...

    async def installments(self, subservice_ids: Sequence[str]) -> dict[str, list[InstallmentPlan]]:
        """Plans per sub-service (every requested id is a key)."""
        ...

    async def payment_methods(self, subscriber_id: str) -> list[PaymentMethod]: ...

    # ---- writes (idempotent where a retry could double-charge) ----
    async def record_payment(
        self, *, external_ref: str, invoice_id: str, amount: Money, method: str
    ) -> PaymentResult: ...

    async def credit_wallet(
        self, *, subscriber_id: str, amount: Money, external_ref: str, description: str | None = None
    ) -> WalletCreditResult:
        """Credit a top-up paid at the gateway, once per external reference."""
        ...

    async def apply_wallet(
        self, *, subscriber_id: str, invoice_id: str, idempotency_key: str, amount: Money | None = None
    ) -> WalletApplyResult: ...

    async def redeem_gift_card(self, *, subscriber_id: str, code: str) -> GiftCardResult: ...

    async def renew_subservice(self, subservice_id: str, *, idempotency_key: str) -> RenewalResult: ...

    async def add_payment_method(
        self,
        subscriber_id: str,
        *,
        gateway_token: str,
        brand: str,
        last4: str,
        exp_month: int,
        exp_year: int,
        make_default: bool = False,
    ) -> PaymentMethod: ...

    async def remove_payment_method(
        self, subscriber_id: str, payment_method_id: str
    ) -> list[PaymentMethod]: ...

    async def set_default_payment_method(
        self, subscriber_id: str, payment_method_id: str
    ) -> list[PaymentMethod]: ...

    async def set_autopay(self, subscriber_id: str, enabled: bool) -> BillingAccount: ...

    async def set_gateway_customer(self, subscriber_id: str, gateway_customer_id: str) -> BillingAccount: ...
