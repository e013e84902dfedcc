"""The dashboard as seeded subscribers see it, through the real BFF over the real sandbox."""

from __future__ import annotations

import io
from decimal import Decimal

from pypdf import PdfReader

from tests.harness.portal import MakePortal, SignIn
from tests.schema.helpers import codes, gid, nodes, subscriber
from tests.schema.queries import DASHBOARD


async def test_residential_ana_sees_her_services_invoices_and_wallet(sign_in: SignIn) -> None:
    portal = await sign_in("ana@lima.example")
    me = subscriber(await portal.data(DASHBOARD))

    assert me["name"] == "Ana Lima"
    assert me["kind"] == "RESIDENTIAL"
    assert me["accountNumber"] == "WG-100101"
    services = {s["kind"]: s for s in nodes(me["subServices"])}
    assert set(services) == {"INTERNET", "IPTV"}
    assert me["subServices"]["totalCount"] == 2
    internet, iptv = services["INTERNET"], services["IPTV"]
    assert internet["id"] == gid("SubService", "SS-1001-1")
    assert internet["status"] == iptv["status"] == "ACTIVE"
    assert internet["statusReason"] is None
    assert internet["profile"] == {"planName": "Fiber 300", "downMbps": 300, "upMbps": 50}
    assert [d["model"] for d in internet["devices"]] == ["ONT HG8245", "Wi-Fi 6 Router AX3000"]
    assert internet["devices"][0]["kind"] == "ONT" and internet["devices"][0]["signalDbm"] is not None
    assert [d["kind"] for d in iptv["devices"]] == ["STB"]
    assert [a["name"] for a in internet["addOns"]] == ["Static IP"]
    assert internet["addOns"][0]["monthlyPrice"] == {"amount": "5.00", "currency": "USD"}
    [plan] = internet["installments"]
    assert plan["installmentsTotal"] == 12 and plan["installmentsPaid"] == 4
    assert plan["total"]["amount"] == "120.00"
    assert abs(plan["progress"] - 4 / 12) < 0.01
    # Usage defaults to the last 30 days, ending today (the sandbox's pinned 2026-11-25).
    assert internet["usage"]["to"] == "2026-11-25" and internet["usage"]["from"] == "2026-10-27"
    assert len(internet["usage"]["days"]) == 30
    assert internet["usage"]["downloadBytes"] == sum(d["downloadBytes"] for d in internet["usage"]["days"])
    assert internet["billing"]["prepaid"] is False
    assert internet["billing"]["cycle"]["billingDay"] == 1

    invoices = nodes(me["invoices"])
    open_ = [i for i in invoices if i["status"] == "OPEN"]
    assert len(open_) == 1
    assert open_[0]["dueOn"] == "2026-11-30"
    assert any(i["status"] == "PAID" for i in invoices)
    assert open_[0]["subService"] is None  # consolidated: one invoice for both services
    assert {ln["subService"]["label"] for ln in open_[0]["lines"] if ln["subService"]} == {
        "Internet – Home",
        "IPTV – Living room",
    }
    # The same open invoice shows under each sub-service's billing.
    assert [i["number"] for i in internet["billing"]["openInvoices"]] == [open_[0]["number"]]

    assert me["wallet"]["balance"] == {"amount": "5.00", "currency": "USD"}
    assert me["wallet"]["transactions"]["totalCount"] == 1
    assert me["wallet"]["transactions"]["nodes"][0]["kind"] == "PROMO"
    summary = me["financialSummary"]
    assert summary["walletBalance"]["amount"] == "5.00"
    assert summary["nextDueOn"] == "2026-11-30"
    assert Decimal(summary["outstanding"]["amount"]) == Decimal(open_[0]["balance"]["amount"])
    assert len(summary["breakdown"]) == 2
    assert sum(Decimal(b["outstanding"]["amount"]) for b in summary["breakdown"]) == Decimal(
        summary["outstanding"]["amount"]
    )

    tickets = {t["number"]: t for t in nodes(me["tickets"])}
    assert len(tickets) == 2
    device_ticket = next(t for t in tickets.values() if t["category"] == "DEVICE")
    assert device_ticket["subService"]["label"] == "IPTV – Living room"
    assert [m["fromSupport"] for m in device_ticket["messages"]] == [False, True]
    assert 0.0 <= device_ticket["sla"]["progress"] <= 1.0


async def test_ben_is_suspended_for_non_payment_with_an_overdue_invoice(sign_in: SignIn) -> None:
    portal = await sign_in("ben@okafor.example")
    me = subscriber(await portal.data(DASHBOARD))
    [internet] = nodes(me["subServices"])
    assert internet["status"] == "SUSPENDED"
    assert internet["statusReason"] == "NON_PAYMENT"
    overdue = [i for i in nodes(me["invoices"]) if i["status"] == "OVERDUE"]
    assert len(overdue) == 1
    assert (
        Decimal(me["financialSummary"]["overdue"]["amount"]) == Decimal(overdue[0]["balance"]["amount"]) > 0
    )


async def test_northwind_sees_ten_subservices_a_consolidated_invoice_and_its_wallet(sign_in: SignIn) -> None:
    portal = await sign_in("it@northwind.example")
    me = subscriber(await portal.data(DASHBOARD))
    services = nodes(me["subServices"])
    assert me["kind"] == "ENTERPRISE"
    assert me["subServices"]["totalCount"] == len(services) == 10
    assert sorted({s["kind"] for s in services}) == ["INTERNET", "VOIP"]
    assert len({s["location"] for s in services}) == 5
    open_ = [i for i in nodes(me["invoices"]) if i["status"] == "OPEN"]
    assert len(open_) == 1
    consolidated = open_[0]
    assert consolidated["subService"] is None
    assert len({ln["subService"]["id"] for ln in consolidated["lines"] if ln["subService"]}) == 10
    assert me["wallet"]["balance"]["amount"] == "250.00"
    breakdown = me["financialSummary"]["breakdown"]
    assert len(breakdown) == 10
    assert {b["subService"]["id"] for b in breakdown} == {s["id"] for s in services}
    assert all(b["openInvoiceCount"] == 1 for b in breakdown)
    monthly = sum(Decimal(b["monthlyCharge"]["amount"]) for b in breakdown)
    assert Decimal(me["financialSummary"]["monthlyCharges"]["amount"]) == monthly
    assert me["consolidatedStatement"]["filename"] == "statement-WG-200201.pdf"


async def test_finance_and_viewer_roles_read_like_a_manager(sign_in: SignIn, make_portal: MakePortal) -> None:
    for email in ("finance@northwind.example", "auditor@northwind.example"):
        portal = await (await make_portal()).sign_in(email)
        me = subscriber(await portal.data(DASHBOARD))
        assert me["subServices"]["totalCount"] == 10
        assert me["wallet"]["balance"]["amount"] == "250.00"
        assert len(nodes(me["invoices"])) > 0


async def test_mdu_site_user_sees_only_their_apartments(sign_in: SignIn) -> None:
    portal = await sign_in("apt101@harborview.example")
    data = await portal.data(DASHBOARD)
    assert data["viewer"]["role"] == "SITE"
    assert data["viewer"]["canManageBilling"] is False
    me = subscriber(data)
    labels = [s["label"] for s in nodes(me["subServices"])]
    assert labels == ["Internet – Apt 101", "Internet – Apt 102"]
    assert me["subServices"]["totalCount"] == 2
    mine = {gid("SubService", "SS-3001-101"), gid("SubService", "SS-3001-102")}

    invoices = nodes(me["invoices"])
    assert invoices, "the SITE user sees the invoices of their apartments"
    assert {i["subService"]["id"] for i in invoices} == mine
    assert me["invoices"]["totalCount"] == len(invoices)
    assert me["wallet"] is None

    summary = me["financialSummary"]
    assert {b["subService"]["id"] for b in summary["breakdown"]} == mine
    assert summary["walletBalance"] is None  # not a misleading 0.00: SITE users do not see the wallet
    open_balances = sum(
        Decimal(i["balance"]["amount"]) for i in invoices if i["status"] in ("OPEN", "OVERDUE")
    )
    assert Decimal(summary["outstanding"]["amount"]) == open_balances
    assert summary["monthlyCharges"]["amount"] == "59.98"

    # Tickets: only those about their apartments.
    tickets = nodes(me["tickets"])
    assert [t["subject"] for t in tickets] == ["Slow Wi-Fi in Apt 101"]
    assert {t["subService"]["id"] for t in tickets} <= mine
    # The statement link is restricted to their apartments (the list is part of the signed link).
    assert "sites=SS-3001-101%2CSS-3001-102" in me["consolidatedStatement"]["url"]


async def test_enterprise_site_user_sees_no_consolidated_invoice(sign_in: SignIn) -> None:
    portal = await sign_in("airport@northwind.example")
    me = subscriber(await portal.data(DASHBOARD))
    assert [s["label"] for s in nodes(me["subServices"])] == [
        "Internet – Airport Branch",
        "VoIP – Airport Branch",
    ]
    assert nodes(me["invoices"]) == []
    assert me["invoices"]["totalCount"] == 0
    assert all(b["openInvoiceCount"] == 0 for b in me["financialSummary"]["breakdown"])
    assert all(s["billing"]["openInvoices"] == [] for s in nodes(me["subServices"]))
    # Their share of the consolidated invoice is still what they owe.
    assert Decimal(me["financialSummary"]["outstanding"]["amount"]) > 0
    assert me["wallet"] is None


async def test_prepaid_voip_shows_when_it_expires(sign_in: SignIn) -> None:
    portal = await sign_in("cara@jensen.example")
    me = subscriber(await portal.data(DASHBOARD))
    services = {s["kind"]: s for s in nodes(me["subServices"])}
    assert services["VOIP"]["billing"]["prepaid"] is True
    assert services["VOIP"]["expiresAt"].startswith("2026-12-05")
    assert services["VOIP"]["billing"]["cycle"]["nextInvoiceOn"] is None
    assert services["INTERNET"]["statusReason"] == "ADMINISTRATIVE"
    assert services["INTERNET"]["expiresAt"] is None


async def test_usage_over_a_chosen_period_and_bad_periods(sign_in: SignIn) -> None:
    portal = await sign_in("ana@lima.example")
    query = """query($from: Date, $to: Date) { viewer { subscriber { subServices(kind: INTERNET) {
      nodes { usage(from: $from, to: $to) { from to days { date } } } } } } }"""
    data = await portal.data(query, {"from": "2026-11-01", "to": "2026-11-07"})
    [service] = nodes(subscriber(data)["subServices"])
    assert service["usage"]["from"] == "2026-11-01" and service["usage"]["to"] == "2026-11-07"
    assert service["usage"]["days"][0]["date"] == "2026-11-01"
    assert len(service["usage"]["days"]) == 7
    for period in ({"from": "2026-11-07", "to": "2026-11-01"}, {"from": "2026-01-01", "to": "2026-11-01"}):
        answer = await portal.execute(query, period)
        assert codes(answer) == ["BAD_USER_INPUT"], answer


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


async def test_site_users_statement_covers_only_their_apartments(sign_in: SignIn) -> None:
    portal = await sign_in("apt101@harborview.example")
    data = await portal.data("{ viewer { subscriber { consolidatedStatement { url filename expiresAt } } } }")
    document = subscriber(data)["consolidatedStatement"]
    assert document["filename"] == "statement-WG-300301.pdf"
    response = await portal.client.get(document["url"])
    assert response.status_code == 200
    text = _text(response.content)
    assert "Apt 101" in text and "Apt 102" in text
    assert "Apt 103" not in text
