"""`HttpCrm` against the real CRM sandbox in-process (httpx.ASGITransport): every port method."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from adapters.errors import NotFound, Rejected
from adapters.ports.crm import CrmPort
from adapters.ports.profile import ContactChange, NotificationPreference, PostalAddress
from adapters.ports.tickets import NewTicket, Ticket, TicketSummary
from adapters.wispgate.client import BackendConfig, CoreClient, make_http_client
from adapters.wispgate.crm import HttpCrm
from sandbox.common.system import SystemConfig
from sandbox.crm.system import CrmSystem
from sandbox.world import DEMO_PASSWORD, World, with_bench_subscriber

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, world: World) -> Path:
    path = tmp_path_factory.mktemp("crm-template") / "crm.sqlite3"
    system = CrmSystem(SystemConfig(db_path=str(path)), attachments_dir=path.parent / "files")
    system.seed(with_bench_subscriber(world, 1000))
    system.db.close()
    return path


@pytest.fixture
def system(template: Path, tmp_path: Path) -> Iterator[CrmSystem]:
    path = tmp_path / "crm.sqlite3"
    shutil.copy(template, path)
    crm = CrmSystem(SystemConfig(db_path=str(path)), attachments_dir=tmp_path / "files")
    yield crm
    crm.db.close()


class CountingTransport(httpx.AsyncBaseTransport):
    """The ASGI transport, counting requests so tests can assert batch-first behaviour."""

    def __init__(self, app: httpx.ASGITransport) -> None:
        self.inner = app
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return await self.inner.handle_async_request(request)


@pytest.fixture
def transport(system: CrmSystem) -> CountingTransport:
    return CountingTransport(httpx.ASGITransport(app=system.asgi()))


@pytest.fixture
async def crm(system: CrmSystem, transport: CountingTransport) -> AsyncIterator[HttpCrm]:
    config = BackendConfig(base_url="http://crm.test", api_key=system.config.service_key)
    async with make_http_client(config, transport=transport) as http:
        yield HttpCrm(CoreClient("crm", http))


def test_http_crm_is_a_crm_port() -> None:
    port: type[CrmPort] = HttpCrm
    assert port is HttpCrm
    assert issubclass(Ticket, TicketSummary)


async def test_subscribers(crm: HttpCrm) -> None:
    found = await crm.subscribers(["SUB-3001", "SUB-404", "SUB-1001"])
    assert set(found) == {"SUB-3001", "SUB-1001"}
    assert found["SUB-3001"].kind == "MDU" and found["SUB-3001"].subservice_count == 40
    one = await crm.subscriber("SUB-2001")
    assert one.account_number == "WG-200201"
    with pytest.raises(NotFound):
        await crm.subscriber("SUB-404")


async def test_subservice_pages_and_all(crm: HttpCrm, transport: CountingTransport) -> None:
    page = await crm.subservices_of("SUB-3001", limit=15)
    assert len(page.items) == 15 and page.total_count == 40 and page.next_cursor
    rest = await crm.subservices_of("SUB-3001", limit=100, after=page.next_cursor)
    assert rest.next_cursor is None
    assert rest.items[-1].label == "Internet – Apt 410"
    assert isinstance(rest.items[0].activated_on, date)
    before = len(transport.requests)
    everything = await crm.all_subservices_of("SUB-3001")
    assert len(transport.requests) - before == 1  # ≤ 1,000: one call
    assert [s.id for s in everything] == [s.id for s in page.items + rest.items]
    with pytest.raises(Rejected) as refused:
        await crm.subservices_of("SUB-3001", limit=5, after="garbage")
    assert refused.value.code == "INVALID_CURSOR"


async def test_batch_of_1000_is_one_call_and_1001_is_two(crm: HttpCrm, transport: CountingTransport) -> None:
    ids = [f"SS-9001-{i}" for i in range(1, 1001)]
    before = len(transport.requests)
    found = await crm.subservices(ids)
    assert len(found) == 1000 and len(transport.requests) - before == 1
    assert found["SS-9001-1000"].label == "Internet – Site 1000"
    found = await crm.subservices([*ids, "SS-3001-101", "SS-9001-1"])
    assert len(found) == 1001 and len(transport.requests) - before == 3
    assert len(await crm.all_subservices_of("SUB-9001")) == 1000


async def test_verify_credentials(crm: HttpCrm) -> None:
    user = await crm.verify_credentials("APT101@harborview.example", DEMO_PASSWORD)
    assert user.id == "USR-31" and user.site_subservice_ids == ("SS-3001-101", "SS-3001-102")
    assert user.last_login_at is not None
    for email, password in (("apt101@harborview.example", "bad"), ("nobody@x.example", DEMO_PASSWORD)):
        with pytest.raises(Rejected) as refused:
            await crm.verify_credentials(email, password)
        assert refused.value.code == "INVALID_CREDENTIALS"


async def test_disabled_user_is_rejected(crm: HttpCrm, system: CrmSystem) -> None:
    system.disable_user("USR-3")
    with pytest.raises(Rejected) as refused:
        await crm.verify_credentials("cara@jensen.example", DEMO_PASSWORD)
    assert refused.value.code == "USER_DISABLED"
    assert (await crm.user("USR-3")).disabled is True


async def test_users(crm: HttpCrm) -> None:
    found = await crm.users(["USR-20", "USR-24", "USR-999"])
    assert set(found) == {"USR-20", "USR-24"}
    assert found["USR-24"].role == "SITE"
    assert (await crm.user("USR-90")).email == "bench@bench.example"
    assert len(await crm.users_of("SUB-2001")) == 5
    with pytest.raises(NotFound):
        await crm.user("USR-999")


async def test_ticket_reads(crm: HttpCrm) -> None:
    page = await crm.tickets_of("SUB-1001")
    assert [t.number for t in page.items] == ["TCK-2", "TCK-1"] and page.total_count == 2
    resolved = await crm.tickets_of("SUB-1001", statuses=["RESOLVED", "CLOSED"], limit=1)
    assert [t.id for t in resolved.items] == ["TCK-2"] and resolved.next_cursor is None
    first = await crm.tickets_of("SUB-1001", limit=1)
    second = await crm.tickets_of("SUB-1001", limit=1, after=first.next_cursor)
    assert second.items[0].id == "TCK-1"
    tickets = await crm.tickets(["TCK-1", "TCK-4", "TCK-404"])
    assert set(tickets) == {"TCK-1", "TCK-4"}
    waiting = tickets["TCK-4"]
    assert waiting.status == "WAITING_ON_CUSTOMER"
    assert [m.author_kind for m in waiting.messages] == ["CUSTOMER", "SUPPORT"]
    assert waiting.sla.first_responded_at == waiting.messages[1].created_at
    assert (await crm.ticket("TCK-3")).sla.first_responded_at is None
    with pytest.raises(NotFound):
        await crm.ticket("TCK-404")


async def test_ticket_lifecycle(crm: HttpCrm, system: CrmSystem) -> None:
    opened = await crm.open_ticket(
        NewTicket(
            subscriber_id="SUB-2001",
            author_user_id="USR-21",
            category="DEVICE",
            subject="Router at Riverside",
            body="The router keeps rebooting.",
            subservice_id="SS-2001-7",
        )
    )
    assert (opened.status, opened.priority, opened.queue) == ("OPEN", "NORMAL", "Field Service")
    assert opened.sla.first_response_due_at - opened.created_at == timedelta(hours=8)
    assert opened.sla.resolution_due_at - opened.created_at == timedelta(hours=72)
    with pytest.raises(Rejected) as mismatch:
        await crm.open_ticket(
            NewTicket("SUB-2001", "USR-21", "DEVICE", "s", "b", subservice_id="SS-3001-101", priority="HIGH")
        )
    assert mismatch.value.code == "SUBSERVICE_MISMATCH"
    system.reply_to_ticket(opened.id, "Sam (Field)", "Can you send a photo?", status="WAITING_ON_CUSTOMER")
    replied = await crm.reply_to_ticket(opened.id, "USR-21", "Photo attached.")
    assert replied.status == "IN_PROGRESS" and replied.messages[-1].body == "Photo attached."
    attachment = await crm.add_attachment(opened.id, "router.png", "image/png", PNG, replied.messages[-1].id)
    assert attachment.size_bytes == len(PNG) and attachment.ticket_id == opened.id
    meta, data = await crm.attachment(attachment.id)
    assert (meta, data) == (attachment, PNG)
    assert (await crm.attachments([attachment.id, "ATT-404"])) == {attachment.id: attachment}
    with pytest.raises(Rejected) as not_allowed:
        await crm.add_attachment(opened.id, "x.html", "text/html", b"<b>")
    assert not_allowed.value.code == "ATTACHMENT_TYPE_NOT_ALLOWED"
    with pytest.raises(NotFound):
        await crm.add_attachment("TCK-404", "a.txt", "text/plain", b"x")
    with pytest.raises(NotFound):
        await crm.attachment("ATT-404")
    closed = await crm.close_ticket(opened.id, "USR-21")
    assert closed.status == "CLOSED" and closed.attachments == (attachment,)
    with pytest.raises(Rejected) as refused:
        await crm.reply_to_ticket(opened.id, "USR-21", "one more thing")
    assert (refused.value.code, refused.value.status) == ("TICKET_CLOSED", 409)


async def test_notifications(crm: HttpCrm, system: CrmSystem) -> None:
    page = await crm.notifications("SUB-1001", "USR-1")
    assert page.unread_count == 1 and page.items[0].kind == "INVOICE_ISSUED" and not page.items[0].read
    sent = await crm.notify(
        "SUB-1001", "PAYMENT_RECEIVED", "Payment received", "Thanks!", "SS-1001-1", email=True
    )
    assert sent.subservice_id == "SS-1001-1" and sent.read is False
    assert system.emails()[0]["to"] == "ana@lima.example"
    unread = await crm.notifications("SUB-1001", "USR-1", unread_only=True, limit=1)
    assert unread.unread_count == 2 and len(unread.items) == 1 and unread.next_cursor
    result = await crm.mark_notifications_read("USR-1", [sent.id, "NTF-3"])
    assert result.marked_ids == (sent.id,) and result.unread_count == 1
    with pytest.raises(Rejected):
        await crm.mark_notifications_read("USR-1", [])
    with pytest.raises(Rejected) as wrong_kind:
        await crm.notify("SUB-1001", "SPAM", "t", "b")
    assert wrong_kind.value.code == "INVALID_REQUEST"


async def test_audit(crm: HttpCrm) -> None:
    entry = await crm.record_audit("login", user_id="USR-30", ip="198.51.100.4", user_agent="Safari")
    assert entry.subscriber_id == "SUB-3001" and entry.ip == "198.51.100.4"
    await crm.record_audit("login_failed", subscriber_id="SUB-3001", detail="bad password")
    assert [e.action for e in await crm.audit_of_user("USR-30")] == ["login"]
    assert [e.action for e in await crm.audit_of_subscriber("SUB-3001", limit=10)] == [
        "login_failed",
        "login",
    ]
    with pytest.raises(Rejected) as unknown:
        await crm.record_audit("login", user_id="USR-404")
    assert unknown.value.code == "UNKNOWN_USER"


async def test_contact_details_and_profile(crm: HttpCrm, system: CrmSystem) -> None:
    change = ContactChange(
        phone="+1 555 010 2222",
        billing_address=PostalAddress(
            lines=("1 Main St",), city="Springfield", postal_code="1", country="US"
        ),
    )
    subscriber = await crm.update_contact_details("SUB-1001", "USR-1", change, ip="203.0.113.9")
    assert subscriber.phone == "+15550102222" and subscriber.email == "ana@lima.example"
    assert subscriber.billing_address == PostalAddress(
        lines=("1 Main St",), city="Springfield", region=None, postal_code="1", country="US"
    )
    assert (await crm.subscriber("SUB-1001")).billing_address == subscriber.billing_address
    with pytest.raises(Rejected) as refused:
        await crm.update_contact_details("SUB-1001", "USR-1", ContactChange(email="nope"))
    assert refused.value.code == "INVALID_EMAIL"
    profile = await crm.set_user_phone("USR-1", "00351 912 345 678")
    assert profile.phone == "+351912345678" and len(profile.notification_preferences) == 10
    off = NotificationPreference(kind="PAYMENTS", channel="EMAIL", enabled=False)
    profile = await crm.set_notification_preferences("USR-1", [off])
    assert off in profile.notification_preferences
    with pytest.raises(Rejected) as locked:
        await crm.set_notification_preferences(
            "USR-1", [NotificationPreference(kind="SECURITY", channel="EMAIL", enabled=False)]
        )
    assert locked.value.code == "SECURITY_EMAIL_REQUIRED"
    assert (await crm.user_profile("USR-1")).phone == "+351912345678"
