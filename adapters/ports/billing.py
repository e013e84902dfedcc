"""The Billing port: what the BFF reads from and asks of the billing system of record, batch-first.

The records are frozen `msgspec.Struct`s the adapter decodes straight from the response bytes
(`adapters.decode`). Amounts are `Money` (exact Decimal + currency); datetimes are timezone-aware. Business
refusals surface as `adapters.errors.Rejected` carrying the backend's code (INSUFFICIENT_BALANCE, ALREADY_PAID,
INVOICE_VOID, GIFT_CARD_INVALID, GIFT_CARD_ALREADY_USED, NOT_PREPAID, AUTOPAY_REQUIRES_CARD,
PAYMENT_METHOD_IN_USE, IDEMPOTENCY_CONFLICT, CURRENCY_MISMATCH, AMOUNT_INVALID, CARD_EXPIRED, UNKNOWN_PLAN,
SAME_PLAN, PREPAID, UNKNOWN_ADD_ON, ALREADY_ACTIVE); unknown objects as `NotFound`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Literal, Protocol, get_args

from msgspec import Struct

from adapters.ports.moment import Moment
from adapters.ports.money import Money
from adapters.ports.window import Covered, SubscriberWindow

InvoiceStatus = Literal["OPEN", "PAID", "OVERDUE", "VOID"]
InvoiceMode = Literal["CONSOLIDATED", "PER_SUBSERVICE"]
PaymentMethodKind = Literal["CARD", "WALLET", "BANK_TRANSFER", "GATEWAY"]
WalletEntryKind = Literal[
    "TOPUP", "PROMO", "GIFT_CARD", "COMPENSATION", "INVOICE_PAYMENT", "OVERPAYMENT", "RENEWAL", "ADD_ON"
]
SubServiceKind = Literal["INTERNET", "IPTV", "VOIP"]  # the CRM's kinds: Billing bills the CRM's inventory
PlanChangeDirection = Literal["UPGRADE", "DOWNGRADE"]
PlanChangeStatus = Literal["APPLIED", "SCHEDULED"]
AddOnCategory = Literal["STATIC_IP", "EXTRA_DATA", "CHANNEL_PACK"]
AddOnBilling = Literal["MONTHLY", "ONE_OFF"]
AddOnPayment = Literal["WALLET", "CARD"]
DunningState = Literal["RETRYING", "EXHAUSTED", "RECOVERED"]
AttemptOutcome = Literal["SUCCEEDED", "DECLINED", "REFUSED"]
CardBrand = Literal["visa", "mastercard", "amex", "discover", "diners", "jcb", "unionpay", "unknown"]

INVOICE_STATUSES: tuple[InvoiceStatus, ...] = get_args(InvoiceStatus)
INVOICE_MODES: tuple[InvoiceMode, ...] = get_args(InvoiceMode)
PAYMENT_METHOD_KINDS: tuple[PaymentMethodKind, ...] = get_args(PaymentMethodKind)
WALLET_ENTRY_KINDS: tuple[WalletEntryKind, ...] = get_args(WalletEntryKind)
CARD_BRANDS: tuple[CardBrand, ...] = get_args(CardBrand)


class Cycle(Struct, frozen=True, kw_only=True, gc=False):
    period_start: date
    period_end: date
    next_invoice_on: date


class BillingAccount(Struct, frozen=True, kw_only=True, gc=False):
    subscriber_id: str
    account_number: str
    name: str  # the account holder and the billing address, as invoices print them (copies of the CRM's)
    address: str
    currency: str
    invoice_mode: InvoiceMode
    billing_day: int
    grace_days: int
    autopay: bool
    default_payment_method_id: str | None = None
    gateway_customer_id: str | None = None
    cycle: Cycle
    outstanding: Money  # balances of OPEN and OVERDUE invoices
    overdue: Money
    next_due_on: date | None = None
    wallet_balance: Money
    # Every sub-service's monthly charge, summed; None from a Billing that does not say (then the BFF sums).
    monthly_charges: Money | None = None


class ChargeLine(Struct, frozen=True, kw_only=True, gc=False):
    description: str
    amount: Money


class SubServiceBilling(Struct, frozen=True, kw_only=True, gc=False):
    subservice_id: str
    subscriber_id: str
    description: str  # the plan name
    monthly_charge: Money  # plan + add-ons
    charge_lines: tuple[ChargeLine, ...]
    outstanding: Money  # its share of unpaid invoices
    cycle: Cycle | None = None  # None for prepaid
    next_invoice_on: date | None = None
    open_invoice_ids: tuple[str, ...]
    prepaid: bool
    expires_at: Moment | None = None
    # Lines the next invoice adds once: the proration of a plan change made since the last invoice.
    next_invoice_adjustments: tuple[ChargeLine, ...] = ()


class BilledSubService(Struct, frozen=True, kw_only=True, gc=False):
    """A sub-service billed to an account, as invoices print it: the CRM's id, kind, label, service address
    and activation day (Billing keeps its own copy of what it bills), and the plan billed."""

    subservice_id: str
    subscriber_id: str
    kind: SubServiceKind
    label: str
    location: str
    activated_on: date
    plan: str


class InvoiceLine(Struct, frozen=True, kw_only=True, gc=False):
    subservice_id: str | None = None
    description: str
    amount: Money


class Invoice(Struct, frozen=True, kw_only=True, gc=False):
    id: str
    number: str
    subscriber_id: str
    subservice_id: str | None = None  # None for a consolidated invoice
    status: InvoiceStatus
    issued_on: date
    due_on: date
    period_start: date
    period_end: date
    total: Money
    amount_paid: Money
    balance: Money
    lines: tuple[InvoiceLine, ...]
    subservice_ids: tuple[str, ...]


class WalletTransaction(Struct, frozen=True, kw_only=True, gc=False):
    id: str
    kind: WalletEntryKind
    amount: Money  # negative for INVOICE_PAYMENT and RENEWAL
    description: str
    reference: str | None = None
    invoice_id: str | None = None
    subservice_id: str | None = None
    created_at: Moment


class WalletPage(Struct, frozen=True, kw_only=True, gc=False):
    items: tuple[WalletTransaction, ...]
    next_cursor: str | None = None
    total_count: int
    balance: Money


class Payment(Struct, frozen=True, kw_only=True, gc=False):
    id: str
    external_ref: str
    invoice_id: str
    subscriber_id: str
    amount: Money
    applied: Money
    method: PaymentMethodKind
    recorded_at: Moment
    receipt_number: str = ""  # "" from a Billing that numbers no receipts
    # A card payment's brand and last four digits when Billing knows them: all a receipt may say of a card.
    card_brand: str | None = None
    card_last4: str | None = None


class PaymentRecord(Payment, frozen=True, kw_only=True, gc=False):
    """A payment as a list of them (and a receipt) shows it: with the number and sub-service of its invoice."""

    invoice_number: str
    invoice_subservice_id: str | None = None  # None: a consolidated invoice


StatementLineKind = Literal["CHARGE", "PAYMENT", "CREDIT"]


class StatementLine(Struct, frozen=True, kw_only=True, gc=False):
    date: date
    kind: StatementLineKind
    description: str
    reference: str
    amount: Money  # the signed effect on the balance: negative for payments and credits
    balance: Money  # the running balance after this line


class Statement(Struct, frozen=True, kw_only=True, gc=False):
    """The account's activity over a period. The balance is what is owed net of the wallet: positive is owed,
    negative is credit."""

    subscriber_id: str
    period_start: date
    period_end: date
    opening_balance: Money
    charges: Money
    payments: Money
    credits: Money
    closing_balance: Money
    lines: tuple[StatementLine, ...]


class PaymentResult(Struct, frozen=True, kw_only=True, gc=False):
    payment: Payment
    invoice: Invoice
    wallet_credit: Money | None = None  # what exceeded the balance, credited to the wallet
    duplicate: bool  # True when the external reference had been recorded before


class WalletCreditResult(Struct, frozen=True, kw_only=True, gc=False):
    entry: WalletTransaction
    wallet_balance: Money
    duplicate: bool


class WalletApplyResult(Struct, frozen=True, kw_only=True, gc=False):
    payment: Payment
    invoice: Invoice
    wallet_balance: Money
    duplicate: bool


class GiftCardResult(Struct, frozen=True, kw_only=True, gc=False):
    code: str
    value: Money
    entry: WalletTransaction
    wallet_balance: Money


class RenewalResult(Struct, frozen=True, kw_only=True, gc=False):
    subservice_id: str
    expires_at: Moment
    charged: Money
    entry: WalletTransaction
    wallet_balance: Money
    duplicate: bool


class Plan(Struct, frozen=True, kw_only=True, gc=False):
    id: str  # the catalogue's; "" for a plan billed that the catalogue does not list
    kind: SubServiceKind
    name: str
    monthly_price: Money
    down_mbps: int | None = None  # None for IPTV and VoIP
    up_mbps: int | None = None
    data_cap_gb: int | None = None  # None: unlimited


class AddOnOffer(Struct, frozen=True, kw_only=True, gc=False):
    id: str
    name: str
    category: AddOnCategory
    billing: AddOnBilling
    price: Money  # a month's (MONTHLY) or the one price (ONE_OFF)
    price_now: Money  # what buying it costs today: a MONTHLY one prorated to the period's end
    data_gb: int | None = None
    active: bool  # a MONTHLY add-on the sub-service already has


class PendingPlanChange(Struct, frozen=True, kw_only=True, gc=False):
    plan: Plan
    effective_on: date


class Offers(Struct, frozen=True, kw_only=True, gc=False):
    """What a sub-service may move to or buy, and the plan change scheduled for its next period."""

    subservice_id: str
    current_plan_id: str | None = None
    plans: tuple[Plan, ...]
    add_ons: tuple[AddOnOffer, ...]
    pending_change: PendingPlanChange | None = None


class PlanChangePreview(Struct, frozen=True, kw_only=True, gc=False):
    """Billing's proration of a plan change over the rest of the period already invoiced."""

    subservice_id: str
    current_plan: Plan
    new_plan: Plan
    direction: PlanChangeDirection
    effective_on: date
    period_start: date
    period_end: date
    days_remaining: int
    days_in_period: int
    credit: Money  # for the current plan's unused days (zero for a downgrade)
    charge: Money  # for the new plan's days to the period's end (zero for a downgrade)
    net: Money
    next_monthly_charge: Money
    replaces_scheduled: bool


class PlanChangeResult(PlanChangePreview, frozen=True, kw_only=True, gc=False):
    change_id: str
    status: PlanChangeStatus


class AddOnPurchase(Struct, frozen=True, kw_only=True, gc=False):
    id: str
    subservice_id: str
    subscriber_id: str
    add_on_id: str
    name: str
    billing: AddOnBilling
    charged: Money
    paid_by: AddOnPayment
    data_gb: int | None = None
    created_at: Moment
    wallet_balance: Money
    duplicate: bool


class PaymentMethod(Struct, frozen=True, kw_only=True, gc=False):
    id: str
    brand: CardBrand
    last4: str
    exp_month: int
    exp_year: int
    is_default: bool
    created_at: Moment


class AttemptCard(Struct, frozen=True, kw_only=True, gc=False):
    brand: str  # the gateway's brand name; no number, only the last four digits
    last4: str


class PaymentAttempt(Struct, frozen=True, kw_only=True, gc=False):
    """One off-session (autopay) charge of an invoice: 0 the first, k the k-th retry of the schedule."""

    at: Moment
    retry: int
    outcome: AttemptOutcome
    decline_code: str | None = None  # the gateway's (Stripe's) decline code
    card: AttemptCard | None = None


class Dunning(Struct, frozen=True, kw_only=True, gc=False):
    """An autopay invoice after a failed charge: retried on fixed days after the first decline (`retries`
    of them); suspension for non-payment waits for the last one to fail and for the grace days."""

    invoice_id: str
    subscriber_id: str
    state: DunningState
    retries: int
    attempts: tuple[PaymentAttempt, ...]
    next_retry_on: date | None = None
    suspends_on: date | None = None
    invoice: Invoice  # as `invoices` reads it: a page listing declined invoices needs nothing else


class InstallmentPlan(Struct, frozen=True, kw_only=True, gc=False):
    id: str
    subservice_id: str
    description: str
    total: Money
    paid_amount: Money
    remaining: Money
    installments_total: int
    installments_paid: int
    amount_each: Money
    next_due_on: date | None = None
    progress: Decimal  # 0..1

    def __post_init__(self) -> None:
        if not self.progress.is_finite():
            raise ValueError("expected a finite decimal progress")


class BillingPort(Protocol):
    # ---- reads (batch-first; unknown ids are absent from the result) ----
    async def accounts(self, subscriber_ids: Sequence[str]) -> dict[str, BillingAccount]: ...

    async def subservice_billing(self, subservice_ids: Sequence[str]) -> dict[str, SubServiceBilling]: ...

    async def subservice_billing_of(self, window: SubscriberWindow) -> Covered[SubServiceBilling]:
        """Subscriber-keyed (`adapters.ports.window`)."""
        ...

    async def subservices_of_account(self, subscriber_id: str) -> list[BilledSubService]:
        """Every sub-service billed to the account, in the CRM's order; NotFound for an unknown account. The
        second source of a subscriber's list of services, for when the CRM cannot answer."""
        ...

    async def billed_subservices(self, subservice_ids: Sequence[str]) -> dict[str, BilledSubService]: ...

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

    async def dunning(self, invoice_ids: Sequence[str]) -> dict[str, Dunning]:
        """The dunning of each invoice whose autopay charge ever failed (others absent)."""
        ...

    async def dunning_for_subscribers(self, subscriber_ids: Sequence[str]) -> dict[str, list[Dunning]]:
        """Per subscriber, its unpaid invoices in dunning or whose dunning ended unpaid, oldest first."""
        ...

    async def invoice_pdf(self, invoice_id: str, locale: str | None = None) -> bytes:
        """The invoice as a PDF, printed in `locale` (en, es, pt; English otherwise)."""
        ...

    async def statement_pdf(
        self,
        subscriber_id: str,
        subservice_ids: Sequence[str] | None = None,
        start: date | None = None,
        end: date | None = None,
        locale: str | None = None,
    ) -> bytes:
        """The statement PDF, printed in `locale` (en, es, pt; English otherwise); its activity covers
        [start, end] (Billing's default period when None)."""
        ...

    async def statement(
        self,
        subscriber_id: str,
        start: date | None = None,
        end: date | None = None,
        subservice_ids: Sequence[str] | None = None,
    ) -> Statement:
        """The activity over [start, end] (None: Billing's default, the last 90 days to its today; at most 366 days:
        Rejected PERIOD_INVALID otherwise); restricted to
        `subservice_ids`, their lines and share of payments without the wallet. NotFound: unknown account."""
        ...

    async def payments_of(
        self, subscriber_id: str, start: date | None = None, end: date | None = None
    ) -> list[PaymentRecord]:
        """Payments recorded within [start, end] (defaults and bounds as `statement`'s), newest first. NotFound: unknown account."""
        ...

    async def payments_for_invoices(self, invoice_ids: Sequence[str]) -> dict[str, list[PaymentRecord]]:
        """Payments per invoice, oldest first (every requested id is a key)."""
        ...

    async def receipt_pdf(self, payment_id: str) -> bytes:
        """A payment's receipt; NotFound for an unknown payment."""
        ...

    async def wallet_balances(self, subscriber_ids: Sequence[str]) -> dict[str, Money]: ...

    async def wallet_transactions(
        self, subscriber_id: str, *, limit: int = 20, before: str | None = None
    ) -> WalletPage: ...

    async def installments(self, subservice_ids: Sequence[str]) -> dict[str, list[InstallmentPlan]]:
        """Plans per sub-service (every requested id is a key)."""
        ...

    async def payment_methods(self, subscriber_id: str) -> list[PaymentMethod]: ...

    async def offers(self, subservice_ids: Sequence[str]) -> dict[str, Offers]:
        """Plans, add-ons and the scheduled plan change per sub-service (unknown ids absent)."""
        ...

    async def preview_plan_change(self, subservice_id: str, plan_id: str) -> PlanChangePreview:
        """What the change would cost, changing nothing. Rejected UNKNOWN_PLAN, SAME_PLAN or PREPAID;
        NotFound for an unknown sub-service."""
        ...

    # ---- writes (idempotent where a retry could double-charge) ----
    async def record_payment(
        self,
        *,
        external_ref: str,
        invoice_id: str,
        amount: Money,
        method: str,
        idempotency_key: str | None = None,
    ) -> PaymentResult:
        """Record a payment once per `external_ref`; with an `idempotency_key`, a repeat of the key
        answers exactly what the first call answered."""
        ...

    async def credit_wallet(
        self,
        *,
        subscriber_id: str,
        amount: Money,
        external_ref: str,
        description: str | None = None,
        idempotency_key: str | None = None,
    ) -> WalletCreditResult:
        """Credit a top-up paid at the gateway, once per external reference (and per `idempotency_key`)."""
        ...

    async def apply_wallet(
        self, *, subscriber_id: str, invoice_id: str, idempotency_key: str, amount: Money | None = None
    ) -> WalletApplyResult: ...

    async def redeem_gift_card(self, *, subscriber_id: str, code: str) -> GiftCardResult: ...

    async def renew_subservice(self, subservice_id: str, *, idempotency_key: str) -> RenewalResult: ...

    async def change_plan(
        self, subservice_id: str, plan_id: str, *, idempotency_key: str
    ) -> PlanChangeResult:
        """An upgrade APPLIED at once (its proration goes on the next invoice; provisioning AAA is the
        caller's), a downgrade SCHEDULED for the next period. Refusals as `preview_plan_change`'s."""
        ...

    async def buy_add_on(
        self,
        subservice_id: str,
        add_on_id: str,
        *,
        paid_by: AddOnPayment,
        idempotency_key: str,
        external_ref: str | None = None,
        amount: Money | None = None,
    ) -> AddOnPurchase:
        """WALLET: charge the wallet `price_now` (Rejected INSUFFICIENT_BALANCE). CARD: record the gateway
        payment `external_ref` of `amount`, once per reference. Rejected UNKNOWN_ADD_ON, ALREADY_ACTIVE."""
        ...

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
