"""Receipts, the statement's activity and the CSV exports, end to end: the graph over the sandbox, the signed
links downloaded through the BFF's `/files`, the PDFs read back with pypdf and the CSVs with `csv`."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from pypdf import PdfReader

from adapters.ports.billing import BillingPort
from adapters.ports.money import Money
from bff.core import exports
from tests.harness.portal import Portal, SignIn
from tests.harness.web_operations import web_operation
from tests.schema.helpers import nodes, subscriber

PAYMENTS = """query($from: Date, $to: Date) { viewer { subscriber { payments(first: 50, from: $from, to: $to) {
  totalCount nodes { receiptNumber paidAt amount { amount currency } applied { amount } method cardBrand
  cardLast4 invoiceNumber receiptUrl } } } } }"""
STATEMENT = """query($from: Date, $to: Date) { viewer { subscriber { statement(from: $from, to: $to) {
  periodStart periodEnd openingBalance { amount currency } charges { amount } payments { amount }
  credits { amount } closingBalance { amount }
  lines { date kind description reference amount { amount } balance { amount } } pdf { url filename } } } } }"""
EXPORTS = """query($from: Date!, $to: Date!) { viewer { subscriber {
  invoicesCsv(from: $from, to: $to) { url filename } walletHistoryCsv(from: $from, to: $to) { url } } } }"""
ACCOUNT = (
    "{ viewer { subscriber { financialSummary { outstanding { amount } } wallet { balance { amount } } } } }"
)


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


async def _download(portal: Portal, url: str) -> Any:
    anonymous = portal.another()  # the signed link is the permission: no session
    return await anonymous.client.get(url)


def _csv(body: bytes) -> list[dict[str, str]]:
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark"
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


async def test_each_payment_has_a_receipt_pdf_with_the_payment_facts(sign_in: SignIn) -> None:
    portal = await sign_in("ana@lima.example")
    data = await portal.data(PAYMENTS, {"from": "2026-01-01", "to": "2026-11-25"})
    payments = nodes(subscriber(data)["payments"])
    assert len(payments) >= 2
    latest = payments[0]
    assert latest["receiptNumber"].startswith("RCT-")
    assert latest["method"] == "CARD" and latest["cardBrand"] == "visa" and latest["cardLast4"] == "4242"
    assert latest["amount"] == {"amount": "92.97", "currency": "USD"}
    assert latest["receiptUrl"].startswith("/files/receipts/")
    response = await _download(portal, latest["receiptUrl"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = _text(response.content)
    for fact in (
        "RECEIPT",
        latest["receiptNumber"],
        "Ana Lima",
        "WG-100101",
        latest["invoiceNumber"],
        "VISA **** 4242",
        "USD 92.97",
    ):
        assert fact in text, fact
    tampered = await _download(portal, latest["receiptUrl"].replace("pay_", "pay_9"))
    assert tampered.status_code == 403  # another payment's receipt is not reachable by editing the link


async def test_a_site_user_sees_only_receipts_of_their_sites_and_strangers_none(sign_in: SignIn) -> None:
    owner = await sign_in("manager@harborview.example")
    site = await sign_in("apt101@harborview.example")
    everyone = subscriber(await owner.data(PAYMENTS))["payments"]
    mine = subscriber(await site.data(PAYMENTS))["payments"]
    theirs = nodes(mine)
    assert everyone["totalCount"] > mine["totalCount"] > 0
    invoices = "{ viewer { subscriber { invoices(first: 100) { nodes { number } } } } }"
    visible = {i["number"] for i in nodes(subscriber(await site.data(invoices))["invoices"])}
    assert {p["invoiceNumber"] for p in theirs} <= visible
    receipt = await _download(site, theirs[0]["receiptUrl"])
    assert receipt.status_code == 200 and theirs[0]["receiptNumber"] in _text(receipt.content)
    everyone = nodes(everyone)
    # Ana's payments are hers alone: none of Harbor View's receipts is in her list.
    ana = nodes(subscriber(await (await sign_in("ana@lima.example")).data(PAYMENTS))["payments"])
    assert not {p["receiptNumber"] for p in ana} & {p["receiptNumber"] for p in everyone}


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"from": "2026-11-25", "to": "2026-01-01"}, "after"),
        ({"from": "2024-01-01", "to": "2026-11-25"}, "366"),
    ],
)
async def test_bad_periods_are_refused_before_anything_is_read(
    sign_in: SignIn, variables: dict[str, str], message: str
) -> None:
    portal = await sign_in("finance@northwind.example")
    for query in (PAYMENTS, STATEMENT, EXPORTS):
        payload = await portal.execute(query, variables)
        [error] = payload["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert message in error["message"]


async def test_the_statement_shows_charges_payments_and_credits_with_a_running_balance(
    sign_in: SignIn,
) -> None:
    portal = await sign_in("ana@lima.example")
    statement = subscriber(await portal.data(STATEMENT, {"from": "2026-08-27", "to": "2026-11-25"}))[
        "statement"
    ]
    kinds = {line["kind"] for line in statement["lines"]}
    assert kinds == {"CHARGE", "PAYMENT", "CREDIT"}
    balance = Decimal(statement["openingBalance"]["amount"])
    for line in statement["lines"]:
        balance += Decimal(line["amount"]["amount"])
        assert Decimal(line["balance"]["amount"]) == balance
    assert Decimal(statement["closingBalance"]["amount"]) == balance
    totals = sum(Decimal(statement[k]["amount"]) for k in ("charges", "payments", "credits"))
    assert Decimal(statement["openingBalance"]["amount"]) + totals == balance
    credit = next(line for line in statement["lines"] if line["kind"] == "CREDIT")
    assert credit["description"] == "Welcome credit" and credit["amount"]["amount"] == "-5.00"
    # Up to today, the balance is what is owed net of the wallet.
    account = subscriber(await portal.data(ACCOUNT))
    owed = Decimal(account["financialSummary"]["outstanding"]["amount"])
    assert balance == owed - Decimal(account["wallet"]["balance"]["amount"])
    response = await _download(portal, statement["pdf"]["url"])
    assert response.status_code == 200
    text = _text(response.content)
    assert "Account activity Aug 27, 2026 - Nov 25, 2026" in text
    assert "Credit: Welcome credit" in text and "VISA **** 4242" in text
    assert f"Closing balance {statement['closingBalance']['amount']}" in text


async def test_a_site_users_statement_has_no_wallet_lines(sign_in: SignIn) -> None:
    site = await sign_in("apt101@harborview.example")
    statement = subscriber(await site.data(STATEMENT))["statement"]
    assert statement["lines"]
    assert all("Wallet" not in line["description"] for line in statement["lines"])
    assert "sites=" in statement["pdf"]["url"]


@pytest.mark.parametrize(
    ("email", "allowed"),
    [
        ("it@northwind.example", True),  # OWNER
        ("ops@northwind.example", True),  # MANAGER
        ("finance@northwind.example", True),  # FINANCE
        ("auditor@northwind.example", False),  # VIEWER
        ("airport@northwind.example", False),  # SITE
    ],
)
async def test_csv_exports_are_for_the_roles_that_keep_the_books(
    sign_in: SignIn, email: str, allowed: bool
) -> None:
    portal = await sign_in(email)
    payload = await portal.execute(EXPORTS, {"from": "2026-01-01", "to": "2026-11-25"})
    if allowed:
        assert "errors" not in payload
        assert subscriber(payload["data"])["invoicesCsv"]["url"].startswith("/files/exports/invoices/")
    else:
        assert {e["extensions"]["code"] for e in payload["errors"]} == {"FORBIDDEN"}


async def test_invoices_csv_matches_billing_records(sign_in: SignIn, billing_port: BillingPort) -> None:
    portal = await sign_in("finance@northwind.example")
    links = subscriber(await portal.data(EXPORTS, {"from": "2026-01-01", "to": "2026-11-25"}))
    response = await _download(portal, links["invoicesCsv"]["url"])
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert b"\r\n" in response.content  # RFC 4180 line ends
    rows = _csv(response.content)
    records = (await billing_port.invoices_for_subscribers(["SUB-2001"]))["SUB-2001"]
    expected = {r.number: r for r in records if r.issued_on.year == 2026}
    assert {row["invoice_number"] for row in rows} == set(expected)
    for row in rows:
        record = expected[row["invoice_number"]]
        assert row["total"] == str(record.total.amount) and row["currency"] == record.total.currency
        assert row["balance"] == str(record.balance.amount) and row["status"] == record.status


async def test_wallet_csv_is_safe_from_formula_injection(sign_in: SignIn, billing_port: BillingPort) -> None:
    evil = "=cmd|' /C calc'!A0, \"quoted\""
    await billing_port.credit_wallet(
        subscriber_id="SUB-2001",
        amount=Money(Decimal("12.50"), "USD"),
        external_ref="test-evil-credit",
        description=evil,
    )
    portal = await sign_in("it@northwind.example")
    # Billing stamps the credit with the wall clock, which is past the seeded world's day.
    end = date.today()
    period = {"from": (end - timedelta(days=365)).isoformat(), "to": end.isoformat()}
    links = subscriber(await portal.data(EXPORTS, period))
    response = await _download(portal, links["walletHistoryCsv"]["url"])
    assert response.status_code == 200
    rows = _csv(response.content)
    [row] = [r for r in rows if r["description"].endswith(evil)]
    assert row["description"] == "'" + evil  # shown as text, never run
    assert row["amount"] == "12.50" and row["currency"] == "USD"
    # The raw bytes quote the comma and double the quotes (RFC 4180).
    assert b'"\'=cmd|\' /C calc\'!A0, ""quoted"""' in response.content


async def test_an_export_link_is_bound_to_its_period_and_subscriber(sign_in: SignIn) -> None:
    portal = await sign_in("finance@northwind.example")
    links = subscriber(await portal.data(EXPORTS, {"from": "2026-01-01", "to": "2026-11-25"}))
    url = links["invoicesCsv"]["url"]
    assert (await _download(portal, url.replace("from=2026-01-01", "from=2020-01-01"))).status_code == 403
    assert (await _download(portal, url.replace("SUB-2001", "SUB-1001"))).status_code == 403


async def test_with_billing_down_an_export_answers_503_and_no_partial_file(sign_in: SignIn) -> None:
    portal = await sign_in("finance@northwind.example")
    links = subscriber(await portal.data(EXPORTS, {"from": "2026-01-01", "to": "2026-11-25"}))
    assert portal.transport is not None
    portal.transport.down.add("billing.test")
    for url in (links["invoicesCsv"]["url"], links["walletHistoryCsv"]["url"]):
        response = await _download(portal, url)
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "BACKEND_UNAVAILABLE"


async def test_the_receipts_page_is_one_billing_call_for_payments_and_one_for_the_statement(
    sign_in: SignIn,
) -> None:
    portal = await sign_in("manager@harborview.example")  # an MDU with many sub-services
    assert portal.transport is not None
    seen = len(portal.transport.paths)
    await portal.data(web_operation("Receipts"))
    billing = sorted(p for p in portal.transport.paths[seen:] if "billing.test" in p)
    assert billing == [
        "GET billing.test/v1/subscribers/SUB-3001/payments",
        "GET billing.test/v1/subscribers/SUB-3001/statement",
    ], billing


async def test_an_export_over_the_row_bound_is_refused_not_truncated(
    sign_in: SignIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "MAX_EXPORT_ROWS", 3)
    portal = await sign_in("finance@northwind.example")
    links = subscriber(await portal.data(EXPORTS, {"from": "2026-01-01", "to": "2026-11-25"}))
    response = await _download(portal, links["invoicesCsv"]["url"])
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "EXPORT_TOO_LARGE"


async def test_an_invoice_lists_its_payments_with_receipts_in_one_billing_call(sign_in: SignIn) -> None:
    portal = await sign_in("ana@lima.example")
    assert portal.transport is not None
    seen = len(portal.transport.paths)
    query = "{ viewer { subscriber { invoices(first: 10) { nodes { number status payments { receiptNumber invoiceNumber receiptUrl } } } } } }"
    invoices = nodes(subscriber(await portal.data(query))["invoices"])
    by_invoice = [p for p in portal.transport.paths[seen:] if "payments" in p]
    assert by_invoice == ["POST billing.test/v1/payments:by-invoice"]
    paid = [i for i in invoices if i["status"] == "PAID"]
    assert paid and all(len(i["payments"]) == 1 for i in paid)
    assert all(p["invoiceNumber"] == i["number"] for i in invoices for p in i["payments"])
    assert all(i["payments"] == [] for i in invoices if i["status"] == "OPEN")
    receipt = await _download(portal, paid[0]["payments"][0]["receiptUrl"])
    assert paid[0]["number"] in _text(receipt.content)
