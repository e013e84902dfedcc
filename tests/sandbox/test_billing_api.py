"""Billing's HTTP API, end to end over ASGITransport against a freshly seeded database per test."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from pypdf import PdfReader

from sandbox.billing.system import BillingSystem
from sandbox.common.system import SystemConfig
from sandbox.world import World, with_bench_subscriber

SERVICE_KEY = "svc-key"
OPERATOR_KEY = "op-key"


class SuspendRecorder:
    """Stands in for AAA behind our own ServiceControl protocol."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str]] = []
        self.plans: list[tuple[str, str, int | None, int | None]] = []

    def suspend(self, subservice_id: str, reason: str, note: str) -> None:
        self.calls.append((subservice_id, reason, note))

    def set_plan(self, subservice_id: str, plan: str, down_mbps: int | None, up_mbps: int | None) -> None:
        self.plans.append((subservice_id, plan, down_mbps, up_mbps))


def make_system(tmp_path: Path, world: World, control: SuspendRecorder | None = None) -> BillingSystem:
    config = SystemConfig(
        db_path=str(tmp_path / "billing.sqlite3"), service_key=SERVICE_KEY, operator_key=OPERATOR_KEY
    )
    system = BillingSystem(config, service_control=control, today=world.today)
    system.seed(world)
    return system


@pytest.fixture
def recorder() -> SuspendRecorder:
    return SuspendRecorder()


@pytest.fixture
def system(tmp_path: Path, world: World, recorder: SuspendRecorder) -> BillingSystem:
    return make_system(tmp_path, world, recorder)


@pytest.fixture
async def api(system: BillingSystem) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=system.asgi())
    async with httpx.AsyncClient(
        transport=transport, base_url="http://billing.test", headers={"x-api-key": SERVICE_KEY}
    ) as client:
        yield client


@pytest.fixture
async def ops(system: BillingSystem) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=system.asgi())
    async with httpx.AsyncClient(
        transport=transport, base_url="http://billing.test", headers={"x-api-key": OPERATOR_KEY}
    ) as client:
        yield client


async def invoices_of(
    api: httpx.AsyncClient, subscriber_id: str, status: str | None = None
) -> list[dict[str, Any]]:
    body: dict[str, Any] = {"ids": [subscriber_id]}
    if status:
        body["status"] = status
    r = await api.post("/v1/invoices:by-subscriber", json=body)
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


async def open_invoice(api: httpx.AsyncClient, subscriber_id: str) -> dict[str, Any]:
    unpaid = [i for i in await invoices_of(api, subscriber_id) if i["status"] in ("OPEN", "OVERDUE")]
    assert len(unpaid) == 1
    return unpaid[0]


async def events(ops: httpx.AsyncClient, type_: str) -> list[dict[str, Any]]:
    r = await ops.get("/v1/ops/events")
    return [e for e in r.json()["items"] if e["type"] == type_]


async def wallet(api: httpx.AsyncClient, subscriber_id: str) -> str:
    r = await api.post("/v1/wallets:batch", json={"ids": [subscriber_id]})
    amount: str = r.json()["items"][0]["balance"]["amount"]
    return amount


# ---- seed facts ----------------------------------------------------------------------------------------
async def test_ana_has_one_open_invoice_due_in_five_days_after_three_paid(
    api: httpx.AsyncClient, today: date
) -> None:
    invoices = await invoices_of(api, "SUB-1001")
    assert [i["status"] for i in invoices] == ["OPEN", "PAID", "PAID", "PAID"]  # newest first
    current = invoices[0]
    assert current["due_on"] == (today + timedelta(days=5)).isoformat()
    assert current["total"] == {"amount": "92.97", "currency": "USD"}  # 54.99 + 27.98 + installment 10.00
    assert current["number"].startswith("INV-202611-")
    assert current["subservice_id"] is None
    assert current["subservice_ids"] == ["SS-1001-1", "SS-1001-2"]
    assert "Wi-Fi 6 router (installment 5 of 12)" in [line["description"] for line in current["lines"]]
    assert all(i["balance"]["amount"] == "0.00" for i in invoices[1:])


async def test_ben_is_overdue_and_northwind_is_consolidated_with_wallet_credit(
    api: httpx.AsyncClient,
) -> None:
    ben = await invoices_of(api, "SUB-1002", status="OVERDUE")
    assert len(ben) == 1 and ben[0]["balance"]["amount"] == "29.99"
    northwind = await open_invoice(api, "SUB-2001")
    assert northwind["subservice_id"] is None
    assert len(northwind["subservice_ids"]) == 10
    assert (
        len(
            [
                line
                for line in northwind["lines"]
                if line["description"] in ("Business Fiber 500", "Business Voice 10 lines")
            ]
        )
        == 10
    )
    r = await api.get("/v1/subscribers/SUB-2001/wallet/transactions")
    page = r.json()
    assert page["balance"]["amount"] == "250.00"
    assert [(e["kind"], e["amount"]["amount"]) for e in page["items"]] == [("OVERPAYMENT", "250.00")]


async def test_per_subservice_mdu_invoices_one_per_unit(api: httpx.AsyncClient) -> None:
    r = await api.post(
        "/v1/invoices:by-subservice", json={"ids": ["SS-3001-101", "SS-3001-102"], "status": "OPEN"}
    )
    items = r.json()["items"]
    assert sorted(i["subservice_id"] for i in items) == ["SS-3001-101", "SS-3001-102"]
    assert all(i["subscriber_id"] == "SUB-3001" for i in items)


async def test_account_summary(api: httpx.AsyncClient, today: date) -> None:
    r = await api.post("/v1/accounts:batch", json={"ids": ["SUB-1001", "SUB-1002", "NOPE"]})
    ana, ben = r.json()["items"]
    assert ana["subscriber_id"] == "SUB-1001"
    assert ana["outstanding"]["amount"] == "92.97" and ana["overdue"]["amount"] == "0.00"
    assert ana["next_due_on"] == (today + timedelta(days=5)).isoformat()
    assert ana["wallet_balance"]["amount"] == "5.00"
    assert ana["cycle"] == {
        "period_start": "2026-11-01",
        "period_end": "2026-11-30",
        "next_invoice_on": "2026-12-01",
    }
    assert ben["overdue"]["amount"] == "29.99"


async def test_the_accounts_monthly_total_is_its_subservices_charges_summed(api: httpx.AsyncClient) -> None:
    ids = ["SUB-1001", "SUB-1002", "SUB-1003", "SUB-2001", "SUB-3001"]  # every seeded persona's account
    accounts = (await api.post("/v1/accounts:batch", json={"ids": ids})).json()["items"]
    assert [a["subscriber_id"] for a in accounts] == ids
    for account in accounts:
        sid = account["subscriber_id"]
        listed = (await api.get(f"/v1/accounts/{sid}/subservices")).json()["items"]
        charges = (
            await api.post("/v1/subservice-billing:batch", json={"ids": [s["subservice_id"] for s in listed]})
        ).json()["items"]
        summed = sum((Decimal(c["monthly_charge"]["amount"]) for c in charges), Decimal(0))
        assert listed and Decimal(account["monthly_charges"]["amount"]) == summed, sid
        assert account["monthly_charges"]["currency"] == account["currency"]


async def test_subservice_billing_and_prepaid_expiry(api: httpx.AsyncClient, today: date) -> None:
    r = await api.post("/v1/subservice-billing:batch", json={"ids": ["SS-1001-1", "SS-1003-2", "SS-NOPE"]})
    internet, voip = r.json()["items"]
    assert internet["monthly_charge"]["amount"] == "54.99"
    assert internet["outstanding"]["amount"] == "64.99"  # plan + static IP + router installment
    assert len(internet["open_invoice_ids"]) == 1 and internet["prepaid"] is False
    assert voip["prepaid"] is True and voip["cycle"] is None and voip["open_invoice_ids"] == []
    assert voip["expires_at"] == f"{(today + timedelta(days=10)).isoformat()}T00:00:00Z"


async def test_outstanding_is_attributed_by_balance_share_half_even(api: httpx.AsyncClient) -> None:
    invoice = await open_invoice(api, "SUB-1001")
    r = await api.post(
        "/v1/payments",
        json={
            "external_ref": "gw-part",
            "invoice_id": invoice["id"],
            "amount": "10.00",
            "currency": "USD",
            "method": "CARD",
        },
    )
    assert r.status_code == 201
    r = await api.post("/v1/subservice-billing:batch", json={"ids": ["SS-1001-1", "SS-1001-2"]})
    owed = {i["subservice_id"]: Decimal(i["outstanding"]["amount"]) for i in r.json()["items"]}

    def share(lines: str) -> Decimal:
        return (Decimal(lines) * Decimal("82.97") / Decimal("92.97")).quantize(
            Decimal("0.01"), ROUND_HALF_EVEN
        )

    assert owed == {"SS-1001-1": share("64.99"), "SS-1001-2": share("27.98")}


# ---- payments -----------------------------------------------------------------------------------------
async def test_payment_is_idempotent_by_external_ref(api: httpx.AsyncClient, ops: httpx.AsyncClient) -> None:
    invoice = await open_invoice(api, "SUB-1001")
    body = {
        "external_ref": "gw-1",
        "invoice_id": invoice["id"],
        "amount": "100.00",
        "currency": "USD",
        "method": "GATEWAY",
    }
    first = await api.post("/v1/payments", json=body)
    again = await api.post("/v1/payments", json=body)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["duplicate"] is False and again.json()["duplicate"] is True
    assert {k: v for k, v in again.json().items() if k != "duplicate"} == {
        k: v for k, v in first.json().items() if k != "duplicate"
    }
    result = first.json()
    assert result["invoice"]["status"] == "PAID"
    assert result["wallet_credit"] == {"amount": "7.03", "currency": "USD"}
    page = (await api.get("/v1/subscribers/SUB-1001/wallet/transactions")).json()
    assert [e["kind"] for e in page["items"]].count("OVERPAYMENT") == 1
    assert page["balance"]["amount"] == "12.03"
    assert len(await events(ops, "payment.recorded")) == 1
    assert len(await events(ops, "invoice.updated")) == 1
    assert len(await events(ops, "wallet.changed")) == 1
    conflict = await api.post("/v1/payments", json={**body, "amount": "90.00"})
    assert conflict.status_code == 409 and conflict.json()["error"]["code"] == "IDEMPOTENCY_CONFLICT"


async def test_fifty_concurrent_duplicates_make_one_payment(
    api: httpx.AsyncClient, ops: httpx.AsyncClient
) -> None:
    invoice = await open_invoice(api, "SUB-1002")
    body = {
        "external_ref": "gw-race",
        "invoice_id": invoice["id"],
        "amount": "29.99",
        "currency": "USD",
        "method": "CARD",
    }
    answers = await asyncio.gather(*(api.post("/v1/payments", json=body) for _ in range(50)))
    assert sorted(r.status_code for r in answers) == [200] * 49 + [201]
    assert len({r.json()["payment"]["id"] for r in answers}) == 1
    after = (await api.get(f"/v1/invoices/{invoice['id']}")).json()
    assert after["amount_paid"]["amount"] == "29.99" and after["status"] == "PAID"
    assert len(await events(ops, "payment.recorded")) == 1


async def test_payment_on_a_paid_invoice_goes_to_the_wallet(api: httpx.AsyncClient) -> None:
    paid = (await invoices_of(api, "SUB-1003", status="PAID"))[0]
    r = await api.post(
        "/v1/payments",
        json={
            "external_ref": "gw-late",
            "invoice_id": paid["id"],
            "amount": "15.00",
            "currency": "USD",
            "method": "BANK_TRANSFER",
        },
    )
    assert r.status_code == 201
    assert r.json()["payment"]["applied"]["amount"] == "0.00"
    assert r.json()["wallet_credit"]["amount"] == "15.00"
    assert await wallet(api, "SUB-1003") == "35.00"


async def test_payment_refusals(api: httpx.AsyncClient, ops: httpx.AsyncClient) -> None:
    invoice = await open_invoice(api, "SUB-1003")
    base = {
        "external_ref": "gw-x",
        "invoice_id": invoice["id"],
        "amount": "5.00",
        "currency": "USD",
        "method": "CARD",
    }
    r = await api.post("/v1/payments", json={**base, "currency": "EUR"})
    assert (r.status_code, r.json()["error"]["code"]) == (422, "CURRENCY_MISMATCH")
    r = await api.post("/v1/payments", json={**base, "amount": "0"})
    assert (r.status_code, r.json()["error"]["code"]) == (422, "AMOUNT_INVALID")
    r = await api.post("/v1/payments", json={**base, "amount": "1.234"})
    assert (r.status_code, r.json()["error"]["code"]) == (422, "AMOUNT_INVALID")
    r = await api.post("/v1/payments", json={**base, "method": "CASH"})
    assert (r.status_code, r.json()["error"]["code"]) == (422, "INVALID_REQUEST")
    r = await api.post("/v1/payments", json={**base, "invoice_id": "inv_nope"})
    assert r.status_code == 404
    assert (await ops.post(f"/v1/ops/invoices/{invoice['id']}/void")).json()["status"] == "VOID"
    r = await api.post("/v1/payments", json=base)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "INVOICE_VOID")


# ---- wallet -------------------------------------------------------------------------------------------
async def test_wallet_apply_defaults_to_what_the_wallet_covers(api: httpx.AsyncClient) -> None:
    invoice = await open_invoice(api, "SUB-2001")
    body = {"subscriber_id": "SUB-2001", "invoice_id": invoice["id"], "idempotency_key": "apply-1"}
    first = await api.post("/v1/wallet/apply", json=body)
    assert first.status_code == 200, first.text
    result = first.json()
    assert result["payment"]["method"] == "WALLET" and result["payment"]["amount"]["amount"] == "250.00"
    assert result["invoice"]["balance"]["amount"] == "965.00" and result["invoice"]["status"] == "OPEN"
    assert result["wallet_balance"]["amount"] == "0.00"
    again = await api.post("/v1/wallet/apply", json=body)
    assert again.json()["duplicate"] is True and again.json()["payment"] == result["payment"]
    broke = await api.post("/v1/wallet/apply", json={**body, "idempotency_key": "apply-2"})
    assert (broke.status_code, broke.json()["error"]["code"]) == (409, "INSUFFICIENT_BALANCE")
    page = (await api.get("/v1/subscribers/SUB-2001/wallet/transactions")).json()
    assert page["items"][0]["kind"] == "INVOICE_PAYMENT" and page["items"][0]["amount"]["amount"] == "-250.00"


async def test_wallet_apply_refusals(api: httpx.AsyncClient) -> None:
    invoice = await open_invoice(api, "SUB-1001")
    base = {"subscriber_id": "SUB-1001", "invoice_id": invoice["id"], "idempotency_key": "k1"}
    r = await api.post("/v1/wallet/apply", json={**base, "amount": "10.00"})
    assert (r.status_code, r.json()["error"]["code"]) == (409, "INSUFFICIENT_BALANCE")  # wallet holds 5.00
    r = await api.post("/v1/wallet/apply", json={**base, "amount": "500.00"})
    assert (r.status_code, r.json()["error"]["code"]) == (422, "AMOUNT_INVALID")
    paid = (await invoices_of(api, "SUB-1001", status="PAID"))[0]
    r = await api.post("/v1/wallet/apply", json={**base, "invoice_id": paid["id"]})
    assert (r.status_code, r.json()["error"]["code"]) == (409, "ALREADY_PAID")
    foreign = await open_invoice(api, "SUB-1002")
    r = await api.post("/v1/wallet/apply", json={**base, "invoice_id": foreign["id"]})
    assert r.status_code == 404
    assert await wallet(api, "SUB-1001") == "5.00"


async def test_gift_card_redeem_once(api: httpx.AsyncClient) -> None:
    r = await api.post("/v1/gift-cards/redeem", json={"subscriber_id": "SUB-1003", "code": "wg-gift-25"})
    assert r.status_code == 200
    assert r.json()["entry"]["kind"] == "GIFT_CARD" and r.json()["wallet_balance"]["amount"] == "45.00"
    again = await api.post("/v1/gift-cards/redeem", json={"subscriber_id": "SUB-1001", "code": "WG-GIFT-25"})
    assert (again.status_code, again.json()["error"]["code"]) == (409, "GIFT_CARD_ALREADY_USED")
    used = await api.post("/v1/gift-cards/redeem", json={"subscriber_id": "SUB-1001", "code": "WG-GIFT-USED"})
    assert used.json()["error"]["code"] == "GIFT_CARD_ALREADY_USED"
    bogus = await api.post("/v1/gift-cards/redeem", json={"subscriber_id": "SUB-1001", "code": "WG-NOPE"})
    assert (bogus.status_code, bogus.json()["error"]["code"]) == (422, "GIFT_CARD_INVALID")
    assert await wallet(api, "SUB-1001") == "5.00"


async def test_top_up_credit_is_idempotent(api: httpx.AsyncClient) -> None:
    body = {"subscriber_id": "SUB-1001", "kind": "TOPUP", "amount": "20.00", "external_ref": "gw-topup-1"}
    first = await api.post("/v1/wallet/credits", json=body)
    again = await api.post("/v1/wallet/credits", json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["duplicate"] is True and again.json()["entry"] == first.json()["entry"]
    assert await wallet(api, "SUB-1001") == "25.00"
    promo = await api.post("/v1/wallet/credits", json={**body, "kind": "PROMO", "external_ref": "x"})
    assert promo.status_code == 422  # promos are the operator's


async def test_wallet_transactions_page_by_cursor(api: httpx.AsyncClient, ops: httpx.AsyncClient) -> None:
    for n in range(3):
        r = await ops.post(
            "/v1/ops/wallet/credits",
            json={
                "subscriber_id": "SUB-1001",
                "kind": "COMPENSATION",
                "amount": f"{n + 1}.00",
                "description": f"outage {n}",
            },
        )
        assert r.status_code == 201
    first = (await api.get("/v1/subscribers/SUB-1001/wallet/transactions", params={"limit": 2})).json()
    assert first["total_count"] == 4
    assert [e["description"] for e in first["items"]] == ["outage 2", "outage 1"]
    second = (
        await api.get(
            "/v1/subscribers/SUB-1001/wallet/transactions",
            params={"limit": 2, "before": first["next_cursor"]},
        )
    ).json()
    assert [e["description"] for e in second["items"]] == ["outage 0", "Welcome credit"]
    assert second["next_cursor"] is None
    bad = await api.get("/v1/subscribers/SUB-1001/wallet/transactions", params={"before": "zzz"})
    assert (bad.status_code, bad.json()["error"]["code"]) == (422, "INVALID_CURSOR")
    for limit in ("101", "0", "²", "abc"):
        r = await api.get("/v1/subscribers/SUB-1001/wallet/transactions", params={"limit": limit})
        assert r.status_code == 422
    odd = await api.get("/v1/subscribers/SUB-1001/wallet/transactions", params={"before": "²"})
    assert odd.status_code == 422
    assert (await api.get("/v1/subscribers/NOPE/wallet/transactions")).status_code == 404


async def test_renew_prepaid_from_wallet(api: httpx.AsyncClient, today: date) -> None:
    body = {"idempotency_key": "renew-1"}
    r = await api.post("/v1/subservices/SS-1003-2/renew", json=body)
    assert r.status_code == 200, r.text
    expected = f"{(today + timedelta(days=10)).replace(month=1, year=today.year + 1).isoformat()}T00:00:00Z"
    assert r.json()["expires_at"] == expected  # 2026-12-05 -> 2027-01-05
    assert r.json()["charged"]["amount"] == "9.99" and r.json()["wallet_balance"]["amount"] == "10.01"
    again = await api.post("/v1/subservices/SS-1003-2/renew", json=body)
    assert again.json()["duplicate"] is True and await wallet(api, "SUB-1003") == "10.01"
    assert (
        await api.post("/v1/subservices/SS-1003-2/renew", json={"idempotency_key": "renew-2"})
    ).status_code == 200
    poor = await api.post("/v1/subservices/SS-1003-2/renew", json={"idempotency_key": "renew-3"})
    assert (poor.status_code, poor.json()["error"]["code"]) == (409, "INSUFFICIENT_BALANCE")
    billed = await api.post("/v1/subservices/SS-1001-1/renew", json={"idempotency_key": "renew-4"})
    assert (billed.status_code, billed.json()["error"]["code"]) == (409, "NOT_PREPAID")
    r = await api.post("/v1/subservice-billing:batch", json={"ids": ["SS-1003-2"]})
    assert r.json()["items"][0]["expires_at"] == "2027-02-05T00:00:00Z"


# ---- payment methods and autopay ---------------------------------------------------------------------
async def test_autopay_requires_a_card_and_protects_it(api: httpx.AsyncClient) -> None:
    r = await api.put("/v1/subscribers/SUB-1001/autopay", json={"enabled": True})
    assert (r.status_code, r.json()["error"]["code"]) == (409, "AUTOPAY_REQUIRES_CARD")
    card = {"gateway_token": "tok_1", "brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030}
    added = await api.post("/v1/subscribers/SUB-1001/payment-methods", json=card)
    assert added.status_code == 201 and added.json()["is_default"] is True
    assert set(added.json()) == {"id", "brand", "last4", "exp_month", "exp_year", "is_default", "created_at"}
    same = await api.post("/v1/subscribers/SUB-1001/payment-methods", json=card)
    assert same.status_code == 200 and same.json()["id"] == added.json()["id"]
    second = await api.post(
        "/v1/subscribers/SUB-1001/payment-methods", json={**card, "gateway_token": "tok_2", "last4": "0005"}
    )
    assert second.json()["is_default"] is False
    account = await api.put("/v1/subscribers/SUB-1001/autopay", json={"enabled": True})
    assert account.json()["autopay"] is True
    assert account.json()["default_payment_method_id"] == added.json()["id"]
    blocked = await api.delete(f"/v1/subscribers/SUB-1001/payment-methods/{added.json()['id']}")
    assert (blocked.status_code, blocked.json()["error"]["code"]) == (409, "PAYMENT_METHOD_IN_USE")
    switched = await api.post(f"/v1/subscribers/SUB-1001/payment-methods/{second.json()['id']}/default")
    assert [m["is_default"] for m in switched.json()["items"]] == [True, False]
    removed = await api.delete(f"/v1/subscribers/SUB-1001/payment-methods/{added.json()['id']}")
    assert [m["id"] for m in removed.json()["items"]] == [second.json()["id"]]
    gw = await api.put("/v1/subscribers/SUB-1001/gateway-customer", json={"gateway_customer_id": "cus_123"})
    assert gw.json()["gateway_customer_id"] == "cus_123"


@pytest.mark.parametrize(
    "change",
    [
        {"last4": "42a2"},
        {"last4": "42424"},
        {"exp_month": 13},
        {"brand": "bogus"},
        {"exp_year": 2020},
        {"gateway_token": ""},
    ],
)
async def test_payment_method_validation(api: httpx.AsyncClient, change: dict[str, Any]) -> None:
    card = {
        "gateway_token": "tok_1",
        "brand": "visa",
        "last4": "4242",
        "exp_month": 12,
        "exp_year": 2030,
        **change,
    }
    r = await api.post("/v1/subscribers/SUB-1001/payment-methods", json=card)
    assert r.status_code == 422
    assert (await api.get("/v1/subscribers/SUB-1001/payment-methods")).json()["items"] == []


# ---- installments -------------------------------------------------------------------------------------
async def test_installments_progress_and_payment_advances_them(api: httpx.AsyncClient) -> None:
    r = await api.post("/v1/installments:batch", json={"ids": ["SS-1001-1", "SS-2001-2", "SS-3001-101"]})
    plans = {p["subservice_id"]: p for p in r.json()["items"]}
    assert set(plans) == {"SS-1001-1", "SS-2001-2"}
    router = plans["SS-1001-1"]
    assert (router["installments_paid"], router["installments_total"], router["progress"]) == (
        4,
        12,
        "0.3333",
    )
    assert router["paid_amount"]["amount"] == "40.00" and router["remaining"]["amount"] == "80.00"
    invoice = await open_invoice(api, "SUB-1001")
    await api.post(
        "/v1/payments",
        json={
            "external_ref": "gw-full",
            "invoice_id": invoice["id"],
            "amount": "92.97",
            "currency": "USD",
            "method": "CARD",
        },
    )
    r = await api.post("/v1/installments:batch", json={"ids": ["SS-1001-1"]})
    assert r.json()["items"][0]["installments_paid"] == 5


# ---- operator: billing run, void, gift cards, accounts ------------------------------------------------
async def test_billing_run_issues_once_marks_overdue_and_suspends(
    ops: httpx.AsyncClient, recorder: SuspendRecorder
) -> None:
    today_run = (await ops.post("/v1/ops/billing-runs", json={})).json()
    assert today_run["invoices_issued"] == [] and today_run["marked_overdue"] == []
    assert today_run["suspended"] == ["SS-1002-1"]  # Ben: due 12 days ago, grace 7
    assert recorder.calls[0][:2] == ("SS-1002-1", "NON_PAYMENT")
    december = (await ops.post("/v1/ops/billing-runs", json={"as_of": "2026-12-01"})).json()
    # 3 + 1 consolidated residential/enterprise accounts, 40 MDU units (Cara's prepaid VoIP is not invoiced).
    assert len(december["invoices_issued"]) == 44
    ana_nov = (
        await ops.post("/v1/invoices:by-subscriber", json={"ids": ["SUB-1001"], "status": "OVERDUE"})
    ).json()
    # Only Ana's November invoice (due Nov 30) fell due; the others are due later in December.
    assert len(ana_nov["items"]) == 1 and december["marked_overdue"] == [ana_nov["items"][0]["id"]]
    again = (await ops.post("/v1/ops/billing-runs", json={"as_of": "2026-12-01"})).json()
    assert again["invoices_issued"] == [] and again["marked_overdue"] == []
    created = await events(ops, "invoice.created")
    assert len(created) == 44
    ana_dec = (await ops.post("/v1/invoices:by-subscriber", json={"ids": ["SUB-1001"]})).json()["items"][0]
    assert ana_dec["period_start"] == "2026-12-01" and ana_dec["due_on"] == "2026-12-15"
    assert "Wi-Fi 6 router (installment 6 of 12)" in [line["description"] for line in ana_dec["lines"]]


async def test_billing_run_for_one_subscriber_and_validation(ops: httpx.AsyncClient) -> None:
    r = await ops.post("/v1/ops/billing-runs", json={"as_of": "2026-12-01", "subscriber_id": "SUB-1002"})
    assert len(r.json()["invoices_issued"]) == 1
    assert (await ops.post("/v1/ops/billing-runs", json={"subscriber_id": "NOPE"})).status_code == 404
    assert (await ops.post("/v1/ops/billing-runs", json={"as_of": "2026-13-01"})).status_code == 422
    assert (await ops.post("/v1/ops/billing-runs", json={"as_of": "2030-01-01"})).status_code == 422


async def test_void_and_ops_lists(ops: httpx.AsyncClient) -> None:
    paid = (
        await ops.post("/v1/invoices:by-subscriber", json={"ids": ["SUB-1001"], "status": "PAID"})
    ).json()["items"][0]
    r = await ops.post(f"/v1/ops/invoices/{paid['id']}/void")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "INVOICE_PAID")
    created = await ops.post("/v1/ops/gift-cards", json={"value": "15.00", "code": "promo-xmas"})
    assert created.status_code == 201 and created.json()["code"] == "PROMO-XMAS"
    dup = await ops.post("/v1/ops/gift-cards", json={"value": "15.00", "code": "PROMO-XMAS"})
    assert dup.json()["error"]["code"] == "GIFT_CARD_EXISTS"
    codes = {g["code"] for g in (await ops.get("/v1/ops/gift-cards")).json()["items"]}
    assert {"WG-GIFT-25", "WG-GIFT-10", "WG-GIFT-USED", "PROMO-XMAS"} <= codes
    accounts = (await ops.get("/v1/ops/accounts")).json()["items"]
    northwind = next(a for a in accounts if a["subscriber_id"] == "SUB-2001")
    assert (
        northwind["wallet_balance"]["amount"] == "250.00" and northwind["outstanding"]["amount"] == "1215.00"
    )


# ---- PDFs ---------------------------------------------------------------------------------------------
async def test_invoice_pdf_is_a_real_pdf_with_number_and_total(api: httpx.AsyncClient) -> None:
    invoice = await open_invoice(api, "SUB-1001")
    r = await api.get(f"/v1/invoices/{invoice['id']}/pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(r.content)).pages)
    assert invoice["number"] in text and "92.97" in text and "Ana Lima" in text
    assert (await api.get("/v1/invoices/inv_nope/pdf")).status_code == 404


async def test_statement_pdf_covers_subservices_and_can_be_restricted(api: httpx.AsyncClient) -> None:
    r = await api.get("/v1/subscribers/SUB-2001/statement.pdf")
    assert r.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(r.content)).pages)
    assert "SS-2001-1" in text and "SS-2001-10" in text and "250.00" in text
    one = await api.get("/v1/subscribers/SUB-2001/statement.pdf", params={"subservice_ids": "SS-2001-5"})
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(one.content)).pages)
    assert "SS-2001-5" in text and "SS-2001-7" not in text
    # A statement restricted to some sites is a SITE user's: it does not show the account's wallet.
    assert "Wallet balance" not in text and "250.00" not in text
    foreign = await api.get("/v1/subscribers/SUB-2001/statement.pdf", params={"subservice_ids": "SS-1001-1"})
    assert foreign.status_code == 422


# ---- batch size, keys, validation ---------------------------------------------------------------------
async def test_batches_answer_for_1000_ids_in_one_call(tmp_path: Path, world: World) -> None:
    system = make_system(tmp_path, with_bench_subscriber(world, 1000))
    ids = [f"SS-9001-{i}" for i in range(1, 1001)]
    transport = httpx.ASGITransport(app=system.asgi())
    async with httpx.AsyncClient(
        transport=transport, base_url="http://b.test", headers={"x-api-key": SERVICE_KEY}
    ) as c:
        r = await c.post("/v1/subservice-billing:batch", json={"ids": ids})
        assert len(r.json()["items"]) == 1000
        assert all(i["outstanding"]["amount"] == "29.99" for i in r.json()["items"])
        r = await c.post("/v1/invoices:by-subservice", json={"ids": ids, "status": "OPEN"})
        assert len(r.json()["items"]) == 1000
        invoice_ids = [i["id"] for i in r.json()["items"]]
        assert len((await c.post("/v1/invoices:batch", json={"ids": invoice_ids})).json()["items"]) == 1000
        assert len((await c.post("/v1/installments:batch", json={"ids": ids})).json()["items"]) == 0
        assert (await c.post("/v1/invoices:batch", json={"ids": [*invoice_ids, "x"]})).status_code == 422


async def test_keys_are_checked(system: BillingSystem, api: httpx.AsyncClient) -> None:
    transport = httpx.ASGITransport(app=system.asgi())
    async with httpx.AsyncClient(transport=transport, base_url="http://billing.test") as anonymous:
        r = await anonymous.post("/v1/accounts:batch", json={"ids": ["SUB-1001"]})
        assert (r.status_code, r.json()["error"]["code"]) == (401, "UNAUTHORIZED")
        r = await anonymous.get("/v1/ops/accounts", headers={"x-api-key": "wrong"})
        assert r.status_code == 403
    r = await api.get("/v1/ops/accounts")
    assert (r.status_code, r.json()["error"]["code"]) == (403, "FORBIDDEN")
    assert (await api.post("/v1/ops/billing-runs", json={})).status_code == 403


async def test_bad_requests_get_clear_codes(api: httpx.AsyncClient) -> None:
    r = await api.post("/v1/payments", content=b"{not json", headers={"content-type": "application/json"})
    assert (r.status_code, r.json()["error"]["code"]) == (400, "INVALID_JSON")
    r = await api.post("/v1/accounts:batch", json={"ids": []})
    assert r.status_code == 422
    r = await api.post("/v1/invoices:by-subscriber", json={"ids": ["SUB-1001"], "status": "LATE"})
    assert r.status_code == 422
    r = await api.post(
        "/v1/wallet/apply", json={"subscriber_id": "SUB-1001", "invoice_id": 3, "idempotency_key": "k"}
    )
    assert r.status_code == 422
    r = await api.put("/v1/subscribers/SUB-1001/autopay", json={"enabled": "yes"})
    assert r.status_code == 422
    assert (await api.get("/v1/invoices/nope")).status_code == 404
