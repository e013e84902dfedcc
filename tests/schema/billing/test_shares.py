"""What each role is shown as owed agrees with the invoices it may list (issue 12, items 3 and 5): a SITE user's
share of the account's consolidated invoice is marked as billed on an invoice they do not list, the viewer says
whether the wallet is theirs to see, and each sub-service's page gets its part of every open invoice."""

from __future__ import annotations

from decimal import Decimal

from tests.harness.portal import SignIn
from tests.schema.helpers import nodes, subscriber

SUMMARY = """query { viewer { canSeeWallet subscriber {
  financialSummary { outstanding { amount } outstandingOnAccountInvoices { amount currency } }
  invoices(first: 50, status: OPEN) { totalCount nodes { balance { amount } } }
  overdue: invoices(first: 50, status: OVERDUE) { totalCount nodes { balance { amount } } }
} } }"""

SHARES = """query { viewer { subscriber { subServices(first: 50) { nodes {
  label
  billing {
    outstanding { amount }
    openInvoiceShares {
      dueOn overdue subServiceCount amount { amount currency }
      invoice { number total { amount } balance { amount } }
    }
  }
} } } } }"""


def _listed_owed(me: dict) -> Decimal:
    return sum(
        (Decimal(i["balance"]["amount"]) for key in ("invoices", "overdue") for i in nodes(me[key])),
        Decimal(0),
    )


async def test_a_site_user_on_a_consolidated_account_is_told_the_amount_is_on_the_account_invoice(
    sign_in: SignIn,
) -> None:
    data = await (await sign_in("airport@northwind.example")).data(SUMMARY)
    me = subscriber(data)
    summary = me["financialSummary"]
    assert data["viewer"]["canSeeWallet"] is False
    assert me["invoices"]["totalCount"] == me["overdue"]["totalCount"] == 0
    owed = Decimal(summary["outstanding"]["amount"])
    assert owed > 0
    # Everything they owe is on the account's invoice: what they can list (nothing) plus that is the total.
    assert Decimal(summary["outstandingOnAccountInvoices"]["amount"]) == owed
    assert summary["outstandingOnAccountInvoices"]["currency"] == "USD"


async def test_other_roles_list_every_invoice_behind_what_they_owe(sign_in: SignIn) -> None:
    for email, wallet in (
        ("it@northwind.example", True),
        ("finance@northwind.example", True),
        ("auditor@northwind.example", True),
        ("apt101@harborview.example", False),  # SITE, but billed per apartment: their invoices are listed
        ("ben@okafor.example", True),
    ):
        data = await (await sign_in(email)).data(SUMMARY)
        me = subscriber(data)
        summary = me["financialSummary"]
        assert data["viewer"]["canSeeWallet"] is wallet, email
        assert summary["outstandingOnAccountInvoices"]["amount"] == "0.00", email
        assert _listed_owed(me) == Decimal(summary["outstanding"]["amount"]), email


async def test_each_service_shows_its_share_of_the_household_invoice(sign_in: SignIn) -> None:
    services = nodes(subscriber(await (await sign_in("ana@lima.example")).data(SHARES))["subServices"])
    by_label = {s["label"]: s["billing"] for s in services}
    internet = by_label["Internet – Home"]
    [share] = internet["openInvoiceShares"]
    # The $92.97 household invoice covers both services; Internet's part is its $54.99 plan and the $10.00
    # router installment, which is the $64.99 it shows as outstanding.
    assert share["invoice"]["total"]["amount"] == "92.97"
    assert share["subServiceCount"] == 2
    assert share["amount"] == {"amount": "64.99", "currency": "USD"}
    assert share["amount"]["amount"] == internet["outstanding"]["amount"]
    assert share["overdue"] is False and share["dueOn"] == "2026-11-30"
    # The two services' parts add up to the invoice's balance.
    parts = [b["openInvoiceShares"][0]["amount"]["amount"] for b in by_label.values()]
    assert sum(Decimal(p) for p in parts) == Decimal(share["invoice"]["balance"]["amount"])


async def test_a_site_user_gets_their_share_without_the_invoice_they_may_not_list(sign_in: SignIn) -> None:
    services = nodes(
        subscriber(await (await sign_in("airport@northwind.example")).data(SHARES))["subServices"]
    )
    assert len(services) == 2
    for service in services:
        billing = service["billing"]
        [share] = billing["openInvoiceShares"]
        assert share["invoice"] is None  # the consolidated invoice stays hidden from a SITE user
        assert share["subServiceCount"] == 10
        assert share["amount"]["amount"] == billing["outstanding"]["amount"]
        assert Decimal(share["amount"]["amount"]) > 0


async def test_a_per_apartment_invoice_is_all_the_apartment_owes(sign_in: SignIn) -> None:
    services = nodes(
        subscriber(await (await sign_in("apt101@harborview.example")).data(SHARES))["subServices"]
    )
    for service in services:
        [share] = service["billing"]["openInvoiceShares"]
        assert share["subServiceCount"] == 1
        assert share["invoice"] is not None
        assert share["amount"]["amount"] == share["invoice"]["balance"]["amount"]
