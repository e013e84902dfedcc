"""`HttpCrm`: the CRM port over the WISPGate core's CRM REST API."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

import httpx

from adapters.errors import ContractViolation, NotFound, Rejected, Unavailable
from adapters.ports.crm import (
    ATTACHMENT_TYPES,
    MESSAGE_AUTHORS,
    NOTIFICATION_KINDS,
    ROLES,
    SUBSCRIBER_KINDS,
    SUBSERVICE_KINDS,
    TICKET_CATEGORIES,
    TICKET_PRIORITIES,
    TICKET_STATUSES,
    Attachment,
    AuditEntry,
    CrmPort,
    MarkReadResult,
    NewTicket,
    Notification,
    NotificationPage,
    PortalUser,
    Sla,
    Subscriber,
    SubService,
    SubServicePage,
    Ticket,
    TicketMessage,
    TicketPage,
    TicketSummary,
)
from adapters.wispgate.client import CoreClient, chunks
from adapters.wispgate.wire import Fields

T = TypeVar("T")
PAGE = 1000


def _seg(value: str) -> str:
    """An id as one path segment: `/`, `?` and friends cannot change the path."""
    return quote(value, safe="")


def parse_subscriber(f: Fields) -> Subscriber:
    return Subscriber(
        id=f.text("id"),
        account_number=f.text("account_number"),
        name=f.text("name"),
        kind=f.enum("kind", SUBSCRIBER_KINDS),
        email=f.text("email"),
        phone=f.text("phone"),
        address=f.text("address"),
        subservice_count=f.integer("subservice_count"),
    )


def parse_subservice(f: Fields) -> SubService:
    return SubService(
        id=f.text("id"),
        subscriber_id=f.text("subscriber_id"),
        kind=f.enum("kind", SUBSERVICE_KINDS),
        label=f.text("label"),
        location=f.text("location"),
        activated_on=f.day("activated_on"),
    )


def parse_user(f: Fields) -> PortalUser:
    return PortalUser(
        id=f.text("id"),
        email=f.text("email"),
        name=f.text("name"),
        role=f.enum("role", ROLES),
        subscriber_id=f.text("subscriber_id"),
        site_subservice_ids=tuple(f.texts("site_subservice_ids")),
        disabled=f.flag("disabled"),
        last_login_at=f.opt_moment("last_login_at"),
    )


def parse_sla(f: Fields) -> Sla:
    return Sla(
        first_response_due_at=f.moment("first_response_due_at"),
        resolution_due_at=f.moment("resolution_due_at"),
        first_responded_at=f.opt_moment("first_responded_at"),
        resolved_at=f.opt_moment("resolved_at"),
        first_response_breached=f.flag("first_response_breached"),
        resolution_breached=f.flag("resolution_breached"),
    )


def _summary_fields(f: Fields) -> dict[str, Any]:
    return {
        "id": f.text("id"),
        "number": f.text("number"),
        "subject": f.text("subject"),
        "category": f.enum("category", TICKET_CATEGORIES),
        "priority": f.enum("priority", TICKET_PRIORITIES),
        "status": f.enum("status", TICKET_STATUSES),
        "queue": f.text("queue"),
        "subscriber_id": f.text("subscriber_id"),
        "subservice_id": f.opt_text("subservice_id"),
        "opened_by_user_id": f.opt_text("opened_by_user_id"),
        "created_at": f.moment("created_at"),
        "updated_at": f.moment("updated_at"),
        "sla": parse_sla(f.obj("sla")),
        "message_count": f.integer("message_count"),
        "attachment_count": f.integer("attachment_count"),
    }


def parse_summary(f: Fields) -> TicketSummary:
    return TicketSummary(**_summary_fields(f))


def parse_message(f: Fields) -> TicketMessage:
    return TicketMessage(
        id=f.text("id"),
        author_kind=f.enum("author_kind", MESSAGE_AUTHORS),
        author_name=f.text("author_name"),
        author_user_id=f.opt_text("author_user_id"),
        body=f.text("body"),
        created_at=f.moment("created_at"),
        attachment_ids=tuple(f.texts("attachment_ids")),
    )


def parse_attachment(f: Fields) -> Attachment:
    return Attachment(
        id=f.text("id"),
        ticket_id=f.text("ticket_id"),
        message_id=f.opt_text("message_id"),
        filename=f.text("filename"),
        content_type=f.enum("content_type", ATTACHMENT_TYPES),
        size_bytes=f.integer("size_bytes"),
        sha256=f.text("sha256"),
        created_at=f.moment("created_at"),
    )


def parse_ticket(f: Fields) -> Ticket:
    return Ticket(
        **_summary_fields(f),
        messages=tuple(f.objects("messages", parse_message)),
        attachments=tuple(f.objects("attachments", parse_attachment)),
    )


def parse_notification(f: Fields) -> Notification:
    return Notification(
        id=f.text("id"),
        subscriber_id=f.text("subscriber_id"),
        subservice_id=f.opt_text("subservice_id"),
        kind=f.enum("kind", NOTIFICATION_KINDS),
        title=f.text("title"),
        body=f.text("body"),
        created_at=f.moment("created_at"),
        read=f.flag("read"),
    )


def parse_audit(f: Fields) -> AuditEntry:
    return AuditEntry(
        id=f.text("id"),
        user_id=f.opt_text("user_id"),
        subscriber_id=f.opt_text("subscriber_id"),
        action=f.text("action"),
        ip=f.opt_text("ip"),
        user_agent=f.opt_text("user_agent"),
        detail=f.opt_text("detail"),
        created_at=f.moment("created_at"),
    )


class HttpCrm:
    def __init__(self, client: CoreClient) -> None:
        self.client = client

    async def _batch(
        self, path: str, ids: Sequence[str], parse: Callable[[Fields], T], key: Callable[[T], str]
    ) -> dict[str, T]:
        """POST `path` once per 1,000 distinct ids (concurrently) and key the items by `key`."""

        return {key(item): item for item in await self.client.batch(path, ids, parse)}

    # -- subscribers and inventory -----------------------------------------------------------------------
    async def subscribers(self, ids: Sequence[str]) -> dict[str, Subscriber]:
        return await self._batch("/v1/subscribers:batch", ids, parse_subscriber, lambda s: s.id)

    async def subscriber(self, subscriber_id: str) -> Subscriber:
        return parse_subscriber(await self.client.call("GET", f"/v1/subscribers/{_seg(subscriber_id)}"))

    async def subservices_of(
        self, subscriber_id: str, limit: int = 100, after: str | None = None
    ) -> SubServicePage:
        params: dict[str, Any] = {"limit": limit}
        if after is not None:
            params["after"] = after
        f = await self.client.call("GET", f"/v1/subscribers/{_seg(subscriber_id)}/subservices", params=params)
        return SubServicePage(
            items=f.objects("items", parse_subservice),
            next_cursor=f.opt_text("next_cursor"),
            total_count=f.integer("total_count"),
        )

    async def all_subservices_of(self, subscriber_id: str) -> list[SubService]:
        items: list[SubService] = []
        after: str | None = None
        while True:
            page = await self.subservices_of(subscriber_id, PAGE, after)
            items += page.items
            if page.next_cursor is None:
                return items
            if page.next_cursor == after or not page.items:
                raise ContractViolation(self.client.backend, "sub-service pages do not advance")
            after = page.next_cursor

    async def subservices(self, ids: Sequence[str]) -> dict[str, SubService]:
        return await self._batch("/v1/subservices:batch", ids, parse_subservice, lambda s: s.id)

    # -- users -------------------------------------------------------------------------------------------
    async def verify_credentials(self, email: str, password: str) -> PortalUser:
        body = {"email": email, "password": password}
        return parse_user(await self.client.call("POST", "/v1/auth/verify", json_body=body))

    async def users(self, ids: Sequence[str]) -> dict[str, PortalUser]:
        return await self._batch("/v1/users:batch", ids, parse_user, lambda u: u.id)

    async def user(self, user_id: str) -> PortalUser:
        return parse_user(await self.client.call("GET", f"/v1/users/{_seg(user_id)}"))

    async def users_of(self, subscriber_id: str) -> list[PortalUser]:
        f = await self.client.call("GET", f"/v1/subscribers/{_seg(subscriber_id)}/users")
        return f.objects("items", parse_user)

    # -- tickets -----------------------------------------------------------------------------------------
    async def tickets_of(
        self, subscriber_id: str, statuses: Sequence[str] = (), limit: int = 50, after: str | None = None
    ) -> TicketPage:
        params: dict[str, Any] = {"limit": limit}
        if statuses:
            params["status"] = list(statuses)
        if after is not None:
            params["after"] = after
        f = await self.client.call("GET", f"/v1/subscribers/{_seg(subscriber_id)}/tickets", params=params)
        return TicketPage(
            items=f.objects("items", parse_summary),
            next_cursor=f.opt_text("next_cursor"),
            total_count=f.integer("total_count"),
        )

    async def tickets(self, ids: Sequence[str]) -> dict[str, Ticket]:
        return await self._batch("/v1/tickets:batch", ids, parse_ticket, lambda t: t.id)

    async def ticket(self, ticket_id: str) -> Ticket:
        return parse_ticket(await self.client.call("GET", f"/v1/tickets/{_seg(ticket_id)}"))

    async def open_ticket(self, ticket: NewTicket) -> Ticket:
        body = {
            "subscriber_id": ticket.subscriber_id,
            "subservice_id": ticket.subservice_id,
            "category": ticket.category,
            "priority": ticket.priority,
            "subject": ticket.subject,
            "body": ticket.body,
            "author_user_id": ticket.author_user_id,
        }
        return parse_ticket(await self.client.call("POST", "/v1/tickets", json_body=body))

    async def reply_to_ticket(self, ticket_id: str, author_user_id: str, body: str) -> Ticket:
        payload = {"author_user_id": author_user_id, "body": body}
        return parse_ticket(
            await self.client.call("POST", f"/v1/tickets/{_seg(ticket_id)}/messages", json_body=payload)
        )

    async def close_ticket(self, ticket_id: str, user_id: str) -> Ticket:
        payload = {"user_id": user_id}
        return parse_ticket(
            await self.client.call("POST", f"/v1/tickets/{_seg(ticket_id)}/close", json_body=payload)
        )

    # -- attachments -------------------------------------------------------------------------------------
    async def add_attachment(
        self, ticket_id: str, filename: str, content_type: str, data: bytes, message_id: str | None = None
    ) -> Attachment:
        # CoreClient sends JSON only; a file goes as real multipart/form-data, with the same error mapping.
        response = await self._send_multipart(
            f"/v1/tickets/{_seg(ticket_id)}/attachments",
            files={"file": (filename, data, content_type)},
            data={"message_id": message_id} if message_id else {},
        )
        try:
            raw = response.json()
        except ValueError:
            raise ContractViolation(self.client.backend, "response body is not JSON") from None
        return parse_attachment(Fields(self.client.backend, raw, "POST attachments"))

    async def attachments(self, ids: Sequence[str]) -> dict[str, Attachment]:
        return await self._batch("/v1/attachments:batch", ids, parse_attachment, lambda a: a.id)

    async def attachment(self, attachment_id: str) -> tuple[Attachment, bytes]:
        """Metadata and bytes, fetched concurrently; the bytes must match the recorded size."""
        found, data = await asyncio.gather(
            self.attachments([attachment_id]),
            self.client.call_bytes("GET", f"/v1/attachments/{_seg(attachment_id)}"),
        )
        meta = found.get(attachment_id)
        if meta is None:
            raise NotFound(self.client.backend, "attachment not found")
        if len(data) != meta.size_bytes:
            raise ContractViolation(self.client.backend, "attachment size differs from its metadata")
        return meta, data

    async def _send_multipart(
        self, path: str, *, files: dict[str, Any], data: dict[str, str]
    ) -> httpx.Response:
        backend = self.client.backend
        try:
            response = await self.client.http.post(path, files=files, data=data)
        except httpx.TimeoutException:
            raise Unavailable(backend, f"POST {path} timed out") from None
        except httpx.HTTPError as exc:
            raise Unavailable(backend, f"POST {path} failed: {type(exc).__name__}") from None
        if response.status_code >= 500:
            raise Unavailable(backend, f"POST {path} answered {response.status_code}")
        if response.status_code >= 400:
            try:
                error = response.json()["error"]
                code, message = str(error["code"]), str(error.get("message", ""))
            except (ValueError, KeyError, TypeError):
                code, message = f"HTTP_{response.status_code}", response.reason_phrase
            if response.status_code == 404:
                raise NotFound(backend, message or f"{path} not found")
            raise Rejected(backend, code, message, response.status_code)
        return response

    # -- notifications -----------------------------------------------------------------------------------
    async def notifications(
        self,
        subscriber_id: str,
        user_id: str,
        unread_only: bool = False,
        limit: int = 50,
        after: str | None = None,
    ) -> NotificationPage:
        params: dict[str, Any] = {
            "user_id": user_id,
            "unread_only": "true" if unread_only else "false",
            "limit": limit,
        }
        if after is not None:
            params["after"] = after
        f = await self.client.call(
            "GET", f"/v1/subscribers/{_seg(subscriber_id)}/notifications", params=params
        )
        return NotificationPage(
            items=f.objects("items", parse_notification),
            unread_count=f.integer("unread_count"),
            next_cursor=f.opt_text("next_cursor"),
        )

    async def notify(
        self,
        subscriber_id: str,
        kind: str,
        title: str,
        body: str,
        subservice_id: str | None = None,
        email: bool = False,
    ) -> Notification:
        payload = {
            "subscriber_id": subscriber_id,
            "subservice_id": subservice_id,
            "kind": kind,
            "title": title,
            "body": body,
            "email": email,
        }
        return parse_notification(await self.client.call("POST", "/v1/notifications", json_body=payload))

    async def mark_notifications_read(self, user_id: str, ids: Sequence[str]) -> MarkReadResult:
        marked: list[str] = []
        unread = 0
        # Sequential, so the unread count returned is the one after the last chunk. No ids at all still
        # goes to the CRM, which refuses it (Rejected) rather than this answering an invented count.
        for chunk in chunks(ids) or [[]]:
            f = await self.client.call(
                "POST", "/v1/notifications/read", json_body={"user_id": user_id, "ids": chunk}
            )
            marked += f.texts("marked_ids")
            unread = f.integer("unread_count")
        return MarkReadResult(marked_ids=tuple(marked), unread_count=unread)

    # -- audit -------------------------------------------------------------------------------------------
    async def record_audit(
        self,
        action: str,
        *,
        user_id: str | None = None,
        subscriber_id: str | None = None,
        ip: str | None = None,
        user_agent: str | None = None,
        detail: str | None = None,
    ) -> AuditEntry:
        payload = {
            "action": action,
            "user_id": user_id,
            "subscriber_id": subscriber_id,
            "ip": ip,
            "user_agent": user_agent,
            "detail": detail,
        }
        return parse_audit(await self.client.call("POST", "/v1/audit", json_body=payload))

    async def audit_of_user(self, user_id: str, limit: int = 50) -> list[AuditEntry]:
        f = await self.client.call("GET", f"/v1/users/{_seg(user_id)}/audit", params={"limit": limit})
        return f.objects("items", parse_audit)

    async def audit_of_subscriber(self, subscriber_id: str, limit: int = 50) -> list[AuditEntry]:
        f = await self.client.call(
            "GET", f"/v1/subscribers/{_seg(subscriber_id)}/audit", params={"limit": limit}
        )
        return f.objects("items", parse_audit)


if TYPE_CHECKING:
    # mypy checks here that HttpCrm implements the port.
    _PORT: type[CrmPort] = HttpCrm
