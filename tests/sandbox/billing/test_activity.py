"""Billing's payments list, receipts and statement activity over HTTP, against its own records."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from pypdf import PdfReader

from sandbox.billing.system import BillingSystem
from sandbox.world import World
from tests.sandbox.test_billing_api import SERVICE_KEY, make_system


@pytest.fixture
async def api(tmp_path: Path, world: World) -> AsyncIterator[httpx.AsyncClient]:
    system: BillingSystem = make_system(tmp_path, world)
    transport = httpx.ASGITransport(app=system.asgi())
    async with httpx.AsyncClient(
        transport=transport, base_url="http://billing.test", headers={"x-api-key": SERVICE_KEY}
    ) as client:
        yield client


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


async def test_the_closing_balance_at_today_is_outstanding_minus_wallet_for_every_account(
    api: httpx.AsyncClient, world: World
) -> None:
    """The statement's balance (owed net of the wallet) agrees with the account's own figures, whatever mix
    of card, bank-transfer and wallet payments, overpayments, promotions and top-ups an account has had."""
    ids = [s.id for s in world.subscribers]
    accounts = {
        a["subscriber_id"]: a
        for a in (await api.post("/v1/accounts:batch", json={"ids": ids})).json()["items"]
    }
    for sid in ids:
        # Every seeded line lies within the last year.
        start = (world.today.replace(year=world.today.year - 1)).isoformat()
        r = await api.get(f"/v1/subscribers/{sid}/statement", params={"from": start})
        assert r.status_code == 200, r.text
        body = r.json()
        account = accounts[sid]
        owed = Decimal(account["outstanding"]["amount"]) - Decimal(account["wallet_balance"]["amount"])
        assert Decimal(body["closing_balance"]["amount"]) == owed, sid
        assert body["opening_balance"]["amount"] in ("0.00", "0")
        running = Decimal(body["opening_balance"]["amount"])
        for line in body["lines"]:
            running += Decimal(line["amount"]["amount"])
            assert Decimal(line["balance"]["amount"]) == running


async def test_a_later_period_opens_where_the_earlier_one_closed(api: httpx.AsyncClient) -> None:
    first = (
        await api.get("/v1/subscribers/SUB-2001/statement", params={"from": "2026-01-01", "to": "2026-10-15"})
    ).json()
    second = (
        await api.get("/v1/subscribers/SUB-2001/statement", params={"from": "2026-10-16", "to": "2026-11-25"})
    ).json()
    assert second["opening_balance"] == first["closing_balance"]
    overpayment = [line for line in first["lines"] + second["lines"] if "Overpayment" in line["description"]]
    assert [line["kind"] for line in overpayment] == ["CREDIT"]
    assert overpayment[0]["amount"]["amount"] == "-250.00"


async def test_a_site_statement_has_only_its_sites_lines_and_no_wallet(api: httpx.AsyncClient) -> None:
    whole = (await api.get("/v1/subscribers/SUB-3001/statement")).json()
    one = (
        await api.get("/v1/subscribers/SUB-3001/statement", params={"subservice_ids": "SS-3001-101"})
    ).json()
    assert one["lines"] and len(one["lines"]) <= len(whole["lines"])
    assert Decimal(one["charges"]["amount"]) < Decimal(whole["charges"]["amount"])
    foreign = await api.get("/v1/subscribers/SUB-3001/statement", params={"subservice_ids": "SS-1001-1"})
    assert foreign.status_code == 422


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-11-25", "to": "2026-11-01"},
        {"from": "2025-01-01", "to": "2026-11-25"},
        {"from": "yesterday"},
        {"to": "2026-13-01"},
    ],
)
async def test_bad_periods_are_refused(api: httpx.AsyncClient, params: dict[str, str]) -> None:
    for path in ("statement", "payments", "statement.pdf"):
        r = await api.get(f"/v1/subscribers/SUB-1001/{path}", params=params)
        assert (r.status_code, r.json()["error"]["code"]) == (422, "PERIOD_INVALID"), path


async def test_payments_carry_receipt_numbers_and_only_brand_and_last4(api: httpx.AsyncClient) -> None:
    r = await api.get("/v1/subscribers/SUB-1001/payments", params={"from": "2026-01-01"})
    items = r.json()["items"]
    assert items and all(p["subscriber_id"] == "SUB-1001" for p in items)
    assert [p["recorded_at"] for p in items] == sorted((p["recorded_at"] for p in items), reverse=True)
    assert len({p["receipt_number"] for p in items}) == len(items)
    card = items[0]
    assert (card["method"], card["card_brand"], card["card_last4"]) == ("CARD", "visa", "4242")
    bank = (await api.get("/v1/subscribers/SUB-2001/payments", params={"from": "2026-01-01"})).json()[
        "items"
    ][0]
    assert (bank["method"], bank["card_brand"], bank["card_last4"]) == ("BANK_TRANSFER", None, None)
    assert (await api.get("/v1/subscribers/SUB-404/payments")).status_code == 404


async def test_a_receipt_pdf_for_a_bank_transfer_and_for_an_unknown_payment(api: httpx.AsyncClient) -> None:
    [payment, *_] = (
        await api.get("/v1/subscribers/SUB-2001/payments", params={"from": "2026-01-01"})
    ).json()["items"]
    r = await api.get(f"/v1/payments/{payment['id']}/receipt.pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = _text(r.content)
    assert payment["receipt_number"] in text and payment["invoice_number"] in text
    assert "Bank transfer" in text and "Northwind" in text
    assert f"USD {payment['amount']['amount']}" in text
    assert (await api.get("/v1/payments/pay_9999999/receipt.pdf")).status_code == 404


async def test_the_statement_pdf_prints_the_same_activity(api: httpx.AsyncClient) -> None:
    params = {"from": "2026-09-01", "to": "2026-11-25"}
    body = (await api.get("/v1/subscribers/SUB-1003/statement", params=params)).json()
    text = _text((await api.get("/v1/subscribers/SUB-1003/statement.pdf", params=params)).content)
    assert "Account activity Sep 1, 2026 - Nov 25, 2026" in text
    assert f"Closing balance {body['closing_balance']['amount']}" in text
    for line in body["lines"]:
        assert line["description"] in text


def test_a_data_directory_from_before_receipts_gets_the_card_columns(tmp_path: Path, world: World) -> None:
    """A payments table created without the card columns (a kept SANDBOX_DATA_DIR) is upgraded on start."""
    path = tmp_path / "billing.sqlite3"
    with sqlite3.connect(path) as old:
        old.execute(
            "CREATE TABLE payments (id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE, external_ref TEXT NOT NULL"
            " UNIQUE, invoice_id TEXT NOT NULL, amount INTEGER NOT NULL, applied INTEGER NOT NULL, currency TEXT"
            " NOT NULL, method TEXT NOT NULL, recorded_at TEXT NOT NULL, result TEXT)"
        )
    system = make_system(tmp_path, world)
    columns = {r["name"] for r in system.db.all("PRAGMA table_info(payments)")}
    assert {"card_brand", "card_last4"} <= columns
    assert system.service.payments_of("SUB-1001", world.today.replace(month=1, day=1), world.today)
