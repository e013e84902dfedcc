"""Two BFF instances sharing Redis, as real loopback servers: a payment whose webhook lands on instance A reaches
a subscriber's subscription on instance B.

The sandbox (uvicorn) sends the gateway's webhooks and the core's events to A only; B never hears from the
gateway. The subscriber logs in on B (bearer token), subscribes on B over graphql-transport-ws (the token in
`connection_init`, as a mobile client), and pays ben's overdue invoice the way the portal does: `payInvoice` on A,
then the card form of the gateway's hosted page over HTTP. Servers: `tests.harness.cluster.Cluster` (the
product's own `wispgate sandbox` and `wispgate serve`), stopped at the end.
"""

from __future__ import annotations

import base64
import time
from typing import Any

import httpx
import pytest

from tests.harness.cluster import Cluster, Socket, pay_hosted_page, wait_subscribed

pytest.importorskip("websockets")

BEN = "ben@okafor.example"
WAIT_S = 20.0

SETTLED = """
subscription Settled {
  paymentSettled {
    kind
    amount { amount currency }
    invoice { id number status balance { amount } }
    reactivated { id label status statusReason }
  }
}
"""
STATUS = "subscription Status { serviceStatusChanged { id label status statusReason } }"
OVERDUE = """
query Overdue {
  viewer { subscriber { invoices(first: 10, status: OVERDUE) { nodes { id number status balance { amount } } } } }
}
"""
PAY = """
mutation Pay($input: PayInvoiceInput!) {
  payInvoice(input: $input) { checkoutUrl userErrors { code message } }
}
"""


def raw_id(global_id: str) -> str:
    return base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode().partition(":")[2]


async def collect(socket: Socket, want: dict[str, int], deadline: float) -> dict[str, list[dict[str, Any]]]:
    """Messages by subscription id until each id in `want` has that many (bounded by `deadline`)."""
    got: dict[str, list[dict[str, Any]]] = {op: [] for op in want}
    while any(len(got[op]) < n for op, n in want.items()):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        try:
            message = await socket.next(remaining)
        except TimeoutError:
            break
        assert message.get("type") == "next", message
        got.setdefault(message["id"], []).append(message["payload"])
    return got


async def test_a_webhook_on_instance_a_reaches_a_subscription_on_instance_b(redis_url: str) -> None:
    with Cluster.running(redis_url) as cluster:
        async with (
            httpx.AsyncClient(timeout=30) as client,
            cluster.portal(cluster.a) as portal_a,
            cluster.portal(cluster.b) as portal_b,
        ):
            await portal_b.sign_in(BEN)
            await portal_a.sign_in(BEN)
            assert portal_b.token is not None
            data = await portal_b.data(OVERDUE)
            overdue = data["viewer"]["subscriber"]["invoices"]["nodes"]
            assert len(overdue) == 1, overdue
            invoice = overdue[0]

            async with Socket(cluster.b, portal_b.token) as socket_b:
                settled_op = await socket_b.subscribe(SETTLED)
                status_op = await socket_b.subscribe(STATUS)
                await wait_subscribed()

                pay = await portal_a.data(
                    PAY, {"input": {"invoiceId": invoice["id"], "idempotencyKey": "two-instances-1"}}
                )
                payload = pay["payInvoice"]
                assert payload["userErrors"] == [] and payload["checkoutUrl"], payload
                assert payload["checkoutUrl"].startswith(f"{cluster.sandbox}/_sandbox/gateway/pay/")
                paid = await pay_hosted_page(client, payload["checkoutUrl"])
                assert paid.status_code == 303, paid.text[:300]
                assert paid.headers["location"].startswith(f"{cluster.a}/payments/return?kind=invoice")

                got = await collect(socket_b, {settled_op: 1, status_op: 1}, time.monotonic() + WAIT_S)
                # Both checkout.session.completed and payment_intent.succeeded reach A: still one settlement.
                late = await collect(socket_b, {settled_op: 1, status_op: 1}, time.monotonic() + 1.5)
                for op, messages in late.items():
                    got.setdefault(op, []).extend(messages)

            settled = [p["data"]["paymentSettled"] for p in got[settled_op]]
            assert len(settled) == 1, f"paymentSettled on B: {got}"
            event = settled[0]
            assert event["kind"] == "INVOICE"
            assert event["amount"] == {"amount": invoice["balance"]["amount"], "currency": "USD"}
            assert event["invoice"]["id"] == invoice["id"]
            assert (event["invoice"]["status"], event["invoice"]["balance"]["amount"]) == ("PAID", "0.00")
            assert [(s["label"], s["status"]) for s in event["reactivated"]] == [
                ("Internet – Home", "ACTIVE")
            ]

            # serviceStatusChanged feeds on AAA's `service.status_changed` (core event → A → bus) and on the
            # settlement's `reactivated` list (so the card comes back even without core events): one message
            # per source, each the service as it is now.
            changes = [p["data"]["serviceStatusChanged"] for p in got[status_op]]
            assert 1 <= len(changes) <= 2, f"serviceStatusChanged on B: {got}"
            assert {(raw_id(c["id"]), c["label"], c["status"], c["statusReason"]) for c in changes} == {
                ("SS-1002-1", "Internet – Home", "ACTIVE", None)
            }, f"serviceStatusChanged on B: {got}"
