"""`payInvoices` through the real BFF over the test's own sandbox: one checkout at the sandbox gateway for the
sum of several invoices (or every overdue one), its reference naming each invoice; refusals for a selection
that cannot be paid, for roles that may not pay, and the same NOT_FOUND for a stranger's invoice as for none."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from adapters.ports.gateway import PaymentKind, PaymentReference
from sandbox.app import Sandbox
from tests.harness.portal import Portal, SignIn
from tests.schema.helpers import codes, error_codes, gid, invoices_of, payload
from tests.schema.queries import PAY_INVOICES

MDU = "manager@harborview.example"  # SUB-3001: forty apartments, an open invoice each


async def pay(portal: Portal, key: str = "k-1", **input_: Any) -> dict[str, Any]:
    return await payload(portal, PAY_INVOICES, {"input": {"idempotencyKey": key, **input_}}, "payInvoices")


async def open_invoices(portal: Portal, n: int) -> list[dict[str, Any]]:
    found = [i for i in await invoices_of(portal) if i["status"] in ("OPEN", "OVERDUE")]
    assert len(found) >= n
    return found[:n]


def session_of(sandbox: Sandbox, checkout_url: str) -> dict[str, Any]:
    session_id = checkout_url.rsplit("/", 1)[1].split("?")[0]
    row = sandbox.gateway.db.one("SELECT * FROM checkout_sessions WHERE id = ?", (session_id,))
    assert row is not None, checkout_url
    return dict(row)


def raw(global_id: str) -> str:
    import base64

    return base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode().split(":", 1)[1]


async def test_two_invoices_open_one_checkout_for_their_sum_naming_both(
    sign_in: SignIn, sandbox: Sandbox
) -> None:
    manager = await sign_in(MDU)
    first, second = await open_invoices(manager, 2)

    result = await pay(manager, invoiceIds=[first["id"], second["id"]])

    assert result["userErrors"] == []
    assert [i["id"] for i in result["invoices"]] == [first["id"], second["id"]]
    assert all(
        i["status"] == "OPEN" for i in result["invoices"]
    )  # nothing is paid before the gateway says so
    session = session_of(sandbox, result["checkoutUrl"])
    total = Decimal(first["balance"]["amount"]) + Decimal(second["balance"]["amount"])
    assert session["amount_total"] == int(total * 100)
    assert session["mode"] == "payment" and session["currency"] == "usd"
    reference = PaymentReference.from_metadata(json.loads(session["metadata"]))
    assert reference is not None and reference.kind is PaymentKind.INVOICES
    assert reference.subscriber_id == "SUB-3001"
    assert [(s.invoice_id, s.amount) for s in reference.invoice_shares] == [
        (raw(first["id"]), Decimal(first["balance"]["amount"])),
        (raw(second["id"]), Decimal(second["balance"]["amount"])),
    ]
    assert "kind=invoices" in session["success_url"]


async def test_forty_invoices_fit_the_gateways_metadata_limits(sign_in: SignIn, sandbox: Sandbox) -> None:
    manager = await sign_in(MDU)
    chosen = await open_invoices(manager, 40)

    result = await pay(manager, invoiceIds=[i["id"] for i in chosen])

    assert result["userErrors"] == []
    metadata = json.loads(session_of(sandbox, result["checkoutUrl"])["metadata"])
    assert len(metadata) <= 50 and all(len(v) <= 500 for v in metadata.values())
    assert len([k for k in metadata if k.startswith("wg_invoices_")]) > 1  # the list spans several keys
    reference = PaymentReference.from_metadata(metadata)
    assert reference is not None and len(reference.invoice_shares) == 40


async def test_all_overdue_pays_every_overdue_invoice_and_only_those(
    sign_in: SignIn, sandbox: Sandbox
) -> None:
    manager = await sign_in(MDU)
    overdue = ["inv_0000140", "inv_0000141", "inv_0000150"]
    for invoice_id in overdue:
        sandbox.billing.db.execute("UPDATE invoices SET status = 'OVERDUE' WHERE id = ?", (invoice_id,))

    result = await pay(manager, allOverdue=True)

    assert result["userErrors"] == []
    assert sorted(raw(i["id"]) for i in result["invoices"]) == overdue
    assert session_of(sandbox, result["checkoutUrl"])["amount_total"] == 3 * 2999


async def test_the_same_key_replays_the_checkout_and_another_selection_conflicts(sign_in: SignIn) -> None:
    manager = await sign_in(MDU)
    a, b, c = await open_invoices(manager, 3)

    first = await pay(manager, "same", invoiceIds=[a["id"], b["id"]])
    again = await pay(manager, "same", invoiceIds=[a["id"], b["id"]])
    other = await pay(manager, "same", invoiceIds=[a["id"], c["id"]])

    assert first["checkoutUrl"] and again["checkoutUrl"] == first["checkoutUrl"]
    assert error_codes(other) == ["IDEMPOTENCY_CONFLICT"] and other["checkoutUrl"] is None


@pytest.mark.parametrize(
    ("selection", "code"),
    [
        ("empty", "NO_INVOICES"),
        ("none_overdue", "NO_INVOICES"),
        ("too_many", "TOO_MANY_INVOICES"),
        ("duplicate", "DUPLICATE_INVOICE"),
        ("both", "SELECTION_INVALID"),
        ("paid", "ALREADY_PAID"),
        ("void", "INVOICE_VOID"),
        ("mixed_currency", "MIXED_CURRENCIES"),
        ("made_up", "NOT_FOUND"),
        ("not_an_invoice", "NOT_FOUND"),
    ],
)
async def test_a_selection_that_cannot_be_paid_is_refused_and_opens_nothing(
    sign_in: SignIn, sandbox: Sandbox, selection: str, code: str
) -> None:
    manager = await sign_in(MDU)
    a, b = await open_invoices(manager, 2)
    paid = next(i for i in await invoices_of(manager) if i["status"] == "PAID")
    db = sandbox.billing.db
    inputs: dict[str, dict[str, Any]] = {
        "empty": {"invoiceIds": []},
        "none_overdue": {"allOverdue": True},
        "too_many": {"invoiceIds": [gid("Invoice", f"inv_{n}") for n in range(51)]},
        "duplicate": {"invoiceIds": [a["id"], b["id"], a["id"]]},
        "both": {"invoiceIds": [a["id"]], "allOverdue": True},
        "paid": {"invoiceIds": [a["id"], paid["id"]]},
        "void": {"invoiceIds": [a["id"], b["id"]]},
        "mixed_currency": {"invoiceIds": [a["id"], b["id"]]},
        "made_up": {"invoiceIds": [a["id"], gid("Invoice", "inv_9999999")]},
        "not_an_invoice": {"invoiceIds": [a["id"], gid("Ticket", raw(b["id"]))]},
    }
    if selection == "void":
        db.execute("UPDATE invoices SET status = 'VOID' WHERE id = ?", (raw(b["id"]),))
    if selection == "mixed_currency":
        db.execute("UPDATE invoices SET currency = 'EUR' WHERE id = ?", (raw(b["id"]),))
    sessions = sandbox.gateway.db.scalar("SELECT COUNT(*) FROM checkout_sessions")

    result = await pay(manager, **inputs[selection])

    assert error_codes(result) == [code]
    assert result["checkoutUrl"] is None and result["invoices"] == []
    assert result["userErrors"][0]["message"]
    assert sandbox.gateway.db.scalar("SELECT COUNT(*) FROM checkout_sessions") == sessions


async def test_a_strangers_invoice_looks_missing(sign_in: SignIn) -> None:
    ben = await sign_in("ben@okafor.example")
    [bens] = [i for i in await invoices_of(ben) if i["status"] == "OVERDUE"]
    manager = await sign_in(MDU)
    [mine] = await open_invoices(manager, 1)

    foreign = await pay(manager, invoiceIds=[mine["id"], bens["id"]])
    made_up = await pay(manager, invoiceIds=[mine["id"], gid("Invoice", "inv_9999999")])

    assert error_codes(foreign) == ["NOT_FOUND"]
    assert foreign == made_up


@pytest.mark.parametrize(
    ("email", "allowed"),
    [
        ("it@northwind.example", True),  # OWNER
        ("finance@northwind.example", True),  # FINANCE
        ("ops@northwind.example", True),  # MANAGER: as for `payInvoice`
        ("auditor@northwind.example", False),  # VIEWER
        ("airport@northwind.example", False),  # SITE: as for `payInvoice`, paying is for billing roles
    ],
)
async def test_roles_who_may_pay_as_for_one_invoice(sign_in: SignIn, email: str, allowed: bool) -> None:
    owner = await sign_in("it@northwind.example")
    [consolidated] = await open_invoices(owner, 1)
    user = await sign_in(email)

    answer = await user.execute(
        PAY_INVOICES, {"input": {"idempotencyKey": "k", "invoiceIds": [consolidated["id"]]}}
    )

    if allowed:
        assert answer["data"]["payInvoices"]["userErrors"] == []
        assert answer["data"]["payInvoices"]["checkoutUrl"]
    else:
        assert codes(answer) == ["FORBIDDEN"]
        assert answer["data"] is None or answer["data"].get("payInvoices") is None
