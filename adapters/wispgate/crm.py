"""`HttpCrm`: the CRM port and the tickets port over the WISPGate core's CRM REST API. Answers decode straight into the port's
records (`adapters.decode`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

import httpx

from adapters.decode import Items, decode
from adapters.errors import ContractViolation, NotFound
from adapters.ports.crm import (
    Accepted,
    AuditEntry,
    CrmPort,
    DeviceSeen,
    Locale,
    MarkReadResult,
    Notification,
    NotificationLink,
    NotificationPage,
    PortalUser,
    RecoveryCodes,
    SecondFactorCheck,
    Subscriber,
    SubService,
    SubServicePage,
    TotpEnrolment,
)
from adapters.ports.tickets import Attachment, NewTicket, Ticket, TicketCategoryInfo, TicketPage, TicketsPort
from adapters.wispgate.client import CoreClient, chunks, keyed
from adapters.wispgate.crm_profile import ProfileCalls

T = TypeVar("T")
PAGE = 1000
UPLOAD_DEADLINE_S = 30.0  # an attachment upload (up to 25 MiB), instead of the CRM's read deadline


def _seg(value: str) -> str:
    """An id as one path segment: `/`, `?` and friends cannot change the path."""
    return quote(value, safe="")


class HttpCrm(ProfileCalls):
    def __init__(self, client: CoreClient) -> None:
        self.client = client

    async def _batch(
        self, path: str, ids: Sequence[str], into: type[T], key: Callable[[T], str]
    ) -> dict[str, T]:
        """POST `path` once per 1,000 distinct ids (concurrently) and key the items by `key`."""

        return {key(item): item for item in await self.client.batch(path, ids, into)}

    # -- subscribers and inventory -----------------------------------------------------------------------
    async def subscribers(self, ids: Sequence[str]) -> dict[str, Subscriber]:
        return await self._batch("/v1/subscribers:batch", ids, Subscriber, lambda s: s.id)

    async def subscriber(self, subscriber_id: str) -> Subscriber:
        return await self.client.call("GET", f"/v1/subscribers/{_seg(subscriber_id)}", Subscriber)

    async def subservices_of(
        self, subscriber_id: str, limit: int = 100, after: str | None = None
    ) -> SubServicePage:
        params: dict[str, Any] = {"limit": limit}
        if after is not None:
            params["after"] = after
        path = f"/v1/subscribers/{_seg(subscriber_id)}/subservices"
        return await self.client.call("GET", path, SubServicePage, params=params)

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
        return await self._batch("/v1/subservices:batch", ids, SubService, lambda s: s.id)

    # -- users -------------------------------------------------------------------------------------------
    async def verify_credentials(
        self, email: str, password: str, *, ip: str | None = None, user_agent: str | None = None
    ) -> PortalUser:
        body = {"email": email, "password": password, "ip": ip or None, "user_agent": user_agent or None}
        return await self.client.call("POST", "/v1/auth/verify", PortalUser, json_body=body)

    async def users(self, ids: Sequence[str]) -> dict[str, PortalUser]:
        return await self._batch("/v1/users:batch", ids, PortalUser, lambda u: u.id)

    async def user(self, user_id: str) -> PortalUser:
        return await self.client.call("GET", f"/v1/users/{_seg(user_id)}", PortalUser)

    async def users_of(self, subscriber_id: str) -> list[PortalUser]:
        path = f"/v1/subscribers/{_seg(subscriber_id)}/users"
        return (await self.client.call("GET", path, Items[PortalUser])).items

    # -- tickets -----------------------------------------------------------------------------------------
    async def tickets_of(
        self, subscriber_id: str, statuses: Sequence[str] = (), limit: int = 50, after: str | None = None
    ) -> TicketPage:
        params: dict[str, Any] = {"limit": limit}
        if statuses:
            params["status"] = list(statuses)
        if after is not None:
            params["after"] = after
        path = f"/v1/subscribers/{_seg(subscriber_id)}/tickets"
        return await self.client.call("GET", path, TicketPage, params=params)

    async def tickets(self, ids: Sequence[str]) -> dict[str, Ticket]:
        return await self._batch("/v1/tickets:batch", ids, Ticket, lambda t: t.id)

    async def ticket(self, ticket_id: str) -> Ticket:
        return await self.client.call("GET", f"/v1/tickets/{_seg(ticket_id)}", Ticket)

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
        return await self.client.call("POST", "/v1/tickets", Ticket, json_body=body)

    async def reply_to_ticket(self, ticket_id: str, author_user_id: str, body: str) -> Ticket:
        payload = {"author_user_id": author_user_id, "body": body}
        return await self.client.call(
            "POST", f"/v1/tickets/{_seg(ticket_id)}/messages", Ticket, json_body=payload
        )

    async def close_ticket(self, ticket_id: str, user_id: str) -> Ticket:
        payload = {"user_id": user_id}
        return await self.client.call(
            "POST", f"/v1/tickets/{_seg(ticket_id)}/close", Ticket, json_body=payload
        )

    async def reopen_ticket(self, ticket_id: str, user_id: str, reason: str | None = None) -> Ticket:
        payload = {"user_id": user_id, "reason": reason or None}
        return await self.client.call(
            "POST", f"/v1/tickets/{_seg(ticket_id)}/reopen", Ticket, json_body=payload
        )

    async def rate_ticket(self, ticket_id: str, user_id: str, score: int, comment: str | None) -> Ticket:
        payload = {"user_id": user_id, "score": score, "comment": comment or None}
        return await self.client.call(
            "POST", f"/v1/tickets/{_seg(ticket_id)}/rating", Ticket, json_body=payload
        )

    async def ticket_categories(self) -> list[TicketCategoryInfo]:
        return (await self.client.call("GET", "/v1/ticket-categories", Items[TicketCategoryInfo])).items

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
        return decode(self.client.backend, response.content, Attachment, "POST attachments")

    async def attachments(self, ids: Sequence[str]) -> dict[str, Attachment]:
        return await self._batch("/v1/attachments:batch", ids, Attachment, lambda a: a.id)

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
        # Through the CRM's guard like every call, but with a deadline of its own: a file of up to 25 MiB
        # may take longer than a read. Never repeated: the CRM would keep two attachments.
        return await self.client.request(
            "POST",
            path,
            files=files,
            data=data,
            deadline_s=max(UPLOAD_DEADLINE_S, self.client.guard.policy.deadline_s),
        )

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
        path = f"/v1/subscribers/{_seg(subscriber_id)}/notifications"
        return await self.client.call("GET", path, NotificationPage, params=params)

    async def notify(
        self,
        subscriber_id: str,
        kind: str,
        title: str,
        body: str,
        subservice_id: str | None = None,
        email: bool = False,
        link: NotificationLink | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> Notification:
        payload: dict[str, Any] = {
            "subscriber_id": subscriber_id,
            "subservice_id": subservice_id,
            "kind": kind,
            "title": title,
            "body": body,
            "email": email,
        }
        if link is not None:
            payload["link"] = {"kind": link.kind, "id": link.id}
        return await self.client.call(
            "POST", "/v1/notifications", Notification, json_body=payload, headers=keyed(idempotency_key)
        )

    async def mark_notifications_read(self, user_id: str, ids: Sequence[str]) -> MarkReadResult:
        marked: list[str] = []
        unread = 0
        # Sequential, so the unread count returned is the one after the last chunk. No ids at all still
        # goes to the CRM, which refuses it (Rejected) rather than this answering an invented count.
        for chunk in chunks(ids) or [[]]:
            result = await self.client.call(
                "POST", "/v1/notifications/read", MarkReadResult, json_body={"user_id": user_id, "ids": chunk}
            )
            marked += result.marked_ids
            unread = result.unread_count
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
        return await self.client.call("POST", "/v1/audit", AuditEntry, json_body=payload)

    async def audit_of_user(self, user_id: str, limit: int = 50) -> list[AuditEntry]:
        path = f"/v1/users/{_seg(user_id)}/audit"
        return (await self.client.call("GET", path, Items[AuditEntry], params={"limit": limit})).items

    async def audit_of_subscriber(self, subscriber_id: str, limit: int = 50) -> list[AuditEntry]:
        path = f"/v1/subscribers/{_seg(subscriber_id)}/audit"
        return (await self.client.call("GET", path, Items[AuditEntry], params={"limit": limit})).items

    # -- a user's credentials ----------------------------------------------------------------------------
    async def change_password(self, user_id: str, current: str, new: str) -> PortalUser:
        body = {"current_password": current, "new_password": new}
        return await self.client.call(
            "POST", f"/v1/users/{_seg(user_id)}/password", PortalUser, json_body=body
        )

    async def request_password_reset(self, email: str, link: str, locale: Locale | None = None) -> None:
        body = {"email": email, "link": link, "locale": locale}
        await self.client.call("POST", "/v1/auth/password-reset", Accepted, json_body=body)

    async def reset_password(self, token: str, new: str) -> PortalUser:
        body = {"token": token, "new_password": new}
        return await self.client.call("POST", "/v1/auth/password-reset/complete", PortalUser, json_body=body)

    async def begin_totp(self, user_id: str) -> TotpEnrolment:
        return await self.client.call("POST", f"/v1/users/{_seg(user_id)}/totp", TotpEnrolment, json_body={})

    async def confirm_totp(self, user_id: str, code: str) -> RecoveryCodes:
        path = f"/v1/users/{_seg(user_id)}/totp/confirm"
        return await self.client.call("POST", path, RecoveryCodes, json_body={"code": code})

    async def verify_second_factor(
        self, user_id: str, *, code: str | None = None, recovery_code: str | None = None
    ) -> SecondFactorCheck:
        path = f"/v1/users/{_seg(user_id)}/totp/verify"
        body = {"code": code, "recovery_code": recovery_code}
        return await self.client.call("POST", path, SecondFactorCheck, json_body=body)

    async def disable_totp(
        self, user_id: str, *, password: str | None = None, code: str | None = None
    ) -> PortalUser:
        path = f"/v1/users/{_seg(user_id)}/totp/disable"
        return await self.client.call(
            "POST", path, PortalUser, json_body={"password": password, "code": code}
        )

    async def device_seen(self, user_id: str, device_key: str, label: str, ip: str | None) -> DeviceSeen:
        path = f"/v1/users/{_seg(user_id)}/devices"
        body = {"device_key": device_key, "label": label, "ip": ip or None}
        return await self.client.call("POST", path, DeviceSeen, json_body=body)

    # -- the team ----------------------------------------------------------------------------------------
    async def invite_user(
        self,
        subscriber_id: str,
        *,
        email: str,
        name: str | None,
        role: str,
        site_ids: Sequence[str],
        invited_by: str,
        link: str,
    ) -> PortalUser:
        body = {
            "email": email,
            "name": name or None,
            "role": role,
            "site_ids": list(site_ids),
            "invited_by": invited_by,
            "link": link,
        }
        path = f"/v1/subscribers/{_seg(subscriber_id)}/invitations"
        return await self.client.call("POST", path, PortalUser, json_body=body)

    async def set_user_role(self, user_id: str, role: str, site_ids: Sequence[str] = ()) -> PortalUser:
        body = {"role": role, "site_ids": list(site_ids)}
        return await self.client.call("POST", f"/v1/users/{_seg(user_id)}/role", PortalUser, json_body=body)

    async def set_user_disabled(self, user_id: str, disabled: bool) -> PortalUser:
        path = f"/v1/users/{_seg(user_id)}/disabled"
        return await self.client.call("POST", path, PortalUser, json_body={"disabled": disabled})

    async def remove_user(self, user_id: str) -> PortalUser:
        return await self.client.call("POST", f"/v1/users/{_seg(user_id)}/remove", PortalUser, json_body={})

    async def set_user_locale(self, user_id: str, locale: Locale | None) -> PortalUser:
        path = f"/v1/users/{_seg(user_id)}/locale"
        return await self.client.call("POST", path, PortalUser, json_body={"locale": locale})


if TYPE_CHECKING:
    # mypy checks here that HttpCrm implements both ports.
    _PORT: type[CrmPort] = HttpCrm
    _TICKETS_PORT: type[TicketsPort] = HttpCrm
