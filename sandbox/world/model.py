"""What a seed world is made of: subscribers and what they buy, who logs in, their tickets, and the day it is
seeded for. Every system seeds its own part from one `World`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

DEMO_PASSWORD = "wispgate-demo"  # every seeded portal user's password


@dataclass(frozen=True)
class Plan:
    name: str
    down_mbps: int | None
    up_mbps: int | None
    monthly_price: Decimal


@dataclass(frozen=True)
class AddOnSeed:
    name: str
    monthly_price: Decimal


@dataclass(frozen=True)
class SubServiceSeed:
    id: str
    subscriber_id: str
    kind: str  # INTERNET | IPTV | VOIP
    label: str  # in the subscriber's words: "Internet – Apt 101"
    location: str
    plan: Plan
    status: str = "ACTIVE"  # ACTIVE | SUSPENDED | RESTRICTED
    status_reason: str | None = None  # NON_PAYMENT | ADMINISTRATIVE | FRAUD | USAGE_CAP
    prepaid_expires_in_days: int | None = None  # prepaid services expire instead of being invoiced
    add_ons: tuple[AddOnSeed, ...] = ()
    device_models: tuple[str, ...] = ()


@dataclass(frozen=True)
class InstallmentSeed:
    subservice_id: str
    description: str
    total: Decimal
    installments: int
    paid: int


@dataclass(frozen=True)
class WalletEntrySeed:
    kind: str  # TOPUP | PROMO | GIFT_CARD | COMPENSATION | OVERPAYMENT
    amount: Decimal
    description: str
    days_ago: int


@dataclass(frozen=True)
class SubscriberSeed:
    id: str
    account_number: str
    name: str
    kind: str  # RESIDENTIAL | ENTERPRISE | MDU
    email: str
    phone: str
    address: str
    invoice_mode: str  # CONSOLIDATED (one invoice, a line per sub-service) | PER_SUBSERVICE
    billing_day: int = 1
    paid_months: int = 3  # past invoices, all PAID
    open_due_in_days: int | None = None  # the current invoice is OPEN and due in N days
    overdue_by_days: int | None = None  # the current invoice is OVERDUE by N days (and unpaid)
    wallet: tuple[WalletEntrySeed, ...] = ()
    installments: tuple[InstallmentSeed, ...] = ()


@dataclass(frozen=True)
class PortalUserSeed:
    id: str
    email: str
    name: str
    role: str  # OWNER | MANAGER | SITE | FINANCE | VIEWER
    subscriber_id: str
    site_subservice_ids: tuple[str, ...] = ()  # SITE users only
    password: str = DEMO_PASSWORD


@dataclass(frozen=True)
class TicketSeed:
    id: str
    subscriber_id: str
    subservice_id: str | None
    category: str  # CONNECTIVITY | BILLING | DEVICE | INSTALLATION | OTHER
    priority: str  # LOW | NORMAL | HIGH | URGENT
    subject: str
    status: str  # OPEN | IN_PROGRESS | WAITING_ON_CUSTOMER | RESOLVED | CLOSED
    opened_days_ago: int
    messages: tuple[tuple[str, str], ...]  # (author: CUSTOMER | SUPPORT, body)


@dataclass(frozen=True)
class World:
    today: date
    subscribers: tuple[SubscriberSeed, ...]
    subservices: tuple[SubServiceSeed, ...]
    users: tuple[PortalUserSeed, ...]
    tickets: tuple[TicketSeed, ...] = field(default=())

    def subservices_of(self, subscriber_id: str) -> list[SubServiceSeed]:
        return [s for s in self.subservices if s.subscriber_id == subscriber_id]
