"""Subscriptions over a real WebSocket (graphql-transport-ws) against the real app over a real sandbox:
events published on the app's bus arrive as fresh objects, filtered to what the subscribed user may see.

Starlette's TestClient runs the app (and its lifespan) on an event loop in another thread; everything that
must happen on that loop (publishing on the bus, arranging data through a port) goes through its (anyio) portal.
A test that something is NOT delivered publishes it first and then an event that is: the first message
received must be the second one.
"""

from __future__ import annotations

import time
import uuid
import warnings
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest
from starlette.applications import Starlette
from starlette.exceptions import StarletteDeprecationWarning
from starlette.websockets import WebSocketDisconnect

from adapters.ports.money import Money
from adapters.wispgate.aaa import HttpAaa
from adapters.wispgate.billing import HttpBilling
from adapters.wispgate.client import BackendConfig, CoreClient, make_http_client
from adapters.wispgate.signing import sign
from bff.core.bus import PROFILE_CHANGED, BusEvent
from bff.core.settings import SANDBOX_EVENTS_SECRET, Settings
from bff.server.app import create_app
from sandbox.app import Sandbox
from sandbox.settings import SandboxSettings
from sandbox.world import DEMO_PASSWORD
from tests.harness.portal import GATEWAY_URL, LOGIN, portal_settings
from tests.harness.transport import DispatchTransport
from tests.schema.helpers import gid

with warnings.catch_warnings():
    # Starlette 1.10 prefers the `httpx2` package for its TestClient; plain httpx works the same here.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient, WebSocketDenialResponse

T = TypeVar("T")
PROTOCOL = "graphql-transport-ws"
WAIT_S = 5.0

STATUS = "subscription { serviceStatusChanged { id label status statusReason } }"
SETTLED = """
subscription {
  paymentSettled {
    kind amount { amount currency }
    invoice { id status balance { amount } }
    wallet { balance { amount } }
    reactivated { id status }
    settledAt
  }
}
"""
INVOICE = "subscription { invoiceChanged { id status balance { amount } } }"
WALLET = "subscription { walletChanged { balance { amount currency } } }"
NOTIFICATION = "subscription { notificationReceived { id kind title read } }"


class ThreadedApp:
    """The running app in a TestClient (its event loop in another thread, so that these synchronous tests
    can speak WebSocket to it), with helpers to log in and to run coroutines on its loop."""

    def __init__(self, client: TestClient, app: Starlette, transport: DispatchTransport) -> None:
        self.client = client
        self.app = app
        self.transport = transport

    def run(self, fn: Callable[[], Awaitable[T]]) -> T:
        return self.client.portal.call(fn)  # type: ignore[union-attr]

    def publish(self, event: BusEvent) -> None:
        self.run(lambda: self.app.state.bus.publish(event))

    def listeners(self, subscriber_id: str) -> int:
        count: int = self.app.state.bus.listener_count(subscriber_id)
        return count

    def wait_for_listeners(self, subscriber_id: str, n: int = 1) -> None:
        """Until `n` subscriptions of the subscriber are listening (subscribing is asynchronous)."""
        deadline = time.monotonic() + WAIT_S
        while self.listeners(subscriber_id) < n:
            assert time.monotonic() < deadline, "the subscription never started listening"
            time.sleep(0.01)

    def login(self, email: str, delivery: str = "BODY") -> str:
        response = self.client.post(
            "/graphql",
            json={
                "query": LOGIN,
                "variables": {"email": email, "password": DEMO_PASSWORD, "delivery": delivery},
            },
        )
        body = response.json()["data"]["login"]
        assert body["userErrors"] == [], body
        return str(body["accessToken"] or "")

    def billing(self, action: Callable[[HttpBilling], Awaitable[T]]) -> T:
        """Run `action` with Billing's port, on the app's loop, over the same sandbox."""

        async def go() -> T:
            config = BackendConfig("http://billing.test", SandboxSettings.service_key)
            async with make_http_client(config, self.transport) as http:
                return await action(HttpBilling(CoreClient("billing", http)))

        return self.run(go)


@contextmanager
def running(sandbox: Sandbox, settings: Settings) -> Iterator[ThreadedApp]:
    transport = DispatchTransport.to(sandbox.systems)
    app = create_app(settings, backends_transport=transport)
    with TestClient(app) as client:
        yield ThreadedApp(client, app, transport)


@pytest.fixture
def app(sandbox: Sandbox, settings: Settings) -> Iterator[ThreadedApp]:
    with running(sandbox, settings) as app:
        yield app


class Socket:
    """One graphql-transport-ws connection."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.next_id = 0

    def init(self, payload: dict[str, Any] | None = None) -> None:
        self.ws.send_json({"type": "connection_init", "payload": payload or {}})
        assert self.ws.receive_json() == {"type": "connection_ack"}

    def subscribe(self, query: str) -> str:
        self.next_id += 1
        op = str(self.next_id)
        self.ws.send_json({"id": op, "type": "subscribe", "payload": {"query": query}})
        return op

    def receive(self) -> dict[str, Any]:
        message: dict[str, Any] = self.ws.receive_json()
        return message

    def data(self, op: str) -> dict[str, Any]:
        message = self.receive()
        assert message["id"] == op and message["type"] == "next", message
        assert "errors" not in message["payload"], message
        data: dict[str, Any] = message["payload"]["data"]
        return data


@contextmanager
def socket(app: ThreadedApp, payload: dict[str, Any] | None = None, **kw: Any) -> Iterator[Socket]:
    with app.client.websocket_connect("/graphql", subprotocols=[PROTOCOL], **kw) as ws:
        assert ws.accepted_subprotocol == PROTOCOL
        connection = Socket(ws)
        connection.init(payload)
        yield connection


def bearer(token: str) -> dict[str, Any]:
    return {"authorization": f"Bearer {token}"}


def event(type_: str, subscriber_id: str, *subservice_ids: str, **data: Any) -> BusEvent:
    return BusEvent(
        id=str(uuid.uuid4()),
        type=type_,
        subscriber_id=subscriber_id,
        subservice_ids=subservice_ids,
        data=data,
        occurred_at="2026-11-25T10:00:00Z",
    )


def status_event(subscriber_id: str, subservice_id: str, status: str = "ACTIVE") -> BusEvent:
    return event(
        "service.status_changed",
        subscriber_id,
        subservice_id,
        subservice_id=subservice_id,
        status=status,
        reason=None,
    )


def open_invoice_of(app: ThreadedApp, subscriber_id: str) -> Any:
    async def find(billing: HttpBilling) -> Any:
        invoices = (await billing.invoices_for_subscribers([subscriber_id]))[subscriber_id]
        return next(i for i in invoices if i.status in ("OPEN", "OVERDUE"))

    return app.billing(find)


# ------------------------------------------------------------------------------------------ authentication


def test_mobile_client_sends_its_bearer_token_in_connection_init(app: ThreadedApp) -> None:
    token = app.login("ben@okafor.example")
    with socket(app, bearer(token)) as ws:
        op = ws.subscribe(STATUS)
        app.wait_for_listeners("SUB-1002")
        app.publish(status_event("SUB-1002", "SS-1002-1"))

        got = ws.data(op)["serviceStatusChanged"]

    # Read fresh from the backends: the seeded status, whatever the event claimed.
    assert got == {
        "id": gid("SubService", "SS-1002-1"),
        "label": "Internet – Home",
        "status": "SUSPENDED",
        "statusReason": "NON_PAYMENT",
    }


def test_a_plan_change_is_pushed_once_with_the_new_speeds(app: ThreadedApp) -> None:
    token = app.login("ana@lima.example")
    query = "subscription { serviceStatusChanged { id status profile { planName downMbps } } }"
    with socket(app, bearer(token)) as ws:
        op = ws.subscribe(query)
        app.wait_for_listeners("SUB-1001")

        async def upgrade() -> None:
            async with make_http_client(
                BackendConfig("http://aaa.test", SandboxSettings.service_key), app.transport
            ) as http:
                await HttpAaa(CoreClient("aaa", http)).set_profile("SS-1001-1", "Fiber 1000", 1000, 200)

        app.run(upgrade)
        # AAA's own event and the BFF's say the same: the subscriber hears it once.
        for n in (1, 2):
            app.publish(event(PROFILE_CHANGED, "SUB-1001", "SS-1001-1", subservice_id="SS-1001-1", n=n))
        app.publish(status_event("SUB-1001", "SS-1001-2"))
        first = ws.data(op)["serviceStatusChanged"]
        second = ws.data(op)["serviceStatusChanged"]
    assert first == {
        "id": gid("SubService", "SS-1001-1"),
        "status": "ACTIVE",
        "profile": {"planName": "Fiber 1000", "downMbps": 1000},
    }
    assert second["id"] == gid("SubService", "SS-1001-2")  # not the plan change again


def test_browser_uses_the_session_cookie_of_the_handshake(app: ThreadedApp) -> None:
    app.login("ana@lima.example", delivery="COOKIE")
    with socket(app) as ws:
        op = ws.subscribe(STATUS)
        app.wait_for_listeners("SUB-1001")
        app.publish(status_event("SUB-1001", "SS-1001-2"))
        assert ws.data(op)["serviceStatusChanged"]["id"] == gid("SubService", "SS-1001-2")


def test_subscribing_without_a_session_is_unauthenticated(app: ThreadedApp) -> None:
    with socket(app) as ws:
        op = ws.subscribe(STATUS)
        message = ws.receive()
    assert message["id"] == op
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert [e["extensions"]["code"] for e in errors] == ["UNAUTHENTICATED"]
    assert app.listeners("SUB-1001") == 0


def test_a_bad_token_in_connection_init_says_why(app: ThreadedApp) -> None:
    with socket(app, bearer("not-a-token")) as ws:
        ws.subscribe(STATUS)
        message = ws.receive()
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert errors[0]["extensions"].get("reason") == "TOKEN_INVALID"


def test_the_legacy_graphql_ws_protocol_is_refused(app: ThreadedApp) -> None:
    with (
        pytest.raises((WebSocketDisconnect, WebSocketDenialResponse)),
        app.client.websocket_connect("/graphql", subprotocols=["graphql-ws"]) as ws,
    ):
        # Should the server accept at all, it must not speak the legacy protocol.
        assert ws.accepted_subprotocol != "graphql-ws"
        ws.send_json({"type": "connection_init", "payload": {}})
        ws.receive_json()


def test_a_revoked_session_stops_receiving(app: ThreadedApp) -> None:
    token = app.login("ben@okafor.example")
    with socket(app, bearer(token)) as ws:
        op = ws.subscribe(STATUS)
        app.wait_for_listeners("SUB-1002")
        app.publish(status_event("SUB-1002", "SS-1002-1"))
        assert ws.data(op)["serviceStatusChanged"]["status"] == "SUSPENDED"

        response = app.client.post(
            "/graphql",
            json={"query": "mutation { logout { ok } }"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.json()["data"]["logout"]["ok"] is True
        app.publish(status_event("SUB-1002", "SS-1002-1"))

        assert ws.receive() == {"id": op, "type": "complete"}
        again = ws.subscribe(STATUS)
        refused = ws.receive()
        assert refused["id"] == again
        errors = refused["payload"] if refused["type"] == "error" else refused["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_user_disabled_in_the_crm_stops_receiving_at_once(app: ThreadedApp, sandbox: Sandbox) -> None:
    token = app.login("ops@northwind.example")
    with socket(app, bearer(token)) as ws:
        op = ws.subscribe(STATUS)
        app.wait_for_listeners("SUB-2001")
        sandbox.crm.disable_user("USR-21")
        # The CRM's signed event, as its delivery loop posts it: no other event is needed to end the stream.
        row = sandbox.crm.db.one("SELECT body FROM event_outbox WHERE type = 'portal_user.updated'")
        assert row is not None
        body = str(row["body"]).encode()
        signature = sign(SANDBOX_EVENTS_SECRET, body)
        posted = app.client.post("/hooks/core", content=body, headers={"x-wispgate-signature": signature})
        assert posted.json()["result"] == "published"
        assert ws.receive() == {"id": op, "type": "complete"}
        again = ws.subscribe(STATUS)
        refused = ws.receive()
        assert refused["id"] == again
        errors = refused["payload"] if refused["type"] == "error" else refused["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_session_revoked_from_another_device_has_its_socket_closed(app: ThreadedApp) -> None:
    phone = app.login("ops@northwind.example")
    laptop = app.login("ops@northwind.example")
    as_laptop = {"Authorization": f"Bearer {laptop}"}
    with socket(app, bearer(phone)) as ws:
        ws.subscribe(STATUS)
        app.wait_for_listeners("SUB-2001")
        listed = app.client.post(
            "/graphql", json={"query": "{ viewer { sessions { id current } } }"}, headers=as_laptop
        ).json()["data"]["viewer"]["sessions"]
        [phone_session] = [s["id"] for s in listed if not s["current"]]
        revoked = app.client.post(
            "/graphql",
            json={
                "query": "mutation($id: ID!) { revokeSession(input: {sessionId: $id}) { revokedSessionId } }",
                "variables": {"id": phone_session},
            },
            headers=as_laptop,
        )
        assert revoked.json()["data"]["revokeSession"]["revokedSessionId"] == phone_session
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive()
    assert closed.value.code == 4401


# ------------------------------------------------------------------------------------------ what arrives


def test_payment_settled_carries_the_invoice_as_it_is_now(app: ThreadedApp) -> None:
    token = app.login("ben@okafor.example")
    invoice = open_invoice_of(app, "SUB-1002")
    with socket(app, bearer(token)) as ws:
        op = ws.subscribe(SETTLED)
        app.wait_for_listeners("SUB-1002")
        # What the webhook would have done before publishing: record the payment.
        app.billing(
            lambda b: b.record_payment(
                external_ref="pi_test_ben", invoice_id=invoice.id, amount=invoice.balance, method="CARD"
            )
        )
        app.publish(
            event(
                "payment.settled",
                "SUB-1002",
                "SS-1002-1",
                kind="INVOICE",
                amount=str(invoice.balance.amount),
                currency="USD",
                invoice_id=invoice.id,
                reactivated_subservice_ids=["SS-1002-1"],
                payment_ref="pi_test_ben",
            )
        )
        got = ws.data(op)["paymentSettled"]

    assert got["kind"] == "INVOICE"
    assert got["amount"] == {"amount": str(invoice.balance.amount), "currency": "USD"}
    assert got["invoice"] == {
        "id": gid("Invoice", invoice.id),
        "status": "PAID",
        "balance": {"amount": "0.00"},
    }
    assert got["wallet"] == {"balance": {"amount": "10.00"}}
    assert got["reactivated"] == [{"id": gid("SubService", "SS-1002-1"), "status": "SUSPENDED"}]
    assert got["settledAt"] == "2026-11-25T10:00:00Z"


def test_each_event_is_read_fresh_not_from_the_connections_cache(app: ThreadedApp) -> None:
    token = app.login("it@northwind.example")
    invoice = open_invoice_of(app, "SUB-2001")
    with socket(app, bearer(token)) as ws:
        op = ws.subscribe(INVOICE)
        app.wait_for_listeners("SUB-2001")
        changed = event("invoice.updated", "SUB-2001", invoice_id=invoice.id)
        app.publish(changed)
        first = ws.data(op)["invoiceChanged"]
        app.billing(
            lambda b: b.apply_wallet(
                subscriber_id="SUB-2001",
                invoice_id=invoice.id,
                idempotency_key="fresh-test",
                amount=Money(invoice.balance.amount.__class__("10.00"), "USD"),
            )
        )
        app.publish(event("invoice.updated", "SUB-2001", invoice_id=invoice.id))
        second = ws.data(op)["invoiceChanged"]

    assert first["balance"]["amount"] == str(invoice.balance.amount)
    assert second["balance"]["amount"] == str(invoice.balance.amount - 10)


def test_one_top_up_is_one_wallet_changed(app: ThreadedApp) -> None:
    """A card top-up is two events on the bus — Billing's ledger entry (`wallet.changed`) and the settlement's
    `payment.settled` (WALLET_TOPUP) — and one `walletChanged`; an invoice payment is none."""
    token = app.login("ana@lima.example")
    with socket(app, bearer(token)) as ws:
        op = ws.subscribe(WALLET)
        app.wait_for_listeners("SUB-1001")
        app.billing(lambda b: b.redeem_gift_card(subscriber_id="SUB-1001", code="WG-GIFT-25"))
        app.publish(event("payment.settled", "SUB-1001", kind="INVOICE", amount="1.00", currency="USD"))
        # The top-up, as the settlement and Billing's event publish it (in either order).
        app.publish(event("payment.settled", "SUB-1001", kind="WALLET_TOPUP", amount="25.00", currency="USD"))
        app.publish(event("wallet.changed", "SUB-1001"))
        first = ws.data(op)["walletChanged"]
        # End the stream: the session ends, and the next event closes it instead of being delivered.
        response = app.client.post(
            "/graphql",
            json={"query": "mutation { logout { ok } }"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.json()["data"]["logout"]["ok"] is True
        app.publish(event("wallet.changed", "SUB-1001"))
        rest = []
        while (message := ws.receive())["type"] != "complete":
            rest.append(message)

    assert first == {"balance": {"amount": "30.00", "currency": "USD"}}
    assert rest == [], f"walletChanged was delivered {1 + len(rest)} times for one top-up: {rest}"


def test_notifications_reach_only_their_user(app: ThreadedApp, sandbox: Sandbox) -> None:
    async def notify() -> str:
        from adapters.wispgate.crm import HttpCrm

        config = BackendConfig("http://crm.test", SandboxSettings.service_key)
        async with make_http_client(config, app.transport) as http:
            crm = HttpCrm(CoreClient("crm", http))
            note = await crm.notify("SUB-1001", "GENERAL", "Planned maintenance", "Tonight 2-4 am.")
            return note.id

    token = app.login("ana@lima.example")
    with socket(app, bearer(token)) as ws:
        op = ws.subscribe(NOTIFICATION)
        app.wait_for_listeners("SUB-1001")
        note_id = app.run(notify)
        app.publish(event("notification.created", "SUB-1001", notification_id="NTF-UNKNOWN"))
        app.publish(event("notification.created", "SUB-1001", notification_id=note_id))
        got = ws.data(op)["notificationReceived"]

    assert got == {
        "id": gid("Notification", note_id),
        "kind": "GENERAL",
        "title": "Planned maintenance",
        "read": False,
    }


# ------------------------------------------------------------------------------------------ who sees what


def test_a_site_user_is_not_sent_notifications_about_the_wallet(app: ThreadedApp) -> None:
    """The top-up notice carries the balance; `wallet` is null for a SITE user, so is this notice."""

    async def notify(kind: str, title: str, body: str) -> str:
        from adapters.wispgate.crm import HttpCrm

        config = BackendConfig("http://crm.test", SandboxSettings.service_key)
        async with make_http_client(config, app.transport) as http:
            note = await HttpCrm(CoreClient("crm", http)).notify("SUB-2001", kind, title, body)  # type: ignore[arg-type]
            return note.id

    token = app.login("airport@northwind.example")
    with socket(app, bearer(token)) as ws:
        op = ws.subscribe(NOTIFICATION.replace("read", "read body"))
        app.wait_for_listeners("SUB-2001")
        wallet_note = app.run(
            lambda: notify("WALLET_CREDITED", "Wallet topped up", "Your balance is now $270.00.")
        )
        general = app.run(lambda: notify("GENERAL", "Planned maintenance", "Tonight 2-4 am."))
        app.publish(event("notification.created", "SUB-2001", notification_id=wallet_note))
        app.publish(event("notification.created", "SUB-2001", notification_id=general))
        got = ws.data(op)["notificationReceived"]

    assert got["id"] == gid("Notification", general)
    assert "balance" not in got["body"]


def test_site_user_receives_only_events_of_their_apartments(app: ThreadedApp) -> None:
    token = app.login("apt101@harborview.example")
    with socket(app, bearer(token)) as ws:
        status = ws.subscribe(STATUS)
        app.wait_for_listeners("SUB-3001")
        app.publish(status_event("SUB-3001", "SS-3001-103"))  # a neighbour's apartment
        app.publish(status_event("SUB-3001", "SS-1001-1"))  # another subscriber's, mislabelled
        app.publish(status_event("SUB-1001", "SS-1001-1"))  # another subscriber's
        app.publish(status_event("SUB-3001", "SS-3001-102"))
        assert ws.data(status)["serviceStatusChanged"]["id"] == gid("SubService", "SS-3001-102")


def test_site_user_never_sees_the_wallet_or_other_apartments_payments(app: ThreadedApp) -> None:
    token = app.login("apt101@harborview.example")
    neighbour = next(
        i
        for i in app.billing(lambda b: b.invoices_for_subservices(["SS-3001-103"]))["SS-3001-103"]
        if i.subservice_id == "SS-3001-103"
    )
    own = next(
        i
        for i in app.billing(lambda b: b.invoices_for_subservices(["SS-3001-101"]))["SS-3001-101"]
        if i.subservice_id == "SS-3001-101"
    )
    with socket(app, bearer(token)) as ws:
        wallet = ws.subscribe(WALLET)
        settled = ws.subscribe(SETTLED)
        app.wait_for_listeners("SUB-3001", 2)
        app.publish(event("wallet.changed", "SUB-3001"))
        app.publish(event("payment.settled", "SUB-3001", kind="WALLET_TOPUP", amount="50.00", currency="USD"))
        for invoice in (neighbour, own):
            app.publish(
                event(
                    "payment.settled",
                    "SUB-3001",
                    invoice.subservice_id,
                    kind="INVOICE",
                    amount=str(invoice.total.amount),
                    currency="USD",
                    invoice_id=invoice.id,
                    reactivated_subservice_ids=[],
                )
            )
        got = ws.data(settled)["paymentSettled"]

    assert got["invoice"]["id"] == gid("Invoice", own.id)
    assert got["wallet"] is None
    assert wallet == "1"  # subscribed, and nothing was delivered on it before the payment above


def test_manager_of_the_building_receives_every_apartment(app: ThreadedApp) -> None:
    token = app.login("manager@harborview.example")
    with socket(app, bearer(token)) as ws:
        op = ws.subscribe(STATUS)
        app.wait_for_listeners("SUB-3001")
        app.publish(status_event("SUB-3001", "SS-3001-103"))
        assert ws.data(op)["serviceStatusChanged"]["id"] == gid("SubService", "SS-3001-103")


def test_unsubscribing_removes_the_listener(app: ThreadedApp) -> None:
    token = app.login("ana@lima.example")
    with socket(app, bearer(token)) as ws:
        op = ws.subscribe(STATUS)
        app.wait_for_listeners("SUB-1001")
        ws.ws.send_json({"id": op, "type": "complete"})
        deadline = time.monotonic() + WAIT_S
        while app.listeners("SUB-1001"):
            assert time.monotonic() < deadline
            time.sleep(0.01)
    assert app.listeners("SUB-1001") == 0


# ------------------------------------------------------------------------------------------ Redis


def test_an_event_published_on_one_instance_reaches_a_subscriber_on_another(
    sandbox: Sandbox, tmp_path: Path, redis_url: str
) -> None:
    settings = portal_settings(
        tmp_path,
        GATEWAY_URL=GATEWAY_URL,
        REDIS_URL=redis_url,
        REDIS_PREFIX=f"wg-test-{uuid.uuid4().hex[:8]}:",
    )
    with running(sandbox, settings) as a, running(sandbox, settings) as b:
        token = a.login("ben@okafor.example")  # the session lives in Redis: instance B knows it too
        with socket(b, bearer(token)) as ws:
            op = ws.subscribe(STATUS)
            b.wait_for_listeners("SUB-1002")
            a.publish(status_event("SUB-1002", "SS-1002-1"))
            assert ws.data(op)["serviceStatusChanged"]["id"] == gid("SubService", "SS-1002-1")


def test_a_state_already_sent_is_not_sent_again(app: ThreadedApp) -> None:
    """A reactivation arrives as AAA's event and in the payment's reactivated list: one message, not two."""
    token = app.login("ana@lima.example")
    with socket(app, bearer(token)) as ws:
        op = ws.subscribe(STATUS)
        app.wait_for_listeners("SUB-1001")
        app.publish(status_event("SUB-1001", "SS-1001-2"))
        app.publish(
            event("payment.settled", "SUB-1001", "SS-1001-2", reactivated_subservice_ids=["SS-1001-2"])
        )
        app.publish(status_event("SUB-1001", "SS-1001-1"))
        first = ws.data(op)["serviceStatusChanged"]["id"]
        second = ws.data(op)["serviceStatusChanged"]["id"]
    assert (first, second) == (gid("SubService", "SS-1001-2"), gid("SubService", "SS-1001-1"))
