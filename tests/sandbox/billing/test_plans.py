"""Billing's plan catalogue, plan changes (proration, upgrade at once, downgrade at the next period, the
invoice lines) and add-on purchases, over HTTP against a freshly seeded database per test."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from sandbox.billing.system import BillingSystem
from tests.sandbox.test_billing_api import SuspendRecorder, api, events, ops, recorder, system, wallet

__all__ = ["api", "ops", "recorder", "system"]  # the fixtures this module uses


async def offers(api: httpx.AsyncClient, ssid: str) -> dict[str, Any]:
    r = await api.post("/v1/offers:batch", json={"ids": [ssid, "SS-NOPE"]})
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    assert [i["subservice_id"] for i in items] == [ssid]
    return items[0]


async def test_offers_list_the_plans_of_the_kind_and_the_current_one(api: httpx.AsyncClient) -> None:
    internet = await offers(api, "SS-1001-1")
    assert internet["current_plan_id"] == "fiber-300"
    assert {p["kind"] for p in internet["plans"]} == {"INTERNET"}
    lite = next(p for p in internet["plans"] if p["id"] == "fiber-50-lite")
    assert (lite["down_mbps"], lite["up_mbps"], lite["data_cap_gb"]) == (50, 10, 200)
    assert lite["monthly_price"] == {"amount": "19.99", "currency": "USD"}
    addons = {a["id"]: a for a in internet["add_ons"]}
    assert set(addons) == {"static-ip", "extra-data-50", "data-topup-10"}
    assert addons["static-ip"]["active"] is True  # seeded
    # 6 of November's 30 days are left on the 25th: a monthly add-on costs 6/30 of its price now.
    assert addons["static-ip"]["price_now"]["amount"] == "1.00"
    assert addons["extra-data-50"]["price_now"]["amount"] == "10.00"
    assert internet["pending_change"] is None
    tv = await offers(api, "SS-1001-2")
    assert [p["id"] for p in tv["plans"]] == ["tv-basic", "tv-plus"]


async def test_preview_of_an_upgrade_prorates_the_rest_of_the_period(
    api: httpx.AsyncClient, today: date
) -> None:
    r = await api.post("/v1/subservices/SS-1001-1/plan-change:preview", json={"plan_id": "fiber-1000"})
    assert r.status_code == 200, r.text
    p = r.json()
    assert (p["direction"], p["effective_on"]) == ("UPGRADE", today.isoformat())
    assert (p["days_remaining"], p["days_in_period"]) == (6, 30)
    # 49.99 × 6/30 = 9.998 → 10.00 credited; 79.99 × 6/30 = 15.998 → 16.00 charged.
    assert p["credit"]["amount"] == "10.00"
    assert p["charge"]["amount"] == "16.00"
    assert p["net"]["amount"] == "6.00"
    assert p["next_monthly_charge"]["amount"] == "84.99"  # with the static IP
    assert (await offers(api, "SS-1001-1"))["current_plan_id"] == "fiber-300"  # nothing changed


async def test_refusals(api: httpx.AsyncClient) -> None:
    async def code(ssid: str, plan: str) -> tuple[int, str]:
        r = await api.post(f"/v1/subservices/{ssid}/plan-change", json={"plan_id": plan})
        return r.status_code, r.json()["error"]["code"]

    assert await code("SS-1001-1", "nope") == (422, "UNKNOWN_PLAN")
    assert await code("SS-1001-1", "tv-plus") == (422, "UNKNOWN_PLAN")  # another kind's plan
    assert await code("SS-1001-1", "fiber-300") == (409, "SAME_PLAN")
    assert await code("SS-1003-2", "voice-business-10") == (409, "PREPAID")
    assert await code("SS-NOPE", "fiber-100") == (404, "NOT_FOUND")


async def test_upgrade_applies_now_and_bills_the_proration_on_the_next_invoice(
    api: httpx.AsyncClient, ops: httpx.AsyncClient, system: BillingSystem
) -> None:
    r = await api.post(
        "/v1/subservices/SS-1001-1/plan-change",
        json={"plan_id": "fiber-1000"},
        headers={"Idempotency-Key": "pc-1"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "APPLIED"
    again = await api.post(
        "/v1/subservices/SS-1001-1/plan-change",
        json={"plan_id": "fiber-1000"},
        headers={"Idempotency-Key": "pc-1"},
    )
    assert again.json() == r.json()  # the same key answers the first change
    billing = (await api.post("/v1/subservice-billing:batch", json={"ids": ["SS-1001-1"]})).json()["items"][0]
    assert billing["description"] == "Fiber 1000"
    assert billing["monthly_charge"]["amount"] == "84.99"
    assert [(a["description"], a["amount"]["amount"]) for a in billing["next_invoice_adjustments"]] == [
        ("Credit for unused Fiber 300, 2026-11-25 to 2026-11-30", "-10.00"),
        ("Fiber 1000, 2026-11-25 to 2026-11-30", "16.00"),
    ]
    assert [e["body"]["data"]["status"] for e in await events(ops, "subservice.plan_changed")] == ["APPLIED"]
    run = await ops.post("/v1/ops/billing-runs", json={"as_of": "2026-12-01", "subscriber_id": "SUB-1001"})
    assert run.status_code == 200, run.text
    (invoice_id,) = run.json()["invoices_issued"]
    invoice = (await api.get(f"/v1/invoices/{invoice_id}")).json()
    lines = {line["description"]: line["amount"]["amount"] for line in invoice["lines"]}
    assert lines["Fiber 1000"] == "79.99"
    assert lines["Credit for unused Fiber 300, 2026-11-25 to 2026-11-30"] == "-10.00"
    assert lines["Fiber 1000, 2026-11-25 to 2026-11-30"] == "16.00"
    # Billed once: the next period's invoice has no proration lines.
    run = await ops.post("/v1/ops/billing-runs", json={"as_of": "2027-01-01", "subscriber_id": "SUB-1001"})
    (later,) = run.json()["invoices_issued"]
    descriptions = [line["description"] for line in (await api.get(f"/v1/invoices/{later}")).json()["lines"]]
    assert not any("2026-11-25" in d for d in descriptions)
    billed = (await api.post("/v1/subservice-billing:batch", json={"ids": ["SS-1001-1"]})).json()["items"][0]
    assert billed["next_invoice_adjustments"] == []


async def test_downgrade_is_scheduled_and_the_run_applies_it_and_tells_aaa(
    api: httpx.AsyncClient, ops: httpx.AsyncClient, recorder: SuspendRecorder
) -> None:
    r = await api.post("/v1/subservices/SS-1001-1/plan-change", json={"plan_id": "fiber-100"})
    body = r.json()
    assert (body["status"], body["direction"], body["effective_on"]) == (
        "SCHEDULED",
        "DOWNGRADE",
        "2026-12-01",
    )
    assert (body["credit"]["amount"], body["charge"]["amount"]) == ("0.00", "0.00")
    pending = (await offers(api, "SS-1001-1"))["pending_change"]
    assert pending == {
        "plan": {
            "id": "fiber-100",
            "kind": "INTERNET",
            "name": "Fiber 100",
            "monthly_price": {"amount": "29.99", "currency": "USD"},
            "down_mbps": 100,
            "up_mbps": 20,
            "data_cap_gb": None,
        },
        "effective_on": "2026-12-01",
    }
    # Another change replaces the scheduled one.
    r = await api.post("/v1/subservices/SS-1001-1/plan-change:preview", json={"plan_id": "fiber-50-lite"})
    assert r.json()["replaces_scheduled"] is True
    await api.post("/v1/subservices/SS-1001-1/plan-change", json={"plan_id": "fiber-50-lite"})
    assert (await offers(api, "SS-1001-1"))["pending_change"]["plan"]["id"] == "fiber-50-lite"
    run = await ops.post("/v1/ops/billing-runs", json={"as_of": "2026-12-01", "subscriber_id": "SUB-1001"})
    assert run.json()["plans_changed"] == ["SS-1001-1"]
    assert recorder.plans == [("SS-1001-1", "Fiber 50 Lite", 50, 10)]
    (invoice_id,) = run.json()["invoices_issued"]
    lines = [line["description"] for line in (await api.get(f"/v1/invoices/{invoice_id}")).json()["lines"]]
    assert "Fiber 50 Lite" in lines and "Fiber 300" not in lines
    assert (await offers(api, "SS-1001-1"))["pending_change"] is None


async def test_add_on_from_the_wallet(api: httpx.AsyncClient, ops: httpx.AsyncClient) -> None:
    assert await wallet(api, "SUB-1001") == "5.00"
    r = await api.post(
        "/v1/subservices/SS-1001-1/add-ons", json={"add_on_id": "data-topup-10", "paid_by": "WALLET"}
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["charged"]["amount"], body["data_gb"], body["wallet_balance"]["amount"]) == (
        "3.00",
        10,
        "2.00",
    )
    entries = (await api.get("/v1/subscribers/SUB-1001/wallet/transactions")).json()["items"]
    assert (entries[0]["kind"], entries[0]["amount"]["amount"]) == ("ADD_ON", "-3.00")
    short = await api.post(
        "/v1/subservices/SS-1001-1/add-ons", json={"add_on_id": "extra-data-50", "paid_by": "WALLET"}
    )
    assert (short.status_code, short.json()["error"]["code"]) == (409, "INSUFFICIENT_BALANCE")
    assert await wallet(api, "SUB-1001") == "2.00"  # nothing taken
    owned = await api.post(
        "/v1/subservices/SS-1001-1/add-ons", json={"add_on_id": "static-ip", "paid_by": "WALLET"}
    )
    assert (owned.status_code, owned.json()["error"]["code"]) == (409, "ALREADY_ACTIVE")
    unknown = await api.post(
        "/v1/subservices/SS-1001-1/add-ons", json={"add_on_id": "sports-pack", "paid_by": "WALLET"}
    )
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (422, "UNKNOWN_ADD_ON")


async def test_card_purchase_is_recorded_once_per_payment_and_monthly_ones_are_billed(
    api: httpx.AsyncClient, ops: httpx.AsyncClient
) -> None:
    body = {
        "add_on_id": "movies-pack",
        "paid_by": "CARD",
        "external_ref": "pi_1",
        "amount": "2.00",
        "currency": "USD",
    }
    first = await api.post("/v1/subservices/SS-1001-2/add-ons", json=body)
    assert first.status_code == 201, first.text
    again = await api.post("/v1/subservices/SS-1001-2/add-ons", json=body)
    assert again.status_code == 200
    assert again.json()["duplicate"] is True and again.json()["id"] == first.json()["id"]
    assert await wallet(api, "SUB-1001") == "5.00"  # the card paid
    other = await api.post("/v1/subservices/SS-1001-1/add-ons", json={**body, "add_on_id": "data-topup-10"})
    assert (other.status_code, other.json()["error"]["code"]) == (409, "IDEMPOTENCY_CONFLICT")
    tv = await offers(api, "SS-1001-2")
    assert next(a for a in tv["add_ons"] if a["id"] == "movies-pack")["active"] is True
    run = await ops.post("/v1/ops/billing-runs", json={"as_of": "2026-12-01", "subscriber_id": "SUB-1001"})
    (invoice_id,) = run.json()["invoices_issued"]
    lines = {
        line["description"]: line["amount"]["amount"]
        for line in (await api.get(f"/v1/invoices/{invoice_id}")).json()["lines"]
    }
    assert lines["Movies Pack"] == "9.99"
