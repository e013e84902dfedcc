"""The sandbox's seed world: who the subscribers are, what they buy and who logs in.

One deterministic description that every system seeds its own part from (CRM the subscribers, sub-services
and users; Billing the accounts, invoices and wallets; AAA the statuses and profiles; OSS the devices and
usage). Dates are relative to `today`, so a seeded portal always shows "due in 5 days".
"""

from __future__ import annotations

from sandbox.world.bench import BENCH_SUBSCRIBER_ID, BENCH_USER_EMAIL, with_bench_subscriber
from sandbox.world.demo import demo_world
from sandbox.world.model import (
    DEMO_PASSWORD,
    AddOnSeed,
    InstallmentSeed,
    Plan,
    PortalUserSeed,
    SubscriberSeed,
    SubServiceSeed,
    TicketSeed,
    WalletEntrySeed,
    World,
)

__all__ = [
    "BENCH_SUBSCRIBER_ID",
    "BENCH_USER_EMAIL",
    "DEMO_PASSWORD",
    "AddOnSeed",
    "InstallmentSeed",
    "Plan",
    "PortalUserSeed",
    "SubServiceSeed",
    "SubscriberSeed",
    "TicketSeed",
    "WalletEntrySeed",
    "World",
    "demo_world",
    "with_bench_subscriber",
]
