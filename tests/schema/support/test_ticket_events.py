"""`ticketChanged` and `notificationReceived` for tickets over a real WebSocket: each event is checked against
what the subscribed user may see — a SITE user gets only tickets of their sites (or ones they opened), a
VIEWER reads them like a manager, nobody gets another subscriber's — and every notification carries its link.

As in tests/schema/core/test_feed.py, a test that something is NOT delivered publishes it first and then an
event that is: the first message received must be the second one."""

from __future__ import annotations

from sandbox.app import Sandbox
from tests.schema.core.test_feed import ThreadedApp, app, bearer, event, socket  # noqa: F401 (fixture)
from tests.schema.helpers import gid

TICKET = "subscription { ticketChanged { number status subService { id } events { kind } } }"
NOTIFICATION = "subscription { notificationReceived { title link { kind id path } } }"


def test_site_user_gets_only_their_sites_tickets(app: ThreadedApp) -> None:  # noqa: F811
    token = app.login("airport@northwind.example")
    with socket(app, bearer(token)) as ws:
        op = ws.subscribe(TICKET)
        app.wait_for_listeners("SUB-2001")
        app.publish(event("ticket.updated", "SUB-2001", ticket_id="TCK-5"))  # account-level, the owner's
        app.publish(event("ticket.updated", "SUB-1001", ticket_id="TCK-1"))  # another subscriber's
        app.publish(event("ticket.updated", "SUB-2001", "SS-2001-5", ticket_id="TCK-3"))
        got = ws.data(op)["ticketChanged"]
        assert got["number"] == "TCK-3" and got["subService"] == {"id": gid("SubService", "SS-2001-5")}
        assert got["events"][0]["kind"] == "CREATED"


def test_a_forged_event_naming_a_foreign_ticket_is_dropped(app: ThreadedApp, sandbox: Sandbox) -> None:  # noqa: F811
    """The ticket decides, not the event: SUB-1002's event pointing at Ana's ticket yields nothing."""
    token = app.login("ben@okafor.example")
    ben = sandbox.crm.service.directory.users_of("SUB-1002")[0]["id"]
    own = sandbox.crm.service.tickets.open(
        subscriber_id="SUB-1002", category="OTHER", subject="Mine", body="Mine.", author_user_id=ben
    )
    with socket(app, bearer(token)) as ws:
        op = ws.subscribe(TICKET)
        app.wait_for_listeners("SUB-1002")
        app.publish(event("ticket.updated", "SUB-1002", ticket_id="TCK-1"))
        app.publish(event("ticket.updated", "SUB-1002", ticket_id="TCK-404"))
        app.publish(event("ticket.updated", "SUB-1002", ticket_id=own["id"]))
        assert ws.data(op)["ticketChanged"]["number"] == own["number"]


def test_viewer_and_owner_get_every_ticket_of_the_account(app: ThreadedApp) -> None:  # noqa: F811
    for email in ("auditor@northwind.example", "it@northwind.example"):
        token = app.login(email)
        with socket(app, bearer(token)) as ws:
            op = ws.subscribe(TICKET)
            app.wait_for_listeners("SUB-2001")
            app.publish(event("ticket.updated", "SUB-2001", ticket_id="TCK-5"))
            assert ws.data(op)["ticketChanged"]["number"] == "TCK-5", email


def test_reply_notifications_link_to_the_ticket(app: ThreadedApp, sandbox: Sandbox) -> None:  # noqa: F811
    token = app.login("airport@northwind.example")
    with socket(app, bearer(token)) as ws:
        op = ws.subscribe(NOTIFICATION)
        app.wait_for_listeners("SUB-2001")
        sandbox.crm.reply_to_ticket("TCK-3", "Priya", "We are on it.")
        note = sandbox.crm.service.notices.list_for(
            "SUB-2001", "USR-24", unread_only=False, limit=1, after=None
        )
        app.publish(
            event("notification.created", "SUB-2001", "SS-2001-5", notification_id=note["items"][0]["id"])
        )
        got = ws.data(op)["notificationReceived"]
        assert got["title"] == "New reply on ticket TCK-3"
        assert got["link"] == {"kind": "TICKET", "id": gid("Ticket", "TCK-3"), "path": "/support/TCK-3"}
