"""The CRM's HTTP API. Handlers validate the request's shape and call the services; no business rules here."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from sandbox.common.http import invalid, not_found, ok, read_ids, read_object, require_str
from sandbox.crm.api.params import enum, enum_params, flag, flag_param, limit_param, opt_enum, opt_str
from sandbox.crm.api.upload import FILE_FIELD, read_upload
from sandbox.crm.config import (
    MAX_ATTACHMENT_BYTES,
    MAX_BODY,
    MAX_ID,
    MAX_SUBJECT,
    MAX_TITLE,
    NOTIFICATION_CURSOR,
    NOTIFICATION_KINDS,
    SUBSERVICE_CURSOR,
    SUPPORT_STATUSES,
    TICKET_CATEGORIES,
    TICKET_CURSOR,
    TICKET_PRIORITIES,
    TICKET_STATUSES,
)
from sandbox.crm.service import CrmService
from sandbox.crm.service.cursor import decode_cursor


def routes(service: CrmService) -> list[BaseRoute]:
    directory, tickets, notices, audit = service.directory, service.tickets, service.notices, service.audit
    attachments = service.attachments

    # -- subscribers and sub-services --------------------------------------------------------------------
    async def get_subscriber(request: Request) -> Response:
        return ok(directory.subscriber(request.path_params["subscriber_id"]))

    async def batch_subscribers(request: Request) -> Response:
        return ok({"items": directory.subscribers(await read_ids(request))})

    async def list_subservices(request: Request) -> Response:
        params = request.query_params
        page = directory.subservices_page(
            request.path_params["subscriber_id"],
            limit=limit_param(params, default=100, maximum=1000),
            after=decode_cursor(SUBSERVICE_CURSOR, params.get("after")),
        )
        return ok(page)

    async def batch_subservices(request: Request) -> Response:
        return ok({"items": directory.subservices(await read_ids(request))})

    # -- users and log-in --------------------------------------------------------------------------------
    async def verify(request: Request) -> Response:
        body = await read_object(request)
        email = require_str(body, "email", max_len=320)
        password = body.get("password")
        if not isinstance(password, str) or not 1 <= len(password) <= 1024:
            raise invalid("`password` must be a string of 1 to 1024 characters")
        # scrypt takes tens of milliseconds: keep it off the event loop the other systems share.
        return ok(await run_in_threadpool(directory.verify_credentials, email, password))

    async def get_user(request: Request) -> Response:
        return ok(directory.user(request.path_params["user_id"]))

    async def batch_users(request: Request) -> Response:
        return ok({"items": directory.users(await read_ids(request))})

    async def users_of(request: Request) -> Response:
        return ok({"items": directory.users_of(request.path_params["subscriber_id"])})

    # -- tickets -----------------------------------------------------------------------------------------
    async def list_tickets(request: Request) -> Response:
        params = request.query_params
        page = tickets.summaries_of(
            request.path_params["subscriber_id"],
            statuses=enum_params(params, "status", TICKET_STATUSES),
            limit=limit_param(params, default=50, maximum=200),
            after=decode_cursor(TICKET_CURSOR, params.get("after")),
        )
        return ok(page)

    async def batch_tickets(request: Request) -> Response:
        return ok({"items": tickets.tickets(await read_ids(request))})

    async def get_ticket(request: Request) -> Response:
        return ok(tickets.ticket(request.path_params["ticket_id"]))

    async def open_ticket(request: Request) -> Response:
        body = await read_object(request)
        ticket = tickets.open(
            subscriber_id=require_str(body, "subscriber_id", max_len=MAX_ID),
            subservice_id=opt_str(body, "subservice_id", MAX_ID),
            category=enum(body, "category", TICKET_CATEGORIES),
            priority=opt_enum(body, "priority", TICKET_PRIORITIES),
            subject=require_str(body, "subject", max_len=MAX_SUBJECT),
            body=require_str(body, "body", max_len=MAX_BODY),
            author_user_id=require_str(body, "author_user_id", max_len=MAX_ID),
        )
        return ok(ticket, 201)

    async def reply(request: Request) -> Response:
        body = await read_object(request)
        ticket = tickets.reply_as_customer(
            request.path_params["ticket_id"],
            require_str(body, "author_user_id", max_len=MAX_ID),
            require_str(body, "body", max_len=MAX_BODY),
        )
        return ok(ticket, 201)

    async def close(request: Request) -> Response:
        body = await read_object(request)
        return ok(
            tickets.close(request.path_params["ticket_id"], require_str(body, "user_id", max_len=MAX_ID))
        )

    async def upload_attachment(request: Request) -> Response:
        ticket_id = request.path_params["ticket_id"]
        tickets.ticket(ticket_id)  # 404 before reading a body that would be thrown away
        part, fields = await read_upload(request, max_file_bytes=MAX_ATTACHMENT_BYTES)
        if part is None:
            raise invalid(f"the form needs a `{FILE_FIELD}` part", "FILE_REQUIRED")
        message_id = fields.get("message_id") or None
        attachment = attachments.add(ticket_id, part.filename, part.content_type, part.data, message_id)
        return ok(attachment, 201)

    async def batch_attachments(request: Request) -> Response:
        return ok({"items": attachments.by_ids(await read_ids(request))})

    async def download_attachment(request: Request) -> Response:
        meta, path = attachments.file(request.path_params["attachment_id"])
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
    async def list_notifications(request: Request) -> Response:
        params = request.query_params
        user_id = params.get("user_id")
        if not user_id:
            raise invalid("`user_id` is required")
        page = notices.list_for(
            request.path_params["subscriber_id"],
            user_id,
            unread_only=flag_param(params, "unread_only"),
            limit=limit_param(params, default=50, maximum=200),
            after=decode_cursor(NOTIFICATION_CURSOR, params.get("after")),
        )
        return ok(page)

    async def create_notification(request: Request) -> Response:
        body = await read_object(request)
        notification = notices.create(
            require_str(body, "subscriber_id", max_len=MAX_ID),
            enum(body, "kind", NOTIFICATION_KINDS),
            require_str(body, "title", max_len=MAX_TITLE),
            require_str(body, "body", max_len=MAX_BODY),
            subservice_id=opt_str(body, "subservice_id", MAX_ID),
            email=flag(body, "email"),
        )
        return ok(notification, 201)

    async def mark_read(request: Request) -> Response:
        body = await read_object(request)
        user_id = require_str(body, "user_id", max_len=MAX_ID)
        ids = await read_ids(request)
        return ok(notices.mark_read(user_id, ids))

    # -- audit -------------------------------------------------------------------------------------------
    async def record_audit(request: Request) -> Response:
        body = await read_object(request)
        entry = audit.record(
            require_str(body, "action", max_len=100),
            user_id=opt_str(body, "user_id", MAX_ID),
            subscriber_id=opt_str(body, "subscriber_id", MAX_ID),
            ip=opt_str(body, "ip", 64),
            user_agent=opt_str(body, "user_agent", 500),
            detail=opt_str(body, "detail", 2000),
        )
        return ok(entry, 201)

    async def audit_of_user(request: Request) -> Response:
        limit = limit_param(request.query_params, default=50, maximum=500)
        return ok({"items": audit.of_user(request.path_params["user_id"], limit)})

    async def audit_of_subscriber(request: Request) -> Response:
        limit = limit_param(request.query_params, default=50, maximum=500)
        return ok({"items": audit.of_subscriber(request.path_params["subscriber_id"], limit)})

    # -- operator ----------------------------------------------------------------------------------------
    async def ops_queue(request: Request) -> Response:
        params = request.query_params
        statuses = tuple(enum_params(params, "status", TICKET_STATUSES))
        return ok({"items": tickets.support_queue(statuses, limit_param(params, default=200, maximum=1000))})

    async def ops_reply(request: Request) -> Response:
        body = await read_object(request)
        ticket = tickets.reply_as_support(
            request.path_params["ticket_id"],
            require_str(body, "agent_name", max_len=100),
            require_str(body, "body", max_len=MAX_BODY),
            opt_enum(body, "status", SUPPORT_STATUSES),
        )
        return ok(ticket, 201)

    async def ops_status(request: Request) -> Response:
        body = await read_object(request)
        status = enum(body, "status", TICKET_STATUSES)
        return ok(tickets.set_status(request.path_params["ticket_id"], status))

    async def ops_emails(request: Request) -> Response:
        return ok({"items": notices.emails(limit_param(request.query_params, default=100, maximum=1000))})

    async def ops_disable(request: Request) -> Response:
        return ok(directory.set_disabled(request.path_params["user_id"], True))

    async def ops_enable(request: Request) -> Response:
        return ok(directory.set_disabled(request.path_params["user_id"], False))

    return [
        Route("/v1/subscribers:batch", batch_subscribers, methods=["POST"]),
        Route("/v1/subscribers/{subscriber_id}", get_subscriber, methods=["GET"]),
        Route("/v1/subscribers/{subscriber_id}/subservices", list_subservices, methods=["GET"]),
        Route("/v1/subscribers/{subscriber_id}/users", users_of, methods=["GET"]),
        Route("/v1/subscribers/{subscriber_id}/tickets", list_tickets, methods=["GET"]),
        Route("/v1/subscribers/{subscriber_id}/notifications", list_notifications, methods=["GET"]),
        Route("/v1/subscribers/{subscriber_id}/audit", audit_of_subscriber, methods=["GET"]),
        Route("/v1/subservices:batch", batch_subservices, methods=["POST"]),
        Route("/v1/auth/verify", verify, methods=["POST"]),
        Route("/v1/users:batch", batch_users, methods=["POST"]),
        Route("/v1/users/{user_id}", get_user, methods=["GET"]),
        Route("/v1/users/{user_id}/audit", audit_of_user, methods=["GET"]),
        Route("/v1/tickets", open_ticket, methods=["POST"]),
        Route("/v1/tickets:batch", batch_tickets, methods=["POST"]),
        Route("/v1/tickets/{ticket_id}", get_ticket, methods=["GET"]),
        Route("/v1/tickets/{ticket_id}/messages", reply, methods=["POST"]),
        Route("/v1/tickets/{ticket_id}/close", close, methods=["POST"]),
        Route("/v1/tickets/{ticket_id}/attachments", upload_attachment, methods=["POST"]),
        Route("/v1/attachments:batch", batch_attachments, methods=["POST"]),
        Route("/v1/attachments/{attachment_id}", download_attachment, methods=["GET"]),
        Route("/v1/notifications", create_notification, methods=["POST"]),
        Route("/v1/notifications/read", mark_read, methods=["POST"]),
        Route("/v1/audit", record_audit, methods=["POST"]),
        Route("/v1/ops/tickets", ops_queue, methods=["GET"]),
        Route("/v1/ops/tickets/{ticket_id}/reply", ops_reply, methods=["POST"]),
        Route("/v1/ops/tickets/{ticket_id}/status", ops_status, methods=["POST"]),
        Route("/v1/ops/emails", ops_emails, methods=["GET"]),
        Route("/v1/ops/users/{user_id}/disable", ops_disable, methods=["POST"]),
        Route("/v1/ops/users/{user_id}/enable", ops_enable, methods=["POST"]),
    ]
