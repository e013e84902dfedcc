"""The CRM's support desk beyond opening and answering: the ticket history, reopening, rating, categories and
queues, support's attachments, notification links, and e-mail over a real SMTP connection to a local sink."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from adapters.brand import Brand
from sandbox.crm.service.mail_outbox import MailRelay
from sandbox.crm.service.mailer import Mailer, MailError, SmtpSettings, smtp_settings
from sandbox.crm.system import CrmSystem
from sandbox.mailsink import MailSink
from sandbox.settings import load_sandbox_settings
from tests.sandbox.crm.support import OPS, crm_config

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def kinds(ticket: dict[str, object]) -> list[str]:
    events = ticket["events"]
    assert isinstance(events, list)
    return [e["kind"] for e in events]


async def test_every_interaction_is_in_the_history(client: httpx.AsyncClient, crm: CrmSystem) -> None:
    opened = (
        await client.post(
            "/v1/tickets",
            json={
                "subscriber_id": "SUB-1001",
                "subservice_id": "SS-1001-1",
                "category": "CONNECTIVITY",
                "subject": "Wi-Fi drops",
                "body": "Every evening.",
                "author_user_id": "USR-1",
            },
        )
    ).json()
    ticket_id = opened["id"]
    assert kinds(opened) == ["CREATED", "ASSIGNED"]
    assert opened["events"][1]["detail"] == "Network Operations"
    reply = await client.post(
        f"/v1/ops/tickets/{ticket_id}/reply", json={"agent_name": "Priya", "body": "Restart it?"}, headers=OPS
    )
    assert reply.status_code == 201
    files = {"file": ("diagram.png", PNG, "image/png")}
    attached = await client.post(f"/v1/ops/tickets/{ticket_id}/attachments", files=files, headers=OPS)
    assert attached.status_code == 201, attached.text
    assert attached.json()["message_id"] == reply.json()["messages"][-1]["id"]  # support's latest message
    resolved = await client.post(
        f"/v1/ops/tickets/{ticket_id}/status", json={"status": "RESOLVED", "agent_name": "Priya"}, headers=OPS
    )
    ticket = resolved.json()
    assert kinds(ticket) == [
        "CREATED",
        "ASSIGNED",
        "REPLIED",
        "STATUS_CHANGED",
        "ATTACHMENT_ADDED",
        "STATUS_CHANGED",
    ]
    assert [
        (e["from_status"], e["to_status"]) for e in ticket["events"] if e["kind"] == "STATUS_CHANGED"
    ] == [
        ("OPEN", "IN_PROGRESS"),
        ("IN_PROGRESS", "RESOLVED"),
    ]
    assert ticket["sla"]["first_response_met"] is True and ticket["sla"]["resolution_met"] is True
    assert 0 <= ticket["sla"]["elapsed_percent"] <= 100

    rated = await client.post(
        f"/v1/tickets/{ticket_id}/rating", json={"user_id": "USR-1", "score": 5, "comment": "Quick!"}
    )
    assert rated.status_code == 200, rated.text
    assert rated.json()["rating"]["score"] == 5 and kinds(rated.json())[-1] == "RATED"
    again = await client.post(f"/v1/tickets/{ticket_id}/rating", json={"user_id": "USR-1", "score": 1})
    assert (again.status_code, again.json()["error"]["code"]) == (409, "ALREADY_RATED")

    reopened = await client.post(
        f"/v1/tickets/{ticket_id}/reopen", json={"user_id": "USR-1", "reason": "Back."}
    )
    assert reopened.status_code == 200
    body = reopened.json()
    assert body["status"] == "OPEN" and body["sla"]["resolved_at"] is None
    assert kinds(body)[-2:] == ["REPLIED", "REOPENED"]
    twice = await client.post(f"/v1/tickets/{ticket_id}/reopen", json={"user_id": "USR-1"})
    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "TICKET_NOT_RESOLVED")


async def test_rating_only_after_resolution_and_within_range(client: httpx.AsyncClient) -> None:
    early = await client.post("/v1/tickets/TCK-3/rating", json={"user_id": "USR-24", "score": 4})
    assert (early.status_code, early.json()["error"]["code"]) == (409, "TICKET_NOT_RESOLVED")
    for score in (0, 6, "5", True):
        bad = await client.post("/v1/tickets/TCK-2/rating", json={"user_id": "USR-24", "score": score})
        assert bad.status_code == 422, score


async def test_seeded_tickets_have_a_history(client: httpx.AsyncClient) -> None:
    ticket = (await client.get("/v1/tickets/TCK-4")).json()
    assert kinds(ticket)[:3] == ["CREATED", "ASSIGNED", "REPLIED"]


async def test_categories_and_queues(client: httpx.AsyncClient) -> None:
    categories = (await client.get("/v1/ticket-categories")).json()["items"]
    connectivity = next(c for c in categories if c["category"] == "CONNECTIVITY")
    assert connectivity == {
        "category": "CONNECTIVITY",
        "label": "Internet or Wi-Fi not working",
        "queue": "Network Operations",
        "default_priority": "HIGH",
        "first_response_minutes": 240,
        "resolution_minutes": 1440,
    }
    queues = (await client.get("/v1/ops/queues", headers=OPS)).json()["items"]
    assert {q["queue"] for q in queues} == {"Billing Desk", "Field Service", "Helpdesk", "Network Operations"}
    active = (await client.get("/v1/ops/tickets", headers=OPS)).json()["items"]
    assert sum(q["active"] for q in queues) == len(active)
    noc = (await client.get("/v1/ops/tickets", params={"queue": "Network Operations"}, headers=OPS)).json()
    assert {t["queue"] for t in noc["items"]} == {"Network Operations"}
    assert (await client.get("/v1/ops/queues")).status_code == 403  # the service key is not enough


async def test_ticket_notifications_link_to_the_ticket(client: httpx.AsyncClient, crm: CrmSystem) -> None:
    crm.reply_to_ticket("TCK-3", "Priya", "Looking into it.")
    notes = (await client.get("/v1/subscribers/SUB-2001/notifications", params={"user_id": "USR-24"})).json()[
        "items"
    ]
    assert notes[0]["link"] == {"kind": "TICKET", "id": "TCK-3"}
    email = crm.emails(1)[0]
    assert email["subject"].startswith("[TCK-3] ") and email["link"].endswith("/support/TCK-3")


# -- e-mail -------------------------------------------------------------------------------------------------
@pytest.fixture
def sink() -> Iterator[MailSink]:
    running = MailSink().start()
    yield running
    running.stop()


def test_smtp_url_parsing() -> None:
    plain = smtp_settings("smtp://127.0.0.1:2525")
    assert (plain.host, plain.port, plain.security, plain.username) == ("127.0.0.1", 2525, "none", None)
    secure = smtp_settings("smtp+starttls://ops%40isp.example:s3cret@mail.isp.example?timeout=5")
    assert (secure.port, secure.security, secure.username, secure.password, secure.timeout_s) == (
        587,
        "starttls",
        "ops@isp.example",
        "s3cret",
        5.0,
    )
    assert smtp_settings("smtps://mail.isp.example").port == 465
    assert "s3cret" not in repr(secure)
    for bad in ("http://mail", "smtp://", "smtp://h?timeout=0"):
        with pytest.raises(ValueError):
            smtp_settings(bad)


def test_send_mail_is_mime_alternative_over_real_smtp(sink: MailSink) -> None:
    mailer = Mailer(smtp_settings(sink.url))
    message_id = mailer.send_mail(
        "ana@lima.example",
        "[TCK-9] New reply: Wi-Fi",
        "Priya replied:\n\nRestart the router <please>.",
        link="http://portal.test/support/TCK-9",
    )
    [got] = sink.messages()
    assert got["message_id"] == message_id
    assert got["rcpt_to"] == ["ana@lima.example"] and got["subject"] == "[TCK-9] New reply: Wi-Fi"
    assert got["content_type"] == "multipart/alternative"
    assert "http://portal.test/support/TCK-9" in got["text"]
    assert "&lt;please&gt;" in got["html"] and 'href="http://portal.test/support/TCK-9"' in got["html"]


def test_mail_wears_the_operators_brand(sink: MailSink) -> None:
    """Issue 12: the HTML part has the operator's colour (header, button), logo (the portal's /brand/logo) and
    name, and its support contacts at the foot; the default sender is its support desk."""
    brand = Brand(name="Acme Fiber", primary_color="#7a1f5c", support_email="help@acme.example")
    settings = load_sandbox_settings({"SMTP_URL": sink.url, "BRAND_NAME": "Acme Fiber"})
    assert settings.smtp_from == "Acme Fiber Support <support@wispgate.example>"
    mailer = Mailer(
        smtp_settings(sink.url, "Acme Fiber Support <help@acme.example>"), brand, "http://portal.test/"
    )
    mailer.send_mail(
        "ana@lima.example", "Hello", "Your invoice is ready.", link="http://portal.test/invoices"
    )
    [got] = sink.messages()
    page = got["html"]
    assert "background:#7a1f5c;color:#fff;padding:12px 16px" in page  # the header
    assert (
        'href="http://portal.test/invoices" style="display:inline-block;padding:10px 16px;background:#7a1f5c'
        in page
    )
    assert '<img src="http://portal.test/brand/logo"' in page
    assert "Acme Fiber · Questions? help@acme.example · +1 555 0100" in page
    assert "WISPGate" not in page and "#0b5cad" not in page


def test_send_mail_refuses_header_injection_and_reports_a_dead_server() -> None:
    mailer = Mailer(SmtpSettings(host="127.0.0.1", port=1, timeout_s=2))
    with pytest.raises(MailError):
        mailer.send_mail("a@b.example", "hi\nBcc: x@y.example", "text")
    with pytest.raises(MailError):
        mailer.send_mail("a@b.example", "hi", "text")  # nothing listens on port 1


async def test_relay_sends_queued_ticket_mail_once(sink: MailSink, tmp_path: Path, crm: CrmSystem) -> None:
    relay = MailRelay(crm.db, Mailer(smtp_settings(sink.url)))
    crm.reply_to_ticket("TCK-3", "Priya", "We replaced a faulty SFP.")
    assert await asyncio.to_thread(relay.deliver_pending) == 1
    assert await asyncio.to_thread(relay.deliver_pending) == 0
    [got] = sink.messages()
    assert got["rcpt_to"] == ["airport@northwind.example"]
    assert got["subject"].startswith("[TCK-3]") and "We replaced a faulty SFP." in got["text"]
    assert crm.emails(1)[0]["sent_at"] is not None


async def test_relay_records_failures_and_keeps_the_message(tmp_path: Path, crm: CrmSystem) -> None:
    relay = MailRelay(crm.db, Mailer(SmtpSettings(host="127.0.0.1", port=1, timeout_s=2)))
    crm.reply_to_ticket("TCK-3", "Priya", "Hello")
    assert await asyncio.to_thread(relay.deliver_pending) == 0
    email = crm.emails(1)[0]
    assert email["sent_at"] is None and email["attempts"] == 1 and email["last_error"]


def test_crm_system_runs_the_relay_only_with_smtp(tmp_path: Path) -> None:
    without = CrmSystem(crm_config(tmp_path / "a.sqlite3"), attachments_dir=tmp_path / "a")
    assert without.background() == []
    with_smtp = CrmSystem(
        crm_config(tmp_path / "b.sqlite3"), attachments_dir=tmp_path / "b", smtp=smtp_settings("smtp://h:25")
    )
    assert len(with_smtp.background()) == 1
    without.db.close()
    with_smtp.db.close()


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    cert, key = tmp_path / "smtp.pem", tmp_path / "smtp.key"
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make a certificate")
    subprocess.run(  # noqa: S603 - fixed arguments
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


def test_starttls_then_auth_over_real_smtp(tmp_path: Path) -> None:
    """A server that requires STARTTLS before AUTH (as a provider's submission port does): the mailer
    upgrades, verifies the certificate against the configured CA, logs in, and the message arrives."""
    cert, key = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins: list[tuple[str, str]] = []

    def authenticator(_server: Any, _session: Any, _envelope: Any, _mechanism: str, data: Any) -> AuthResult:
        assert isinstance(data, LoginPassword)
        logins.append((data.login.decode(), data.password.decode()))
        return AuthResult(success=data.password == b"s3cret")

    sink = MailSink(
        tls_context=context,
        require_starttls=True,
        authenticator=authenticator,
        auth_required=True,
        auth_require_tls=True,
    ).start()
    port = int(sink.url.rsplit(":", 1)[1])
    try:
        url = f"smtp+starttls://ops%40isp.example:s3cret@127.0.0.1:{port}?cafile={cert}&timeout=10"
        Mailer(smtp_settings(url)).send_mail("ana@lima.example", "[TCK-1] Hello", "Over TLS.")
        with pytest.raises(MailError):  # a wrong password is refused, as a MailError
            Mailer(smtp_settings(url.replace("s3cret", "wrong"))).send_mail("ana@lima.example", "x", "y")
        with pytest.raises(MailError):  # and so is a certificate nobody vouched for
            Mailer(smtp_settings(url.split("?")[0])).send_mail("ana@lima.example", "x", "y")
    finally:
        sink.stop()
    assert logins[0] == ("ops@isp.example", "s3cret")
    [got] = sink.messages()
    assert got["subject"] == "[TCK-1] Hello" and got["text"].strip() == "Over TLS."


async def test_every_email_links_into_the_portal(client: httpx.AsyncClient, crm: CrmSystem) -> None:
    """A notice posted without a link (a payment receipt) still e-mails a link to the page for its kind."""
    posted = await client.post(
        "/v1/notifications",
        json={
            "subscriber_id": "SUB-1001",
            "kind": "PAYMENT_RECEIVED",
            "title": "Payment received",
            "body": "Thanks!",
            "email": True,
        },
    )
    assert posted.status_code == 201 and posted.json()["link"] is None
    assert crm.emails(1)[0]["link"].endswith("/invoices")
    linked = await client.post(
        "/v1/notifications",
        json={
            "subscriber_id": "SUB-1001",
            "kind": "SERVICE_STATUS",
            "title": "Back online",
            "body": "Restored.",
            "email": True,
            "link": {"kind": "TICKET", "id": "TCK-1"},
        },
    )
    assert linked.json()["link"] == {"kind": "TICKET", "id": "TCK-1"}
    assert crm.emails(1)[0]["link"].endswith("/support/TCK-1")
    bad = await client.post(
        "/v1/notifications",
        json={
            "subscriber_id": "SUB-1001",
            "kind": "GENERAL",
            "title": "t",
            "body": "b",
            "link": {"kind": "X"},
        },
    )
    assert bad.status_code == 422
