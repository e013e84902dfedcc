"""Dunning in the graph: `Subscriber.declinedInvoices` and `Invoice.dunning` over the sandbox after a real
billing run whose autopay charge failed. Every role that reads invoices reads the attempts; the card (brand,
last 4) only for those who may see saved cards; SITE users only for their sites' invoices."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from adapters.ports.billing import BillingPort
from sandbox.app import Sandbox
from tests.harness.portal import SignIn
from tests.schema.helpers import gid, subscriber

DECLINED = """
{ viewer { subscriber { declinedInvoices {
    id number balance { amount currency }
    dunning {
      state retries retriesLeft nextRetryOn suspendsOn lastDeclinedAt
      attempts { at retry outcome declineReason card { brand last4 } }
    }
} } } }
"""

INVOICE_DUNNING = """
query($id: ID!) { node(id: $id) { ... on Invoice { number dunning { state nextRetryOn attempts { retry } } } } }
"""


async def refused_autopay(sandbox: Sandbox, billing_port: BillingPort, subscriber_id: str) -> None:
    """Autopay on with a saved card the gateway no longer knows, then the operator's run: each unpaid invoice
    is charged and refused, and its dunning starts."""
    await billing_port.set_gateway_customer(subscriber_id, "cus_gone")
    await billing_port.add_payment_method(
        subscriber_id,
        gateway_token="pm_gone",
        brand="visa",
        last4="4242",
        exp_month=12,
        exp_year=2034,
        make_default=True,
    )
    await billing_port.set_autopay(subscriber_id, True)
    sandbox.billing.service.billing_run(date(2026, 11, 25), subscriber_id)


def declined(data: dict[str, Any]) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = subscriber(data)["declinedInvoices"]
    return result


async def test_owner_sees_each_attempt_with_the_card_and_the_schedule(
    sign_in: SignIn, sandbox: Sandbox, billing_port: BillingPort
) -> None:
    await refused_autopay(sandbox, billing_port, "SUB-2001")
    owner = await sign_in("it@northwind.example")

    [invoice] = declined(await owner.data(DECLINED))

    assert invoice["id"] == gid("Invoice", "inv_0000016")
    dunning = invoice["dunning"]
    assert dunning["state"] == "RETRYING"
    assert (dunning["retries"], dunning["retriesLeft"]) == (3, 3)
    assert dunning["nextRetryOn"] == "2026-11-26"
    assert dunning["suspendsOn"] == "2026-12-17"  # due 12-09 + 7 grace days, after the last retry (11-30)
    [attempt] = dunning["attempts"]
    assert attempt["retry"] == 0 and attempt["outcome"] == "REFUSED"
    assert attempt["declineReason"] == "CARD_NOT_FOUND"
    assert attempt["card"] == {"brand": "visa", "last4": "4242"}
    assert attempt["at"].startswith("2026-11-25T") and dunning["lastDeclinedAt"] == attempt["at"]

    # The same from the invoice itself.
    node = (await owner.data(INVOICE_DUNNING, {"id": invoice["id"]}))["node"]
    assert node["dunning"] == {"state": "RETRYING", "nextRetryOn": "2026-11-26", "attempts": [{"retry": 0}]}


@pytest.mark.parametrize(
    ("email", "card"),
    [("finance@northwind.example", True), ("auditor@northwind.example", False)],
)
async def test_finance_and_viewer_read_the_attempts_only_finance_the_card(
    sign_in: SignIn, sandbox: Sandbox, billing_port: BillingPort, email: str, card: bool
) -> None:
    await refused_autopay(sandbox, billing_port, "SUB-2001")
    user = await sign_in(email)

    [invoice] = declined(await user.data(DECLINED))

    [attempt] = invoice["dunning"]["attempts"]
    assert attempt["outcome"] == "REFUSED"
    assert (attempt["card"] is not None) is card


async def test_site_user_sees_only_the_invoices_of_their_sites(
    sign_in: SignIn, sandbox: Sandbox, billing_port: BillingPort
) -> None:
    await refused_autopay(sandbox, billing_port, "SUB-3001")
    manager = await sign_in("manager@harborview.example")
    site = await sign_in("apt101@harborview.example")

    everything = declined(await manager.data(DECLINED))
    own = declined(await site.data(DECLINED))

    assert len(everything) == 40
    assert {i["id"] for i in own} == {gid("Invoice", "inv_0000137"), gid("Invoice", "inv_0000138")}
    assert all(i["dunning"]["attempts"][0]["card"] is None for i in own)
    # Another apartment's invoice by ID: nothing, as for an invoice that does not exist.
    other = await site.data(INVOICE_DUNNING, {"id": gid("Invoice", "inv_0000139")})
    assert other["node"] is None


async def test_no_decline_no_dunning(sign_in: SignIn) -> None:
    ana = await sign_in("ana@lima.example")
    data = await ana.data(
        "{ viewer { subscriber { declinedInvoices { id } invoices(first: 1) { nodes { dunning { state } } } } } }"
    )
    assert subscriber(data)["declinedInvoices"] == []
    assert subscriber(data)["invoices"]["nodes"][0]["dunning"] is None


async def test_the_reads_are_one_batch_each_whatever_the_number_of_invoices(
    sign_in: SignIn, sandbox: Sandbox, billing_port: BillingPort
) -> None:
    await refused_autopay(sandbox, billing_port, "SUB-3001")
    manager = await sign_in("manager@harborview.example")

    before = len(manager.transport.paths)
    assert len(declined(await manager.data(DECLINED))) == 40
    # One Billing read brings the invoices with their dunning.
    assert [p for p in manager.transport.paths[before:] if "billing.test" in p] == [
        "POST billing.test/v1/dunning:by-subscriber"
    ]

    before = len(manager.transport.paths)
    data = await manager.data(
        "{ viewer { subscriber { invoices(first: 40) { nodes { dunning { state } } } } } }"
    )
    assert len(subscriber(data)["invoices"]["nodes"]) == 40
    assert manager.transport.paths[before:].count("POST billing.test/v1/dunning:by-invoice") == 1
