"""Backend rounds per page: the token names the subscriber, so the dashboard's reads keyed by the subscriber
all start at once, in the same round as the CRM's list (`schema.service.prefetch`, subscriber-keyed reads).

Rounds are counted by the test transport (`DispatchTransport.rounds`): it holds every backend request until
no other one joins it, so a read that needs another's answer lands in a later round.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.app import Sandbox
from sandbox.world import BENCH_USER_EMAIL
from tests.harness.portal import MakePortal, Portal
from tests.harness.web_operations import web_operation
from tests.schema.helpers import codes, nodes, subscriber

PAGE = web_operation("DashboardPage")  # the web's dashboard: the account's figures, incidents, services
SITE_USER = "airport@northwind.example"  # SITE, assigned SS-2001-5 and SS-2001-6
FIRST = 24  # what the web asks for a multi-site subscriber
WINDOW_READS = ("status", "profiles", "sessions", "devices", "subservice-billing", "incidents")


def _by_window(call: str) -> bool:
    """A subscriber-keyed read of a window of sub-services (not Billing's older invoices by subscriber)."""
    return any(f"/v1/{read}:by-subscriber" in call for read in WINDOW_READS)


async def _bench_owner(make_portal: MakePortal, sandbox: Sandbox) -> Portal:
    return await (await make_portal(sandbox=sandbox)).sign_in(BENCH_USER_EMAIL)


async def _page(portal: Portal, **variables: Any) -> tuple[list[list[str]], dict[str, Any]]:
    """The rounds and the `subServices` connection of one DashboardServices request."""
    assert portal.transport is not None
    async with portal.transport.rounds() as rounds:
        payload = await portal.execute(PAGE, _variables(**variables))
    assert "errors" not in payload, payload["errors"]
    return rounds, subscriber(payload["data"])["subServices"]


def _variables(**given: Any) -> dict[str, Any]:
    return {"first": FIRST, "after": None, "kind": None, "status": None, **given}


def _ids(connection: dict[str, Any]) -> list[str]:
    return [n["label"].removeprefix("Internet – Site ") for n in nodes(connection)]


async def test_the_dashboard_costs_one_round_for_an_owner(
    make_portal: MakePortal, bench_sandbox: Callable[[int], Sandbox]
) -> None:
    portal = await _bench_owner(make_portal, bench_sandbox(50))
    assert portal.transport is not None
    async with portal.transport.rounds() as rounds:
        services = summary = await portal.execute(PAGE, _variables())  # the page's one operation
    assert "errors" not in services
    assert len(rounds) == 1, rounds
    called = set(rounds[0])
    assert {
        "aaa.test POST /v1/status:by-subscriber",
        "oss.test POST /v1/devices:by-subscriber",
        "oss.test POST /v1/incidents:by-subscriber",
        "billing.test POST /v1/subservice-billing:by-subscriber",
        "billing.test POST /v1/dunning:by-subscriber",  # the declined-autopay notice
    } <= called
    assert not any(":batch" in c and ("aaa" in c or "oss" in c) for c in called), called

    page = subscriber(services["data"])["subServices"]
    assert page["totalCount"] == 50
    assert _ids(page) == [str(i) for i in range(1, FIRST + 1)]
    for card in nodes(page):
        assert card["status"] == "ACTIVE" and card["profile"]["downMbps"] == 100
        assert card["liveSession"]["online"] is True and len(card["devices"]) == 1
        assert card["billing"]["outstanding"]["currency"] == "USD"
    strip = subscriber(summary["data"])["financialSummary"]
    # The monthly charges of all 50 sub-services: Billing's account sums them, read in the same round.
    assert strip["monthlyCharges"]["amount"] == "1499.50"  # 50 × 29.99


async def test_every_page_takes_one_round_and_shows_what_reads_by_id_show(
    make_portal: MakePortal, bench_sandbox: Callable[[int], Sandbox]
) -> None:
    portal = await _bench_owner(make_portal, bench_sandbox(50))
    first_rounds, first = await _page(portal)
    rounds, second = await _page(portal, after=first["pageInfo"]["endCursor"])
    assert len(first_rounds) == len(rounds) == 1, rounds
    assert _ids(second) == [str(i) for i in range(FIRST + 1, 2 * FIRST + 1)]
    # A kind filter takes the path by sub-service id (the page is known only after the list: two rounds);
    # every bench sub-service is Internet, so it is the same page, and it must show the same.
    by_id_rounds, by_id = await _page(portal, after=first["pageInfo"]["endCursor"], kind="INTERNET")
    assert len(by_id_rounds) == 2, by_id_rounds
    assert not any(_by_window(c) for c in by_id_rounds[1])
    assert nodes(by_id) == nodes(second)


async def test_a_sub_service_one_system_does_not_know_shifts_its_window_and_is_read_by_id(
    make_portal: MakePortal, bench_sandbox: Callable[[int], Sandbox]
) -> None:
    sandbox = bench_sandbox(50)
    # AAA does not know SS-9001-3 (yet): its windows are shifted by one against the CRM's pages.
    sandbox.aaa.db.execute("DELETE FROM aaa_status_history WHERE subservice_id = 'SS-9001-3'")
    sandbox.aaa.db.execute("DELETE FROM aaa_subservice WHERE id = 'SS-9001-3'")
    portal = await _bench_owner(make_portal, sandbox)
    first = await portal.execute(PAGE, _variables())
    # As with reads by id: only the unknown one's AAA fields fail.
    failed = {tuple(e["path"][-2:]) for e in first["errors"]}
    assert {path[1] for path in failed} <= {"status", "statusReason", "statusSince", "profile", "liveSession"}
    page = subscriber(first["data"])["subServices"]
    assert {nodes(page)[p[0]]["label"] for p in failed} == {"Internet – Site 3"}
    # The next page: AAA's window starts one further than the CRM's page, so SS-9001-25 is read by id,
    # in a second round, and every card is right.
    rounds, second = await _page(portal, after=page["pageInfo"]["endCursor"])
    assert len(rounds) == 2 and rounds[1] == [
        "aaa.test POST /v1/profiles:batch",
        "aaa.test POST /v1/sessions:batch",
        "aaa.test POST /v1/status:batch",
    ], rounds
    assert _ids(second) == [str(i) for i in range(FIRST + 1, 2 * FIRST + 1)]
    assert all(c["status"] == "ACTIVE" and c["profile"] and c["liveSession"] for c in nodes(second))


async def test_a_site_user_reads_by_sub_service_id_and_sees_only_their_sites(
    make_portal: MakePortal, sandbox: Sandbox
) -> None:
    portal = await (await make_portal(sandbox=sandbox)).sign_in(SITE_USER)
    assert portal.transport is not None
    async with portal.transport.rounds() as rounds:
        services = summary = await portal.execute(PAGE, _variables())
    assert codes(services) == []
    # Their list is the CRM's filtered by their sites: the page's ids first, then their data by id.
    assert len(rounds) == 2, rounds
    assert not any(_by_window(c) for r in rounds for c in r), rounds
    page = subscriber(services["data"])["subServices"]
    assert [n["id"] for n in nodes(page)] == [
        n["id"] for n in nodes(page) if n["label"].endswith("Airport Branch")
    ]
    assert page["totalCount"] == 2 and all(n["status"] and n["billing"] for n in nodes(page))
    assert subscriber(summary["data"])["financialSummary"]["walletBalance"] is None
