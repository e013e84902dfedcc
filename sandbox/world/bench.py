"""A world made bigger for benchmarks: one enterprise with up to 1,000 Internet sub-services."""

from __future__ import annotations

from sandbox.world.demo import FIBER_100
from sandbox.world.model import PortalUserSeed, SubscriberSeed, SubServiceSeed, World

BENCH_SUBSCRIBER_ID = "SUB-9001"
BENCH_USER_EMAIL = "bench@bench.example"


def with_bench_subscriber(world: World, n: int) -> World:
    """Add an enterprise with `n` Internet sub-services (1..1,000), for benchmarks."""
    if not 1 <= n <= 1000:
        raise ValueError("n must be between 1 and 1000")
    sub = SubscriberSeed(
        id=BENCH_SUBSCRIBER_ID,
        account_number="WG-900901",
        name="Bench Holdings",
        kind="ENTERPRISE",
        email="it@bench.example",
        phone="+1 555 0900",
        address="9 Bench Road",
        invoice_mode="PER_SUBSERVICE",
        paid_months=1,
        open_due_in_days=10,
    )
    services = tuple(
        SubServiceSeed(
            f"SS-9001-{i}",
            sub.id,
            "INTERNET",
            f"Internet – Site {i}",
            f"Site {i}",
            FIBER_100,
            device_models=("ONT HG8245",),
        )
        for i in range(1, n + 1)
    )
    user = PortalUserSeed("USR-90", BENCH_USER_EMAIL, "Bench Owner", "OWNER", sub.id)
    return World(
        world.today,
        (*world.subscribers, sub),
        (*world.subservices, *services),
        (*world.users, user),
        world.tickets,
    )
