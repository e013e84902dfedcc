"""CRM tickets over HTTP: opening with SLA, conversation and status rules, attachments, the support side."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import httpx
import pytest

from sandbox.common.clock import parse_iso
from sandbox.crm.config import MAX_ATTACHMENT_BYTES
from sandbox.crm.service import sla
from sandbox.crm.service.attachments import safe_filename
from sandbox.crm.system import CrmSystem
from tests.sandbox.crm.support import OPS

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
)


def events(crm: CrmSystem) -> list[dict[str, Any]]:
    return list(reversed(crm.outbox.list()))


def new_ticket(**overrides: Any) -> dict[str, Any]:
    return {
        "subscriber_id": "SUB-3001",
        "subservice_id": "SS-3001-102",
        "category": "CONNECTIVITY",
        "subject": "No internet in Apt 102",
        "body": "The ONT light is red.",
        "author_user_id": "USR-31",
        **overrides,
    }


async def upload(
    client: httpx.AsyncClient, ticket_id: str, name: str, data: bytes, content_type: str, **form: str
) -> httpx.Response:
    return await client.post(
        f"/v1/tickets/{ticket_id}/attachments", files={"file": (name, data, content_type)}, data=form
    )


# -- seed ------------------------------------------------------------------------------------------------
async def test_seeded_tickets(client: httpx.AsyncClient) -> None:
    items = (
        await client.post("/v1/tickets:batch", json={"ids": ["TCK-1", "TCK-2", "TCK-3", "TCK-4", "TCK-5"]})
    ).json()
    tickets = {t["id"]: t for t in items["items"]}
    assert set(tickets) == {"TCK-1", "TCK-2", "TCK-3", "TCK-4", "TCK-5"}
    airport = tickets["TCK-3"]
    assert (airport["queue"], airport["status"], airport["priority"]) == (
        "Network Operations",
        "OPEN",
        "HIGH",
    )
    assert airport["opened_by_user_id"] == "USR-24"  # the Airport branch's site user
    assert airport["sla"]["first_responded_at"] is None
    opened = parse_iso(airport["created_at"])
    assert parse_iso(airport["sla"]["first_response_due_at"]) == opened + timedelta(hours=4)
    assert parse_iso(airport["sla"]["resolution_due_at"]) == opened + timedelta(hours=24)
    assert opened.date().isoformat() == "2026-11-25"
    waiting = tickets["TCK-4"]
    assert waiting["sla"]["first_responded_at"] == waiting["messages"][1]["created_at"]
    assert [m["author_kind"] for m in waiting["messages"]] == ["CUSTOMER", "SUPPORT"]
    assert waiting["messages"][0]["author_name"] == "Leo Martins"
    assert tickets["TCK-2"]["sla"]["resolved_at"] is not None
    assert tickets["TCK-5"]["status"] == "CLOSED" and tickets["TCK-5"]["queue"] == "Billing Desk"
    assert tickets["TCK-1"]["queue"] == "Field Service"
    assert tickets["TCK-1"]["created_at"].startswith("2026-11-23")


# -- opening ---------------------------------------------------------------------------------------------
async def test_open_ticket_with_policy_sla_and_event(client: httpx.AsyncClient, crm: CrmSystem) -> None:
    response = await client.post("/v1/tickets", json=new_ticket())
    assert response.status_code == 201
    ticket = response.json()
    assert ticket["number"] == ticket["id"] == "TCK-6"
    assert (ticket["status"], ticket["priority"], ticket["queue"]) == ("OPEN", "HIGH", "Network Operations")
    opened = parse_iso(ticket["created_at"])
    assert parse_iso(ticket["sla"]["first_response_due_at"]) - opened == timedelta(hours=4)
    assert parse_iso(ticket["sla"]["resolution_due_at"]) - opened == timedelta(hours=24)
    assert ticket["sla"]["first_response_breached"] is False
    assert [(m["author_kind"], m["author_name"], m["body"]) for m in ticket["messages"]] == [
        ("CUSTOMER", "Leo Martins", "The ONT light is red.")
    ]
    created = events(crm)[-1]
    assert created["type"] == "ticket.created"
    assert created["subscriber_id"] == "SUB-3001" and created["subservice_id"] == "SS-3001-102"
    assert created["body"]["data"]["ticket_id"] == "TCK-6"
    assert (await client.get("/v1/tickets/TCK-6")).json() == ticket


@pytest.mark.parametrize(
    ("category", "priority", "expected", "hours"),
    [
        ("BILLING", None, "NORMAL", (8, 72)),
        ("OTHER", None, "LOW", (24, 120)),
        ("DEVICE", "URGENT", "URGENT", (1, 4)),
        ("INSTALLATION", None, "NORMAL", (8, 72)),
    ],
)
async def test_priority_defaults_and_targets(
    client: httpx.AsyncClient, category: str, priority: str | None, expected: str, hours: tuple[int, int]
) -> None:
    ticket = (await client.post("/v1/tickets", json=new_ticket(category=category, priority=priority))).json()
    assert ticket["priority"] == expected
    assert ticket["queue"] == sla.QUEUES[category]
    opened = parse_iso(ticket["created_at"])
    assert parse_iso(ticket["sla"]["first_response_due_at"]) == opened + timedelta(hours=hours[0])
    assert parse_iso(ticket["sla"]["resolution_due_at"]) == opened + timedelta(hours=hours[1])


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"subservice_id": "SS-2001-1"}, "SUBSERVICE_MISMATCH"),
        ({"subservice_id": "SS-NOPE"}, "SUBSERVICE_MISMATCH"),
        ({"author_user_id": "USR-20"}, "USER_MISMATCH"),
        ({"author_user_id": "USR-404"}, "UNKNOWN_USER"),
        ({"subscriber_id": "SUB-404"}, "UNKNOWN_SUBSCRIBER"),
        ({"category": "WEATHER"}, "INVALID_REQUEST"),
        ({"priority": "CRITICAL"}, "INVALID_REQUEST"),
        ({"subject": "x" * 201}, "INVALID_REQUEST"),
        ({"subject": "   "}, "INVALID_REQUEST"),
        ({"body": "x" * 10_001}, "INVALID_REQUEST"),
    ],
)
async def test_open_ticket_refusals(client: httpx.AsyncClient, overrides: dict[str, Any], code: str) -> None:
    response = await client.post("/v1/tickets", json=new_ticket(**overrides))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == code


async def test_disabled_user_cannot_open_tickets(client: httpx.AsyncClient, crm: CrmSystem) -> None:
    crm.disable_user("USR-31")
    response = await client.post("/v1/tickets", json=new_ticket())
    assert response.json()["error"]["code"] == "USER_DISABLED"


async def test_list_tickets_newest_first_with_filter_and_cursor(client: httpx.AsyncClient) -> None:
    url = "/v1/subscribers/SUB-2001/tickets"
    everything = (await client.get(url)).json()
    assert [t["id"] for t in everything["items"]] == ["TCK-5", "TCK-3"]
    assert everything["total_count"] == 2 and "messages" not in everything["items"][0]
    assert everything["items"][0]["message_count"] == 2
    open_only = (await client.get(url, params={"status": ["OPEN", "IN_PROGRESS"]})).json()
    assert [t["id"] for t in open_only["items"]] == ["TCK-3"] and open_only["total_count"] == 1
    first = (await client.get(url, params={"limit": 1})).json()
    second = (await client.get(url, params={"limit": 1, "after": first["next_cursor"]})).json()
    assert [t["id"] for t in first["items"] + second["items"]] == ["TCK-5", "TCK-3"]
    assert second["next_cursor"] is None
    assert (await client.get(url, params={"status": "LOST"})).status_code == 422
    assert (await client.get("/v1/subscribers/SUB-404/tickets")).status_code == 404


# -- conversation ----------------------------------------------------------------------------------------
async def test_customer_reply_hands_a_waiting_ticket_back(client: httpx.AsyncClient, crm: CrmSystem) -> None:
    response = await client.post(
        "/v1/tickets/TCK-4/messages", json={"author_user_id": "USR-31", "body": "320 Mbps"}
    )
    assert response.status_code == 201
    ticket = response.json()
    assert ticket["status"] == "IN_PROGRESS"
    assert ticket["messages"][-1]["body"] == "320 Mbps"
    assert ticket["messages"][-1]["author_user_id"] == "USR-31"
    last = events(crm)[-1]
    assert last["type"] == "ticket.updated" and last["body"]["data"]["status"] == "IN_PROGRESS"


async def test_customer_reply_reopens_a_resolved_ticket(client: httpx.AsyncClient) -> None:
    ticket = (
        await client.post(
            "/v1/tickets/TCK-2/messages", json={"author_user_id": "USR-1", "body": "Still wrong."}
        )
    ).json()
    assert ticket["status"] == "OPEN"
    assert ticket["sla"]["resolved_at"] is None


async def test_closed_ticket_refuses_replies_and_files(client: httpx.AsyncClient, crm: CrmSystem) -> None:
    before = len(events(crm))
    reply = await client.post(
        "/v1/tickets/TCK-5/messages", json={"author_user_id": "USR-20", "body": "Hello?"}
    )
    assert reply.status_code == 409
    assert reply.json()["error"]["code"] == "TICKET_CLOSED"
    support = await client.post(
        "/v1/ops/tickets/TCK-5/reply", json={"agent_name": "Eve", "body": "Hi"}, headers=OPS
    )
    assert support.status_code == 409
    file = await upload(client, "TCK-5", "a.txt", b"hello", "text/plain")
    assert file.status_code == 409
    assert len(events(crm)) == before
    assert (await client.get("/v1/tickets/TCK-5")).json()["message_count"] == 2


async def test_reply_from_another_subscribers_user_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/tickets/TCK-4/messages", json={"author_user_id": "USR-1", "body": "hi"})
    assert response.json()["error"]["code"] == "USER_MISMATCH"
    assert (
        await client.post("/v1/tickets/TCK-404/messages", json={"author_user_id": "USR-1", "body": "x"})
    ).status_code == 404


async def test_customer_close_is_idempotent(client: httpx.AsyncClient, crm: CrmSystem) -> None:
    first = await client.post("/v1/tickets/TCK-1/close", json={"user_id": "USR-1"})
    assert first.status_code == 200
    assert first.json()["status"] == "CLOSED" and first.json()["sla"]["resolved_at"] is not None
    count = len(events(crm))
    again = await client.post("/v1/tickets/TCK-1/close", json={"user_id": "USR-1"})
    assert again.json()["status"] == "CLOSED"
    assert len(events(crm)) == count


# -- the support side ------------------------------------------------------------------------------------
async def test_operator_reply_notifies_and_emails(client: httpx.AsyncClient, crm: CrmSystem) -> None:
    before = len(events(crm))
    response = await client.post(
        "/v1/ops/tickets/TCK-3/reply",
        json={"agent_name": "Priya (NOC)", "body": "We replaced a faulty SFP; please re-test."},
        headers=OPS,
    )
    assert response.status_code == 201
    ticket = response.json()
    assert ticket["status"] == "IN_PROGRESS"
    assert ticket["messages"][-1]["author_kind"] == "SUPPORT"
    assert ticket["messages"][-1]["author_name"] == "Priya (NOC)"
    responded = ticket["sla"]["first_responded_at"]
    assert responded == ticket["messages"][-1]["created_at"]
    new = events(crm)[before:]
    assert sorted(e["type"] for e in new) == ["notification.created", "ticket.updated"]
    notes = (
        await client.get(
            "/v1/subscribers/SUB-2001/notifications", params={"user_id": "USR-24", "unread_only": "1"}
        )
    ).json()
    assert notes["items"][0]["kind"] == "TICKET_UPDATED"
    assert "TCK-3" in notes["items"][0]["title"]
    assert notes["items"][0]["subservice_id"] == "SS-2001-5"
    email = (await client.get("/v1/ops/emails", params={"limit": 1}, headers=OPS)).json()["items"][0]
    assert email["to"] == "airport@northwind.example"  # whoever opened the ticket
    assert "We replaced a faulty SFP" in email["body"]
    # A second reply keeps the first response time and can hand the ticket to the customer.
    again = crm.reply_to_ticket("TCK-3", "Priya (NOC)", "Any better?", status="WAITING_ON_CUSTOMER")
    assert again["sla"]["first_responded_at"] == responded
    assert again["status"] == "WAITING_ON_CUSTOMER"
    assert len(crm.emails()) == 2


async def test_operator_status_changes(client: httpx.AsyncClient, crm: CrmSystem) -> None:
    resolved = await client.post("/v1/ops/tickets/TCK-1/status", json={"status": "RESOLVED"}, headers=OPS)
    assert resolved.status_code == 200
    assert resolved.json()["status"] == "RESOLVED" and resolved.json()["sla"]["resolved_at"] is not None
    assert events(crm)[-1]["type"] == "notification.created"
    closed = crm.set_ticket_status("TCK-1", "CLOSED")
    assert closed["sla"]["resolved_at"] == resolved.json()["sla"]["resolved_at"]
    refused = await client.post("/v1/ops/tickets/TCK-1/status", json={"status": "OPEN"}, headers=OPS)
    assert refused.status_code == 409
    bad = await client.post("/v1/ops/tickets/TCK-1/status", json={"status": "DONE"}, headers=OPS)
    assert bad.status_code == 422
    missing = await client.post("/v1/ops/tickets/TCK-404/status", json={"status": "CLOSED"}, headers=OPS)
    assert missing.status_code == 404


async def test_support_queue(client: httpx.AsyncClient) -> None:
    queue = (await client.get("/v1/ops/tickets", headers=OPS)).json()["items"]
    assert {t["id"] for t in queue} == {"TCK-1", "TCK-3", "TCK-4"}
    due = [t["sla"]["resolution_due_at"] for t in queue]
    assert due == sorted(due)
    closed = (await client.get("/v1/ops/tickets", params={"status": "CLOSED"}, headers=OPS)).json()["items"]
    assert [t["id"] for t in closed] == ["TCK-5"]


def test_sla_breach_flags() -> None:
    opened = parse_iso("2026-11-20T09:00:00Z")
    first_due, resolution_due = sla.due_times("NORMAL", opened)
    row = {
        "created_at": opened.isoformat(),
        "first_response_due_at": first_due.isoformat(),
        "resolution_due_at": resolution_due.isoformat(),
        "first_responded_at": (opened + timedelta(hours=9)).isoformat(),
        "resolved_at": None,
    }
    view = sla.sla_view(row, at=opened + timedelta(hours=10))
    assert view["first_response_breached"] is True and view["resolution_breached"] is False
    assert sla.sla_view(row, at=opened + timedelta(hours=73))["resolution_breached"] is True
    on_time = {**row, "first_responded_at": (opened + timedelta(hours=1)).isoformat()}
    assert sla.sla_view(on_time, at=opened + timedelta(days=30))["first_response_breached"] is False
    # Met once reached in time; elapsed is the share of the 72 h resolution window, capped at 100.
    assert view["first_response_met"] is False and view["resolution_met"] is False
    assert sla.sla_view(on_time, at=opened + timedelta(hours=2))["first_response_met"] is True
    assert view["elapsed_percent"] == round(10 / 72 * 100, 1)
    assert sla.sla_view(row, at=opened + timedelta(days=30))["elapsed_percent"] == 100.0
    resolved = {**on_time, "resolved_at": (opened + timedelta(hours=36)).isoformat()}
    late_view = sla.sla_view(resolved, at=opened + timedelta(days=30))
    assert (late_view["resolution_met"], late_view["elapsed_percent"]) == (True, 50.0)


# -- attachments -----------------------------------------------------------------------------------------
async def test_png_upload_then_download_returns_the_same_bytes(
    client: httpx.AsyncClient, crm: CrmSystem
) -> None:
    response = await upload(client, "TCK-4", "../../etc/speed test.png", PNG, "image/png", message_id="MSG-6")
    assert response.status_code == 201, response.text
    meta = response.json()
    assert meta["filename"] == "speed test.png"
    assert (meta["content_type"], meta["size_bytes"], meta["message_id"]) == ("image/png", len(PNG), "MSG-6")
    assert meta["sha256"] == hashlib.sha256(PNG).hexdigest()
    stored = list(crm.attachments_dir.iterdir())
    assert len(stored) == 1 and "speed" not in stored[0].name
    download = await client.get(f"/v1/attachments/{meta['id']}")
    assert download.status_code == 200
    assert download.content == PNG
    assert download.headers["content-type"] == "image/png"
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-disposition"] == 'attachment; filename="speed test.png"'
    ticket = (await client.get("/v1/tickets/TCK-4")).json()
    assert ticket["attachments"] == [meta]
    assert ticket["messages"][0]["attachment_ids"] == [meta["id"]]
    assert events(crm)[-1]["body"]["data"]["change"] == "attachment"
    batch = (await client.post("/v1/attachments:batch", json={"ids": [meta["id"], "ATT-404"]})).json()
    assert batch["items"] == [meta]
    assert (await client.get("/v1/attachments/ATT-404")).status_code == 404


async def test_too_large_upload_is_refused_cleanly(client: httpx.AsyncClient, crm: CrmSystem) -> None:
    big = b"a" * (MAX_ATTACHMENT_BYTES + 1)
    response = await upload(client, "TCK-4", "log.txt", big, "text/plain")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "ATTACHMENT_TOO_LARGE"
    assert not crm.attachments_dir.exists() or not list(crm.attachments_dir.iterdir())
    exactly = await upload(client, "TCK-4", "log.txt", big[:-1], "text/plain")
    assert exactly.status_code == 201


@pytest.mark.parametrize(
    ("name", "data", "content_type", "code"),
    [
        ("setup.exe", b"MZ\x90\x00", "application/x-msdownload", "ATTACHMENT_TYPE_NOT_ALLOWED"),
        ("page.html", b"<script>", "text/html", "ATTACHMENT_TYPE_NOT_ALLOWED"),
        ("fake.png", b"<svg onload=alert(1)>", "image/png", "ATTACHMENT_CONTENT_MISMATCH"),
        ("fake.pdf", PNG, "application/pdf", "ATTACHMENT_CONTENT_MISMATCH"),
        ("bin.txt", b"\xff\xfe\x00", "text/plain", "ATTACHMENT_CONTENT_MISMATCH"),
        ("empty.txt", b"", "text/plain", "ATTACHMENT_EMPTY"),
    ],
)
async def test_disallowed_attachments(
    client: httpx.AsyncClient, name: str, data: bytes, content_type: str, code: str
) -> None:
    response = await upload(client, "TCK-4", name, data, content_type)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == code


async def test_malformed_uploads(client: httpx.AsyncClient) -> None:
    not_multipart = await client.post("/v1/tickets/TCK-4/attachments", json={"file": "x"})
    assert not_multipart.status_code == 400
    assert not_multipart.json()["error"]["code"] == "INVALID_MULTIPART"
    no_file = await client.post(
        "/v1/tickets/TCK-4/attachments", files={"other": ("a.txt", b"hi", "text/plain")}
    )
    assert no_file.json()["error"]["code"] == "FILE_REQUIRED"
    truncated = await client.post(
        "/v1/tickets/TCK-4/attachments",
        content=b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nhel',
        headers={"content-type": "multipart/form-data; boundary=b"},
    )
    assert truncated.status_code == 400
    wrong_message = await upload(client, "TCK-4", "a.txt", b"hi", "text/plain", message_id="MSG-1")
    assert wrong_message.json()["error"]["code"] == "MESSAGE_MISMATCH"
    missing = await upload(client, "TCK-404", "a.txt", b"hi", "text/plain")
    assert missing.status_code == 404


async def test_at_most_ten_attachments_per_ticket(client: httpx.AsyncClient) -> None:
    for i in range(10):
        assert (await upload(client, "TCK-4", f"{i}.txt", b"note", "text/plain")).status_code == 201
    eleventh = await upload(client, "TCK-4", "10.txt", b"note", "text/plain")
    assert eleventh.status_code == 422
    assert eleventh.json()["error"]["code"] == "TOO_MANY_ATTACHMENTS"


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("C:\\Users\\ana\\photo.jpg", "photo.jpg"),
        ("../../../etc/passwd", "passwd"),
        ('a"b;c.pdf', "a_b_c.pdf"),
        ("...", "attachment"),
        ("x" * 300 + ".png", "x" * 116 + ".png"),
    ],
)
def test_safe_filename(raw: str, safe: str) -> None:
    assert safe_filename(raw) == safe
