"""Partial answers, in process: with one backend down, the web's dashboard operations answer everything the
other backends feed; only the fields the failed backend feeds are null, each with BACKEND_UNAVAILABLE at its
own path (`tests.schema.partial.compare` checks the whole answer against the one given with every backend
up). A failed backend is asked once per kind of data, not once per field.

Over real loopback servers with refused, hung and dropped connections: `test_partial_loopback.py`.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.harness.portal import MakePortal, SignIn, portal_settings
from tests.harness.web_operations import web_operation
from tests.schema.partial import (
    DASHBOARD_OPERATIONS,
    ENTERPRISE,
    RESIDENTIAL,
    SITE,
    compare,
    field_names,
    lost,
)
from tests.schema.queries import DASHBOARD


async def _answers(portal: Any, operations: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {name: await portal.execute(web_operation(name), vars) for name, vars in operations.items()}


@pytest.mark.parametrize("backend", ["aaa", "oss", "billing", "crm"])
@pytest.mark.parametrize("email", [RESIDENTIAL, ENTERPRISE, SITE])
async def test_the_dashboard_loses_only_what_the_failed_backend_feeds(
    sign_in: SignIn, backend: str, email: str
) -> None:
    portal = await sign_in(email)
    full = await _answers(portal, DASHBOARD_OPERATIONS)
    assert portal.transport is not None
    portal.transport.down.add(f"{backend}.test")

    partial = await _answers(portal, DASHBOARD_OPERATIONS)

    failed = set().union(*(compare(full[op], partial[op], backend) for op in DASHBOARD_OPERATIONS))
    assert field_names(failed) == lost(backend, email)
    viewer = partial["Viewer"]["data"]["viewer"]
    assert viewer["user"]["email"] == email and viewer["subscriber"]["id"]  # never the whole viewer
    services = partial["DashboardPage"]["data"]["viewer"]["subscriber"]["subServices"]
    assert services["nodes"] and all(s["label"] for s in services["nodes"])  # the CRM down too (Billing's)


@pytest.mark.parametrize("backend", ["aaa", "oss", "billing", "crm"])
async def test_every_field_of_the_full_dashboard_fails_alone(sign_in: SignIn, backend: str) -> None:
    portal = await sign_in(ENTERPRISE)
    full = await portal.execute(DASHBOARD)
    assert portal.transport is not None
    portal.transport.down.add(f"{backend}.test")
    before = dict(portal.transport.calls)

    partial = await portal.execute(DASHBOARD)

    failed = compare(full, partial, backend)
    assert failed
    me = partial["data"]["viewer"]["subscriber"]
    if backend == "billing":
        assert me["financialSummary"] is None and me["invoices"] is None and me["wallet"] is None
        assert me["tickets"]["nodes"] and me["subServices"]["edges"]
    if backend == "crm":
        # Only what the CRM alone has: the subscriber's details, tickets and notifications.
        assert field_names(failed) <= {
            "name",
            "kind",
            "email",
            "phone",
            "address",
            "tickets",
            "notifications",
        }
        # The sub-services are Billing's list (the same), and so everything else about them resolves: the
        # breakdown, each invoice's sub-service, their status and usage.
        assert me["invoices"]["nodes"] and me["wallet"]["balance"] and me["subServices"]["edges"]
        assert me["financialSummary"]["breakdown"] and me["financialSummary"]["monthlyCharges"]
        was = full["data"]["viewer"]["subscriber"]["invoices"]["nodes"]
        assert [i["subService"] for i in me["invoices"]["nodes"]] == [i["subService"] for i in was]
    # The other backends were asked as usual (a down host counts no call).
    made = {host: n - before[host] for host, n in portal.transport.calls.items()}
    assert made[f"{backend}.test"] == 0
    others = {"billing", "crm", "aaa", "oss"} - {backend}
    assert all(made[f"{host}.test"] > 0 for host in others), made


async def test_a_failed_backend_is_asked_once_per_kind_of_data(
    make_portal: MakePortal, tmp_path: Path
) -> None:
    """The per-request loader cache keeps a failure: fields that need the same failed read share it
    instead of each asking the dead backend again (and each waiting for its deadline). Without read retries
    and with a breaker that does not open, every call that is made reaches the transport: the counts are
    the loaders' alone."""
    settings = portal_settings(tmp_path, AAA_RETRIES="0", AAA_BREAKER_FAILURES="1000")
    portal = await (await make_portal(settings)).another().sign_in(ENTERPRISE)
    assert portal.transport is not None
    asked: list[str] = []
    transport = portal.transport
    original = transport.handle_async_request

    async def record(request: Any) -> Any:
        if request.url.host == "aaa.test":
            asked.append(request.url.path)
        return await original(request)

    transport.handle_async_request = record  # type: ignore[method-assign]
    transport.down.add("aaa.test")
    query = """{ viewer { subscriber {
        a: subServices(first: 3) { nodes { status statusReason profile { planName } liveSession { online } } }
        b: subServices(first: 5) { nodes { status statusSince } }
        financialSummary { breakdown { subService { status } } }
    } } }"""
    payload = await portal.execute(query)
    assert payload["data"]["viewer"]["subscriber"]["a"]["nodes"]
    assert len(payload["errors"]) > 10
    # statuses, profiles, sessions: one call each, however many fields and sub-services need them (read by
    # subscriber: both pages are part of the summary's whole list, whose read they share).
    assert Counter(asked) == {
        "/v1/status:by-subscriber": 1,
        "/v1/profiles:by-subscriber": 1,
        "/v1/sessions:by-subscriber": 1,
    }, asked


# The web's other read-only pages (their own operations, with the variables the pages send): whatever is
# down, each answers everything else, its failed fields null with a coded error at their paths.
SERVICE_ID = "U3ViU2VydmljZTpTUy0yMDAxLTE"  # gid("SubService", "SS-2001-1"), Northwind's head office
PAGE_OPERATIONS: dict[str, dict[str, Any]] = {
    "SubServiceDetail": {"id": SERVICE_ID, "from": "2026-10-27", "to": "2026-11-25"},
    "Overview": {},
    "Invoices": {"first": 20, "after": None, "status": None},
    "BillingCycles": {},
    "Installments": {"first": 100, "after": None},
    "WalletHistory": {"first": 20, "after": None},
    "PaymentMethods": {},
    "Notifications": {},
    "DeclinedInvoices": {},
    "Receipts": {},
}


@pytest.mark.parametrize("backend", ["aaa", "oss", "billing", "crm"])
async def test_every_page_of_the_web_fails_alone(sign_in: SignIn, backend: str) -> None:
    portal = await sign_in(ENTERPRISE)
    full = await _answers(portal, PAGE_OPERATIONS)
    assert portal.transport is not None
    portal.transport.down.add(f"{backend}.test")

    partial = await _answers(portal, PAGE_OPERATIONS)

    failed = {op: compare(full[op], partial[op], backend) for op in PAGE_OPERATIONS}
    assert any(failed.values()), backend
    if backend == "billing":
        assert partial["DeclinedInvoices"]["data"]["viewer"]["subscriber"]["declinedInvoices"] is None
    if backend != "crm":
        # The service page is the CRM's sub-service with everything else's fields around it.
        assert partial["SubServiceDetail"]["data"]["node"]["label"]
    if backend in ("aaa", "oss"):
        # Billing's pages do not depend on them.
        for op in ("Invoices", "WalletHistory", "PaymentMethods", "DeclinedInvoices", "Receipts"):
            assert failed[op] == set(), op


async def test_with_the_crm_and_billing_down_the_list_fails_as_the_crms(sign_in: SignIn) -> None:
    """Billing is the list's second source only: with both down, `subServices` is null and the error names
    the CRM, whose list it is."""
    portal = await sign_in(ENTERPRISE)
    assert portal.transport is not None
    portal.transport.down.update({"crm.test", "billing.test"})
    payload = await portal.execute("{ viewer { subscriber { subServices(first: 5) { totalCount } } } }")
    assert payload["data"]["viewer"]["subscriber"]["subServices"] is None
    [error] = payload["errors"]
    assert error["path"] == ["viewer", "subscriber", "subServices"]
    assert error["extensions"] == {"code": "BACKEND_UNAVAILABLE", "backend": "crm"}


async def test_with_the_crm_down_the_list_pages_and_filters_as_usual(sign_in: SignIn) -> None:
    """Billing's list is paged and filtered in memory like the CRM's: the same pages, cursors and counts."""
    portal = await sign_in(ENTERPRISE)
    assert portal.transport is not None
    query = """query ($after: String, $kind: ServiceKind) { viewer { subscriber {
        subServices(first: 3, after: $after, kind: $kind) {
            totalCount pageInfo { hasNextPage endCursor } nodes { id label kind }
        } } } }"""

    async def pages(kind: str | None) -> list[dict[str, Any]]:
        out, after = [], None
        while True:
            answer = await portal.execute(query, {"after": after, "kind": kind})
            assert "errors" not in answer, answer["errors"]
            page = answer["data"]["viewer"]["subscriber"]["subServices"]
            out.append(page)
            if not page["pageInfo"]["hasNextPage"]:
                return out
            after = page["pageInfo"]["endCursor"]

    full = {kind: await pages(kind) for kind in (None, "INTERNET")}
    portal.transport.down.add("crm.test")
    assert {kind: await pages(kind) for kind in (None, "INTERNET")} == full
    assert len(full[None]) > 1 and full[None][0]["totalCount"] > full["INTERNET"][0]["totalCount"] > 0
