"""The number of backend calls a query makes does not grow with the number of sub-services.

The bench subscriber has N Internet sub-services; the dashboard query (every sub-service field, invoices,
summary with breakdown, wallet, tickets, notifications) must cost the same number of HTTP calls to the
backends for N = 1, 10, 100 and 500: every per-sub-service read is one batch for the whole page.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from sandbox.app import Sandbox
from sandbox.world import BENCH_USER_EMAIL
from tests.harness.portal import MakePortal, Portal
from tests.harness.web_operations import web_operation
from tests.schema.helpers import nodes, subscriber
from tests.schema.queries import DASHBOARD, SUBSERVICE_FIELDS


async def _dashboard_calls(make_portal: MakePortal, sandbox: Sandbox, expected: int) -> dict[str, int]:
    portal: Portal = await (await make_portal(sandbox=sandbox)).sign_in(BENCH_USER_EMAIL)
    before = dict(portal.transport.calls)
    data = await portal.data(DASHBOARD)
    me = subscriber(data)
    assert me["subServices"]["totalCount"] == expected
    assert len(nodes(me["subServices"])) == min(expected, 50)
    assert len(me["financialSummary"]["breakdown"]) == expected
    assert all(s["status"] == "ACTIVE" and len(s["devices"]) == 1 for s in nodes(me["subServices"]))
    made = {host: n - before.get(host, 0) for host, n in portal.transport.calls.items()}
    return {host: n for host, n in made.items() if n}


async def test_dashboard_calls_do_not_grow_with_subservices(
    make_portal: MakePortal, bench_sandbox: Callable[[int], Sandbox]
) -> None:
    counts = {n: await _dashboard_calls(make_portal, bench_sandbox(n), n) for n in (1, 10, 100, 500)}
    assert counts[1] == counts[10] == counts[100] == counts[500], counts
    # One read per kind of data: CRM the subscriber, sub-service list, tickets, notifications (the viewer
    # comes from the token: no read); Billing the account, per-sub-service billing, installments, invoices,
    # wallet ledger; AAA status, profile, session; OSS devices, add-ons, usage. Open invoices come from the
    # invoice list.
    assert counts[1] == {"crm.test": 4, "billing.test": 5, "aaa.test": 3, "oss.test": 3}


async def test_a_full_page_of_subservices_loads_each_kind_of_data_once(
    make_portal: MakePortal, bench_sandbox: Callable[[int], Sandbox]
) -> None:
    portal: Portal = await (await make_portal(sandbox=bench_sandbox(100))).sign_in(BENCH_USER_EMAIL)
    before = sum(portal.transport.calls.values())
    query = (
        f"{{ viewer {{ subscriber {{ subServices(first: 100) {{ nodes {{ {SUBSERVICE_FIELDS} }} }} }} }} }}"
    )
    data = await portal.data(query)
    assert len(nodes(subscriber(data)["subServices"])) == 100
    # subscriber, list, status, profile, session, devices, add-ons, usage, billing, account, installments,
    # open invoices (the viewer comes from the token).
    assert sum(portal.transport.calls.values()) - before == 12


async def test_fields_outside_a_prefetched_page_still_batch(
    make_portal: MakePortal, bench_sandbox: Callable[[int], Sandbox]
) -> None:
    """Sub-services reached through invoices resolve through the loaders: one batch per kind of data."""
    portal: Portal = await (await make_portal(sandbox=bench_sandbox(100))).sign_in(BENCH_USER_EMAIL)
    before = sum(portal.transport.calls.values())
    data = await portal.data(
        "{ viewer { subscriber { invoices(first: 100) { nodes { lines { subService { status profile { planName } } } } } } } }"
    )
    invoices = nodes(subscriber(data)["invoices"])
    assert len(invoices) == 100
    # subscriber, invoices, the subscriber's sub-service list, status, profile (the viewer: the token).
    assert sum(portal.transport.calls.values()) - before == 5


async def test_the_account_totals_come_from_billing_alone(
    make_portal: MakePortal, bench_sandbox: Callable[[int], Sandbox]
) -> None:
    """The web's financial strip (no breakdown) for a whole-account role: Billing's account carries the monthly
    total, so neither the list of 100 sub-services nor their charges are read to sum it."""
    portal: Portal = await (await make_portal(sandbox=bench_sandbox(100))).sign_in(BENCH_USER_EMAIL)
    seen = len(portal.transport.paths)
    strip = subscriber(await portal.data(web_operation("DashboardSummary")))["financialSummary"]
    made = portal.transport.paths[seen:]
    assert not [p for p in made if "subservice" in p.lower()], made
    assert len(made) == 2, made  # the subscriber (CRM) and the account (Billing)

    # The same total as the one summed over the breakdown's sub-services.
    full = subscriber(
        await portal.data(
            "{ viewer { subscriber { financialSummary { monthlyCharges { amount currency }"
            " breakdown { monthlyCharge { amount } } } } } }"
        )
    )["financialSummary"]
    assert len(full["breakdown"]) == 100
    summed = sum(Decimal(row["monthlyCharge"]["amount"]) for row in full["breakdown"])
    assert Decimal(strip["monthlyCharges"]["amount"]) == summed == Decimal(full["monthlyCharges"]["amount"])
    assert strip["monthlyCharges"]["currency"] == full["monthlyCharges"]["currency"]


async def test_the_offers_of_a_page_of_subservices_are_one_billing_call(
    make_portal: MakePortal, bench_sandbox: Callable[[int], Sandbox]
) -> None:
    query = (
        "{ viewer { subscriber { subServices(first: 100) { nodes {"
        " availablePlans { code current } availableAddOns { code priceNow { amount } } pendingPlanChange { effectiveOn }"
        " } } } } }"
    )
    counts = {}
    for n in (1, 100):
        portal: Portal = await (await make_portal(sandbox=bench_sandbox(n))).sign_in(BENCH_USER_EMAIL)
        before = dict(portal.transport.calls)
        data = await portal.data(query)
        found = nodes(subscriber(data)["subServices"])
        assert len(found) == n and all(any(p["current"] for p in s["availablePlans"]) for s in found)
        made = {host: c - before.get(host, 0) for host, c in portal.transport.calls.items()}
        counts[n] = {host: c for host, c in made.items() if c}
    # The CRM's subscriber and sub-service list; Billing's offers for the whole page, once.
    assert counts[1] == counts[100] == {"crm.test": 2, "billing.test": 1}, counts
