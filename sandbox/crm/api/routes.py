"""The CRM's HTTP API. Handlers validate the request's shape and call the services; no business rules here."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from sandbox.common.http import ApiError, invalid, not_found, ok, read_ids, read_object, require_str
from sandbox.common.idempotency import RequestKeys
from sandbox.crm.api.params import enum, enum_params, flag, flag_param, limit_param, opt_enum, opt_str
from sandbox.crm.api.profile import ProfileApi
from sandbox.crm.api.upload import FILE_FIELD, read_upload
from sandbox.crm.config import (
    LOCALES,
    MAX_ATTACHMENT_BYTES,
    MAX_BODY,
    MAX_ID,
    MAX_SUBJECT,
    MAX_TITLE,
    NOTIFICATION_CURSOR,
    NOTIFICATION_KINDS,
    ROLES,
    SUBSERVICE_CURSOR,
    SUPPORT_STATUSES,
    TICKET_CATEGORIES,
    TICKET_CURSOR,
    TICKET_PRIORITIES,
    TICKET_STATUSES,
)
from sandbox.crm.service import CrmService, sla
from sandbox.crm.service.cursor import decode_cursor
from sandbox.crm.service.notices import LINK_KINDS


class CrmApi:
    """One method per route; `routes()` lists them."""

    def __init__(self, service: CrmService) -> None:
        self.service = service
        self.directory = service.directory
        self.tickets = service.tickets
        self.notices = service.notices
        self.audit = service.audit
        self.attachments = service.attachments
        self.feedback = service.feedback
        self.keys = RequestKeys(service.notices.db)

    # -- subscribers and sub-services --------------------------------------------------------------------
    async def get_subscriber(self, request: Request) -> Response:
        return ok(self.directory.subscriber(request.path_params["subscriber_id"]))

    async def batch_subscribers(self, request: Request) -> Response:
        return ok({"items": self.directory.subscribers(await read_ids(request))})

    async def list_subservices(self, request: Request) -> Response:
        params = request.query_params
        page = self.directory.subservices_page(
            request.path_params["subscriber_id"],
            limit=limit_param(params, default=100, maximum=1000),
            after=decode_cursor(SUBSERVICE_CURSOR, params.get("after")),
        )
        return ok(page)

    async def batch_subservices(self, request: Request) -> Response:
        return ok({"items": self.directory.subservices(await read_ids(request))})

    # -- users and log-in --------------------------------------------------------------------------------
    async def verify(self, request: Request) -> Response:
        body = await read_object(request)
        email = require_str(body, "email", max_len=320)
        password = body.get("password")
        if not isinstance(password, str) or not 1 <= len(password) <= 1024:
            raise invalid("`password` must be a string of 1 to 1024 characters")
        ip, agent = opt_str(body, "ip", max_len=64), opt_str(body, "user_agent", max_len=300)
        try:
            # scrypt takes tens of milliseconds: keep it off the event loop the other systems share.
            return ok(await run_in_threadpool(self.directory.verify_credentials, email, password))
        except ApiError as exc:
            # A wrong password for a known user goes into that user's access log (an unknown e-mail has no
            # log to go to, and the answer stays the same for both).
            user_id = self.directory.user_id_by_email(email)
            if user_id is not None and exc.code in ("INVALID_CREDENTIALS", "USER_DISABLED"):
                self.audit.record("login_failed", user_id=user_id, ip=ip, user_agent=agent, detail=exc.code)
            raise

    # -- a user's credentials and second factor --------------------------------------------------------
    async def change_password(self, request: Request) -> Response:
        body = await read_object(request)
        current, new = _password(body, "current_password"), _password(body, "new_password")
        user_id = request.path_params["user_id"]
        return ok(await run_in_threadpool(self.service.credentials.change_password, user_id, current, new))

    async def request_reset(self, request: Request) -> Response:
        body = await read_object(request)
        email = require_str(body, "email", max_len=320)
        link = require_str(body, "link", max_len=500)
        locale = body.get("locale")
        self.service.credentials.request_reset(email, link, locale if locale in LOCALES else None)
        # The same answer whether or not a user has this address.
        return ok({"accepted": True}, 202)

    async def complete_reset(self, request: Request) -> Response:
        body = await read_object(request)
        token = require_str(body, "token", max_len=200)
        new = _password(body, "new_password")
        return ok(await run_in_threadpool(self.service.credentials.complete_reset, token, new))

    async def begin_totp(self, request: Request) -> Response:
        return ok(self.service.second_factor.begin(request.path_params["user_id"]))

    async def confirm_totp(self, request: Request) -> Response:
        body = await read_object(request)
        code = require_str(body, "code", max_len=20)
        return ok(self.service.second_factor.confirm(request.path_params["user_id"], code))

    async def verify_totp(self, request: Request) -> Response:
        body = await read_object(request)
        code, recovery = opt_str(body, "code", 20), opt_str(body, "recovery_code", 40)
        if (code is None) == (recovery is None):
            raise invalid("send exactly one of `code` and `recovery_code`")
        return ok(self.service.second_factor.verify(request.path_params["user_id"], code, recovery))

    async def disable_totp(self, request: Request) -> Response:
        body = await read_object(request)
        password = body.get("password")
        if password is not None:
            password = _password(body, "password")
        code = opt_str(body, "code", 20)
        if (password is None) == (code is None):
            raise invalid("send exactly one of `password` and `code`")
        user_id = request.path_params["user_id"]
        return ok(await run_in_threadpool(self.service.second_factor.disable, user_id, password, code))

    async def device_seen(self, request: Request) -> Response:
        body = await read_object(request)
        seen = self.service.sign_in_alerts.seen(
            request.path_params["user_id"],
            require_str(body, "device_key", max_len=200),
            require_str(body, "label", max_len=200),
            opt_str(body, "ip", 64),
        )
        return ok(seen)

    # -- the team ----------------------------------------------------------------------------------------
    async def invite(self, request: Request) -> Response:
        body = await read_object(request)
        sites = body.get("site_ids", [])
        if not isinstance(sites, list) or len(sites) > 1000 or not all(isinstance(s, str) for s in sites):
            raise invalid("`site_ids` must be a list of sub-service ids")
        user = await run_in_threadpool(
            self.service.team.invite,
            request.path_params["subscriber_id"],
            email=require_str(body, "email", max_len=254),
            name=opt_str(body, "name", 200) or "",
            role=enum(body, "role", ROLES),
            site_ids=sites,
            invited_by=require_str(body, "invited_by", max_len=MAX_ID),
            link_base=require_str(body, "link", max_len=500),
        )
        return ok(user, 201)

    async def set_role(self, request: Request) -> Response:
        body = await read_object(request)
        sites = body.get("site_ids", [])
        if not isinstance(sites, list) or len(sites) > 1000 or not all(isinstance(s, str) for s in sites):
            raise invalid("`site_ids` must be a list of sub-service ids")
        return ok(self.directory.set_role(request.path_params["user_id"], enum(body, "role", ROLES), sites))

    async def set_disabled(self, request: Request) -> Response:
        body = await read_object(request)
        disabled = body.get("disabled")
        if not isinstance(disabled, bool):
            raise invalid("`disabled` must be true or false")
        return ok(self.directory.set_disabled(request.path_params["user_id"], disabled))

    async def set_locale(self, request: Request) -> Response:
        body = await read_object(request)
        locale = body.get("locale")
        if locale is not None and not isinstance(locale, str):
            raise invalid("`locale` must be a string or null")
        return ok(self.directory.set_locale(request.path_params["user_id"], locale))

    async def remove_user(self, request: Request) -> Response:
        return ok(self.service.team.remove(request.path_params["user_id"]))

    async def get_user(self, request: Request) -> Response:
        return ok(self.directory.user(request.path_params["user_id"]))

    async def batch_users(self, request: Request) -> Response:
        return ok({"items": self.directory.users(await read_ids(request))})

    async def users_of(self, request: Request) -> Response:
        return ok({"items": self.directory.users_of(request.path_params["subscriber_id"])})

    # -- tickets -----------------------------------------------------------------------------------------
    async def list_tickets(self, request: Request) -> Response:
        params = request.query_params
        page = self.tickets.summaries_of(
            request.path_params["subscriber_id"],
            statuses=enum_params(params, "status", TICKET_STATUSES),
            limit=limit_param(params, default=50, maximum=200),
            after=decode_cursor(TICKET_CURSOR, params.get("after")),
        )
        return ok(page)

    async def batch_tickets(self, request: Request) -> Response:
        return ok({"items": self.tickets.tickets(await read_ids(request))})

    async def get_ticket(self, request: Request) -> Response:
        return ok(self.tickets.ticket(request.path_params["ticket_id"]))

    async def open_ticket(self, request: Request) -> Response:
        body = await read_object(request)
        ticket = self.tickets.open(
            subscriber_id=require_str(body, "subscriber_id", max_len=MAX_ID),
            subservice_id=opt_str(body, "subservice_id", MAX_ID),
            category=enum(body, "category", TICKET_CATEGORIES),
            priority=opt_enum(body, "priority", TICKET_PRIORITIES),
            subject=require_str(body, "subject", max_len=MAX_SUBJECT),
            body=require_str(body, "body", max_len=MAX_BODY),
            author_user_id=require_str(body, "author_user_id", max_len=MAX_ID),
        )
        return ok(ticket, 201)

    async def reply(self, request: Request) -> Response:
        body = await read_object(request)
        ticket = self.tickets.reply_as_customer(
            request.path_params["ticket_id"],
            require_str(body, "author_user_id", max_len=MAX_ID),
            require_str(body, "body", max_len=MAX_BODY),
        )
        return ok(ticket, 201)

    async def close(self, request: Request) -> Response:
        body = await read_object(request)
        return ok(
            self.tickets.close(request.path_params["ticket_id"], require_str(body, "user_id", max_len=MAX_ID))
        )

    async def categories(self, _request: Request) -> Response:
        return ok({"items": sla.categories()})

    async def reopen(self, request: Request) -> Response:
        body = await read_object(request)
        return ok(
            self.feedback.reopen(
                request.path_params["ticket_id"],
                require_str(body, "user_id", max_len=MAX_ID),
                opt_str(body, "reason", MAX_BODY),
            )
        )

    async def rate(self, request: Request) -> Response:
        body = await read_object(request)
        score = body.get("score")
        if not isinstance(score, int) or isinstance(score, bool):
            raise invalid("`score` must be a whole number from 1 to 5", "RATING_INVALID")
        return ok(
            self.feedback.rate(
                request.path_params["ticket_id"],
                require_str(body, "user_id", max_len=MAX_ID),
                score,
                opt_str(body, "comment", MAX_BODY),
            )
        )

    async def upload_attachment(self, request: Request) -> Response:
        ticket_id = request.path_params["ticket_id"]
        self.tickets.ticket(ticket_id)  # 404 before reading a body that would be thrown away
        part, fields = await read_upload(request, max_file_bytes=MAX_ATTACHMENT_BYTES)
        if part is None:
            raise invalid(f"the form needs a `{FILE_FIELD}` part", "FILE_REQUIRED")
        message_id = fields.get("message_id") or None
        attachment = self.attachments.add(ticket_id, part.filename, part.content_type, part.data, message_id)
        return ok(attachment, 201)

    async def batch_attachments(self, request: Request) -> Response:
        return ok({"items": self.attachments.by_ids(await read_ids(request))})

    async def download_attachment(self, request: Request) -> Response:
        meta, path = self.attachments.file(request.path_params["attachment_id"])
        if not path.is_file():
            raise not_found("attachment content")
        return Response(
            path.read_bytes(),
            media_type=meta["content_type"],
            headers={
                "content-disposition": f'attachment; filename="{meta["filename"]}"',
                "x-content-type-options": "nosniff",
                "cache-control": "private, no-store",
            },
        )

    # -- notifications -----------------------------------------------------------------------------------
    async def list_notifications(self, request: Request) -> Response:
        params = request.query_params
        user_id = params.get("user_id")
        if not user_id:
            raise invalid("`user_id` is required")
        page = self.notices.list_for(
            request.path_params["subscriber_id"],
            user_id,
            unread_only=flag_param(params, "unread_only"),
            limit=limit_param(params, default=50, maximum=200),
            after=decode_cursor(NOTIFICATION_CURSOR, params.get("after")),
        )
        return ok(page)

    async def create_notification(self, request: Request) -> Response:
        body = await read_object(request)

        def create() -> Response:
            # The notification and its e-mail are written in one transaction, so one key covers both.
            notification = self.notices.create(
                require_str(body, "subscriber_id", max_len=MAX_ID),
                enum(body, "kind", NOTIFICATION_KINDS),
                require_str(body, "title", max_len=MAX_TITLE),
                require_str(body, "body", max_len=MAX_BODY),
                subservice_id=opt_str(body, "subservice_id", MAX_ID),
                email=flag(body, "email"),
                link=_link(body),
            )
            return ok(notification, 201)

        return self.keys.once(request, body, create)

    async def mark_read(self, request: Request) -> Response:
        body = await read_object(request)
        user_id = require_str(body, "user_id", max_len=MAX_ID)
        ids = await read_ids(request)
        return ok(self.notices.mark_read(user_id, ids))

    # -- audit -------------------------------------------------------------------------------------------
    async def record_audit(self, request: Request) -> Response:
        body = await read_object(request)
        entry = self.audit.record(
            require_str(body, "action", max_len=100),
            user_id=opt_str(body, "user_id", MAX_ID),
            subscriber_id=opt_str(body, "subscriber_id", MAX_ID),
            ip=opt_str(body, "ip", 64),
            user_agent=opt_str(body, "user_agent", 500),
            detail=opt_str(body, "detail", 2000),
        )
        return ok(entry, 201)

    async def audit_of_user(self, request: Request) -> Response:
        limit = limit_param(request.query_params, default=50, maximum=500)
        return ok({"items": self.audit.of_user(request.path_params["user_id"], limit)})

    async def audit_of_subscriber(self, request: Request) -> Response:
        limit = limit_param(request.query_params, default=50, maximum=500)
        return ok({"items": self.audit.of_subscriber(request.path_params["subscriber_id"], limit)})

    # -- operator ----------------------------------------------------------------------------------------
    async def ops_queue(self, request: Request) -> Response:
        params = request.query_params
        statuses = tuple(enum_params(params, "status", TICKET_STATUSES))
        queue = params.get("queue") or None
        if queue is not None and queue not in sla.queues():
            raise invalid(f"`queue` must be one of {', '.join(sla.queues())}")
        items = self.tickets.support_queue(statuses, limit_param(params, default=200, maximum=1000))
        return ok({"items": [t for t in items if queue is None or t["queue"] == queue]})

    async def ops_queues(self, _request: Request) -> Response:
        return ok({"items": self.tickets.queue_counts(sla.queues())})

    async def ops_attach(self, request: Request) -> Response:
        """Support attaches a file to a ticket (to its latest support message, when there is one)."""
        ticket_id = request.path_params["ticket_id"]
        ticket = self.tickets.ticket(ticket_id)
        part, fields = await read_upload(request, max_file_bytes=MAX_ATTACHMENT_BYTES)
        if part is None:
            raise invalid(f"the form needs a `{FILE_FIELD}` part", "FILE_REQUIRED")
        latest = [m["id"] for m in ticket["messages"] if m["author_kind"] == "SUPPORT"]
        message_id = fields.get("message_id") or (latest[-1] if latest else None)
        attachment = self.attachments.add(ticket_id, part.filename, part.content_type, part.data, message_id)
        return ok(attachment, 201)

    async def ops_reply(self, request: Request) -> Response:
        body = await read_object(request)
        ticket = self.tickets.reply_as_support(
            request.path_params["ticket_id"],
            require_str(body, "agent_name", max_len=100),
            require_str(body, "body", max_len=MAX_BODY),
            opt_enum(body, "status", SUPPORT_STATUSES),
        )
        return ok(ticket, 201)

    async def ops_status(self, request: Request) -> Response:
        body = await read_object(request)
        status = enum(body, "status", TICKET_STATUSES)
        agent = opt_str(body, "agent_name", 100) or "Support team"
        return ok(self.tickets.set_status(request.path_params["ticket_id"], status, agent))

    async def ops_emails(self, request: Request) -> Response:
        return ok(
            {"items": self.notices.emails(limit_param(request.query_params, default=100, maximum=1000))}
        )

    async def ops_disable(self, request: Request) -> Response:
        return ok(self.directory.set_disabled(request.path_params["user_id"], True))

    async def ops_enable(self, request: Request) -> Response:
        return ok(self.directory.set_disabled(request.path_params["user_id"], False))

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/v1/subscribers:batch", self.batch_subscribers, methods=["POST"]),
            Route("/v1/subscribers/{subscriber_id}", self.get_subscriber, methods=["GET"]),
            Route("/v1/subscribers/{subscriber_id}/subservices", self.list_subservices, methods=["GET"]),
            Route("/v1/subscribers/{subscriber_id}/users", self.users_of, methods=["GET"]),
            Route("/v1/subscribers/{subscriber_id}/tickets", self.list_tickets, methods=["GET"]),
            Route("/v1/subscribers/{subscriber_id}/notifications", self.list_notifications, methods=["GET"]),
            Route("/v1/subscribers/{subscriber_id}/audit", self.audit_of_subscriber, methods=["GET"]),
            Route("/v1/subservices:batch", self.batch_subservices, methods=["POST"]),
            Route("/v1/auth/verify", self.verify, methods=["POST"]),
            Route("/v1/users:batch", self.batch_users, methods=["POST"]),
            Route("/v1/users/{user_id}", self.get_user, methods=["GET"]),
            Route("/v1/users/{user_id}/audit", self.audit_of_user, methods=["GET"]),
            Route("/v1/users/{user_id}/password", self.change_password, methods=["POST"]),
            Route("/v1/users/{user_id}/totp", self.begin_totp, methods=["POST"]),
            Route("/v1/users/{user_id}/totp/confirm", self.confirm_totp, methods=["POST"]),
            Route("/v1/users/{user_id}/totp/verify", self.verify_totp, methods=["POST"]),
            Route("/v1/users/{user_id}/totp/disable", self.disable_totp, methods=["POST"]),
            Route("/v1/users/{user_id}/devices", self.device_seen, methods=["POST"]),
            Route("/v1/users/{user_id}/role", self.set_role, methods=["POST"]),
            Route("/v1/users/{user_id}/disabled", self.set_disabled, methods=["POST"]),
            Route("/v1/users/{user_id}/remove", self.remove_user, methods=["POST"]),
            Route("/v1/users/{user_id}/locale", self.set_locale, methods=["POST"]),
            Route("/v1/subscribers/{subscriber_id}/invitations", self.invite, methods=["POST"]),
            Route("/v1/auth/password-reset", self.request_reset, methods=["POST"]),
            Route("/v1/auth/password-reset/complete", self.complete_reset, methods=["POST"]),
            Route("/v1/tickets", self.open_ticket, methods=["POST"]),
            Route("/v1/tickets:batch", self.batch_tickets, methods=["POST"]),
            Route("/v1/tickets/{ticket_id}", self.get_ticket, methods=["GET"]),
            Route("/v1/tickets/{ticket_id}/messages", self.reply, methods=["POST"]),
            Route("/v1/tickets/{ticket_id}/close", self.close, methods=["POST"]),
            Route("/v1/tickets/{ticket_id}/attachments", self.upload_attachment, methods=["POST"]),
            Route("/v1/tickets/{ticket_id}/reopen", self.reopen, methods=["POST"]),
            Route("/v1/tickets/{ticket_id}/rating", self.rate, methods=["POST"]),
            Route("/v1/ticket-categories", self.categories, methods=["GET"]),
            Route("/v1/attachments:batch", self.batch_attachments, methods=["POST"]),
            Route("/v1/attachments/{attachment_id}", self.download_attachment, methods=["GET"]),
            Route("/v1/notifications", self.create_notification, methods=["POST"]),
            Route("/v1/notifications/read", self.mark_read, methods=["POST"]),
            Route("/v1/audit", self.record_audit, methods=["POST"]),
            Route("/v1/ops/tickets", self.ops_queue, methods=["GET"]),
            Route("/v1/ops/tickets/{ticket_id}/reply", self.ops_reply, methods=["POST"]),
            Route("/v1/ops/tickets/{ticket_id}/status", self.ops_status, methods=["POST"]),
            Route("/v1/ops/tickets/{ticket_id}/attachments", self.ops_attach, methods=["POST"]),
            Route("/v1/ops/queues", self.ops_queues, methods=["GET"]),
            Route("/v1/ops/emails", self.ops_emails, methods=["GET"]),
            Route("/v1/ops/users/{user_id}/disable", self.ops_disable, methods=["POST"]),
            Route("/v1/ops/users/{user_id}/enable", self.ops_enable, methods=["POST"]),
        ]


def _link(body: dict[str, object]) -> tuple[str, str | None] | None:
    raw = body.get("link")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise invalid("`link` must be an object with `kind` and `id`")
    kind = enum(raw, "kind", LINK_KINDS)
    return kind, opt_str(raw, "id", MAX_ID)


def _password(body: dict[str, object], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not 1 <= len(value) <= 1024:
        raise invalid(f"`{key}` must be a string of 1 to 1024 characters")
    return value


def routes(service: CrmService) -> list[BaseRoute]:
    return CrmApi(service).routes() + ProfileApi(service).routes()
