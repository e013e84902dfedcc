"""Plan changes and add-ons through the real BFF over the test's own sandbox: the offers, the proration
preview, an upgrade provisioned in AAA at once and pushed, a downgrade scheduled, the invoice lines, add-ons
from the wallet lifting a usage cap, the typed refusals and who may do what."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest

from sandbox.app import Sandbox
from tests.harness.money import Listener
from tests.harness.portal import Portal, SignIn
from tests.harness.transport import DispatchTransport
from tests.schema.helpers import error_codes, gid, payload, wallet_of

ANA_INTERNET = gid("SubService", "SS-1001-1")

OFFERS = """
query($id: ID!, $plan: String!) { node(id: $id) { ... on SubService {
  profile { planName downMbps upMbps }
  availablePlans { code name monthlyPrice { amount currency } downMbps upMbps dataCapGb current }
  availableAddOns { code name category billing price { amount } priceNow { amount } dataGb active }
  pendingPlanChange { plan { code name } effectiveOn }
  planChangePreview(planCode: $plan) {
    preview { direction effectiveOn daysRemaining daysInPeriod credit { amount } charge { amount } net { amount }
              nextMonthlyCharge { amount } currentPlan { code current } newPlan { code downMbps } }
    userErrors { field message code }
  }
} } }
"""

CHANGE = """
mutation($input: ChangePlanInput!) { changePlan(input: $input) {
  subService { id profile { planName downMbps upMbps } pendingPlanChange { plan { code } effectiveOn }
               billing { nextInvoiceAdjustments { description amount { amount } } } }
  planChange { status preview { direction effectiveOn credit { amount } charge { amount } } }
  userErrors { field message code }
} }
"""

BUY = """
mutation($input: BuyAddOnInput!) { buyAddOn(input: $input) {
  subService { id status statusReason }
  purchase { code name charged { amount } paidWith dataGb }
  wallet { balance { amount } }
  checkoutUrl
  userErrors { field message code }
} }
"""


def change_input(ssid: str, plan: str, key: str = "k-1") -> dict[str, Any]:
    return {"input": {"subServiceId": ssid, "planCode": plan, "idempotencyKey": key}}


def buy_input(ssid: str, code: str, method: str = "WALLET", key: str = "k-1") -> dict[str, Any]:
    return {
        "input": {"subServiceId": ssid, "addOnCode": code, "paymentMethod": method, "idempotencyKey": key}
    }


async def offers(portal: Portal, ssid: str, plan: str) -> dict[str, Any]:
    node: dict[str, Any] = (await portal.data(OFFERS, {"id": ssid, "plan": plan}))["node"]
    return node


async def test_offers_and_the_preview_of_an_upgrade(sign_in: SignIn, today: date) -> None:
    ana = await sign_in("ana@lima.example")
    node = await offers(ana, ANA_INTERNET, "fiber-1000")
    plans = {p["code"]: p for p in node["availablePlans"]}
    assert [code for code, p in plans.items() if p["current"]] == ["fiber-300"]
    assert plans["fiber-50-lite"]["dataCapGb"] == 200 and plans["fiber-1000"]["dataCapGb"] is None
    assert plans["fiber-1000"]["monthlyPrice"] == {"amount": "79.99", "currency": "USD"}
    addons = {a["code"]: a for a in node["availableAddOns"]}
    assert addons["static-ip"]["active"] is True
    assert (addons["extra-data-50"]["category"], addons["extra-data-50"]["dataGb"]) == ("EXTRA_DATA", 50)
    preview = node["planChangePreview"]["preview"]
    assert node["planChangePreview"]["userErrors"] == []
    assert (preview["direction"], preview["effectiveOn"]) == ("UPGRADE", today.isoformat())
    assert (preview["daysRemaining"], preview["daysInPeriod"]) == (6, 30)
    assert (preview["credit"]["amount"], preview["charge"]["amount"], preview["net"]["amount"]) == (
        "10.00",
        "16.00",
        "6.00",
    )
    assert preview["nextMonthlyCharge"]["amount"] == "84.99"
    assert preview["currentPlan"] == {"code": "fiber-300", "current": True}
    assert node["profile"]["downMbps"] == 300  # a preview changes nothing


async def test_an_upgrade_changes_the_speed_at_once_pushes_it_and_bills_the_proration(
    sign_in: SignIn, sandbox: Sandbox
) -> None:
    ana = await sign_in("ana@lima.example")
    assert ana.app is not None
    async with Listener(ana.bus, "SUB-1001") as listener:
        done = await payload(ana, CHANGE, change_input(ANA_INTERNET, "fiber-1000"), "changePlan")
        pushed = await listener.wait_for("service.profile_changed")
    assert done["userErrors"] == []
    assert done["planChange"]["status"] == "APPLIED"
    assert done["subService"]["profile"] == {"planName": "Fiber 1000", "downMbps": 1000, "upMbps": 200}
    assert done["subService"]["pendingPlanChange"] is None
    assert done["subService"]["billing"]["nextInvoiceAdjustments"] == [
        {
            "description": "Credit for unused Fiber 300, 2026-11-25 to 2026-11-30",
            "amount": {"amount": "-10.00"},
        },
        {"description": "Fiber 1000, 2026-11-25 to 2026-11-30", "amount": {"amount": "16.00"}},
    ]
    assert pushed.data["subservice_id"] == "SS-1001-1"
    # AAA provisioned it (a fresh read, not the payload's).
    row = sandbox.aaa.db.one("SELECT plan_name, down_mbps FROM aaa_subservice WHERE id = 'SS-1001-1'")
    assert (row["plan_name"], row["down_mbps"]) == ("Fiber 1000", 1000)
    # A retry with the same key is the same change, not another.
    again = await payload(ana, CHANGE, change_input(ANA_INTERNET, "fiber-1000"), "changePlan")
    assert again["planChange"] == done["planChange"]
    assert sandbox.billing.db.scalar("SELECT COUNT(*) FROM plan_changes") == 1
    # The proration goes on the next invoice.
    run = sandbox.billing.service.billing_run(date(2026, 12, 1), "SUB-1001")
    (invoice_id,) = run["invoices_issued"]
    lines = {
        r["description"]: r["amount"]
        for r in sandbox.billing.db.all("SELECT * FROM invoice_lines WHERE invoice_id = ?", (invoice_id,))
    }
    assert lines["Credit for unused Fiber 300, 2026-11-25 to 2026-11-30"] == -1000
    assert lines["Fiber 1000, 2026-11-25 to 2026-11-30"] == 1600
    assert lines["Fiber 1000"] == 7999


async def test_a_downgrade_waits_for_the_next_period(sign_in: SignIn) -> None:
    ana = await sign_in("ana@lima.example")
    done = await payload(ana, CHANGE, change_input(ANA_INTERNET, "fiber-100"), "changePlan")
    assert done["planChange"]["status"] == "SCHEDULED"
    assert done["subService"]["profile"]["downMbps"] == 300  # nothing changes until then
    assert done["subService"]["pendingPlanChange"] == {
        "plan": {"code": "fiber-100"},
        "effectiveOn": "2026-12-01",
    }


async def test_plan_change_refusals_are_typed(sign_in: SignIn) -> None:
    ana = await sign_in("ana@lima.example")

    async def refused(portal: Portal, ssid: str, plan: str) -> list[str]:
        return error_codes(await payload(portal, CHANGE, change_input(ssid, plan), "changePlan"))

    assert await refused(ana, ANA_INTERNET, "fiber-9000") == ["UNKNOWN_PLAN"]
    assert await refused(ana, ANA_INTERNET, "") == ["UNKNOWN_PLAN"]
    assert await refused(ana, ANA_INTERNET, "fiber-300") == ["SAME_PLAN"]
    assert await refused(ana, gid("SubService", "SS-1002-1"), "fiber-300") == ["NOT_FOUND"]  # Ben's
    ben = await sign_in("ben@okafor.example")
    assert await refused(ben, gid("SubService", "SS-1002-1"), "fiber-300") == ["SERVICE_SUSPENDED"]
    preview = (await offers(ben, gid("SubService", "SS-1002-1"), "fiber-300"))["planChangePreview"]
    assert (preview["preview"], error_codes(preview)) == (None, ["SERVICE_SUSPENDED"])
    cara = await sign_in("cara@jensen.example")
    assert await refused(cara, gid("SubService", "SS-1003-2"), "voice-business-10") == ["PREPAID"]
    key = await payload(ana, CHANGE, change_input(ANA_INTERNET, "fiber-1000", key=""), "changePlan")
    assert error_codes(key) == ["IDEMPOTENCY_KEY_INVALID"]


async def test_extra_data_from_the_wallet_lifts_a_usage_cap_at_once(
    sign_in: SignIn, sandbox: Sandbox
) -> None:
    sandbox.aaa.service.set_down("SS-1001-1", "RESTRICTED", "USAGE_CAP")
    ana = await sign_in("ana@lima.example")
    bought = await payload(ana, BUY, buy_input(ANA_INTERNET, "data-topup-10"), "buyAddOn")
    assert bought["userErrors"] == []
    assert bought["purchase"] == {
        "code": "data-topup-10",
        "name": "Data top-up 10 GB",
        "charged": {"amount": "3.00"},
        "paidWith": "WALLET",
        "dataGb": 10,
    }
    assert bought["wallet"]["balance"]["amount"] == "2.00"
    assert (bought["subService"]["status"], bought["subService"]["statusReason"]) == ("ACTIVE", None)
    # Not enough left for 50 GB: refused, nothing taken.
    short = await payload(ana, BUY, buy_input(ANA_INTERNET, "extra-data-50", key="k-2"), "buyAddOn")
    assert error_codes(short) == ["INSUFFICIENT_BALANCE"]
    assert await wallet_of(ana) == Decimal("2.00")
    assert error_codes(
        await payload(ana, BUY, buy_input(ANA_INTERNET, "static-ip", key="k-3"), "buyAddOn")
    ) == ["ALREADY_ACTIVE"]
    assert error_codes(
        await payload(ana, BUY, buy_input(ANA_INTERNET, "sports-pack", key="k-4"), "buyAddOn")
    ) == ["UNKNOWN_ADD_ON"]


async def test_a_card_purchase_opens_the_gateways_checkout(sign_in: SignIn, sandbox: Sandbox) -> None:
    ana = await sign_in("ana@lima.example")
    started = await payload(ana, BUY, buy_input(ANA_INTERNET, "extra-data-50", "CARD"), "buyAddOn")
    assert started["userErrors"] == [] and started["purchase"] is None
    assert "/pay/" in started["checkoutUrl"]
    assert sandbox.billing.db.scalar("SELECT COUNT(*) FROM add_on_purchases") == 0  # bought when it settles


async def test_roles(sign_in: SignIn) -> None:
    airport, airport_internet = await sign_in("airport@northwind.example"), gid("SubService", "SS-2001-5")
    other_branch = gid("SubService", "SS-2001-1")
    # SITE: their own sub-services only; no money moves.
    own = await payload(airport, CHANGE, change_input(airport_internet, "business-1000"), "changePlan")
    assert own["userErrors"] == [] and own["planChange"]["status"] == "APPLIED"
    other = await payload(airport, CHANGE, change_input(other_branch, "business-1000"), "changePlan")
    assert error_codes(other) == ["NOT_FOUND"]
    result = await airport.execute(BUY, buy_input(airport_internet, "static-ip"))
    assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]
    # VIEWER reads the offers, changes nothing.
    auditor = await sign_in("auditor@northwind.example")
    assert (await offers(auditor, other_branch, "business-1000"))["planChangePreview"]["preview"] is not None
    for query, variables in (
        (CHANGE, change_input(other_branch, "business-1000")),
        (BUY, buy_input(other_branch, "static-ip")),
    ):
        result = await auditor.execute(query, variables)
        assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]
    # FINANCE pays.
    finance = await sign_in("finance@northwind.example")
    bought = await payload(finance, BUY, buy_input(other_branch, "extra-data-50"), "buyAddOn")
    assert bought["userErrors"] == [] and bought["wallet"]["balance"]["amount"] == "240.00"


async def test_aaa_down_after_billing_accepted_a_retry_with_the_key_finishes_the_change_once(
    sign_in: SignIn, sandbox: Sandbox, transport: DispatchTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    aaa_refuses = True
    forward = transport.handle_async_request

    async def flaky(request: httpx.Request) -> httpx.Response:
        if aaa_refuses and request.method == "PUT" and request.url.path.endswith("/profile"):
            raise httpx.ConnectError("AAA is down", request=request)
        return await forward(request)

    monkeypatch.setattr(transport, "handle_async_request", flaky)
    ana = await sign_in("ana@lima.example")
    failed = await ana.execute(CHANGE, change_input(ANA_INTERNET, "fiber-1000"))
    assert [(e["extensions"]["code"], e["extensions"].get("backend")) for e in failed["errors"]] == [
        ("BACKEND_UNAVAILABLE", "aaa")
    ]
    assert sandbox.aaa.db.scalar("SELECT down_mbps FROM aaa_subservice WHERE id = 'SS-1001-1'") == 300
    aaa_refuses = False
    done = await payload(ana, CHANGE, change_input(ANA_INTERNET, "fiber-1000"), "changePlan")
    assert done["userErrors"] == [] and done["subService"]["profile"]["downMbps"] == 1000
    assert sandbox.billing.db.scalar("SELECT COUNT(*) FROM plan_changes") == 1
    assert sandbox.billing.db.scalar("SELECT COUNT(*) FROM plan_adjustments") == 2  # one credit, one charge
    changes = sandbox.aaa.db.scalar(
        "SELECT COUNT(*) FROM event_outbox WHERE type = 'service.profile_changed'"
    )
    assert changes == 1
