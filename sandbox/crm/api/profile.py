"""The CRM's HTTP API for contact details and a user's profile (`service/profile.py`): request shapes and
bounds only; the rules are the service's."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from adapters.contact import (
    MAX_ADDRESS_LINE,
    MAX_ADDRESS_LINES,
    MAX_CITY,
    MAX_EMAIL,
    MAX_PHONE_INPUT,
    MAX_POSTAL_CODE,
    MAX_REGION,
)
from adapters.ports.profile import CHANNELS, PREFERENCE_KINDS
from sandbox.common.http import invalid, ok, read_object, require_str
from sandbox.crm.api.params import enum, opt_str
from sandbox.crm.config import MAX_ID
from sandbox.crm.service import CrmService

MAX_PREFERENCE_CHANGES = len(PREFERENCE_KINDS) * len(CHANNELS)


def _text(body: dict[str, Any], key: str, max_len: int) -> str | None:
    """A string of at most `max_len` characters, possibly empty (the service says what empty means), or null."""
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > max_len:
        raise invalid(f"`{key}` must be null or a string of at most {max_len} characters")
    return value


def _address(body: dict[str, Any]) -> dict[str, Any] | None:
    raw = body.get("billing_address")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise invalid("`billing_address` must be an object")
    lines = raw.get("lines")
    if (
        not isinstance(lines, list)
        or len(lines) > MAX_ADDRESS_LINES
        or not all(isinstance(x, str) and len(x) <= MAX_ADDRESS_LINE * 2 for x in lines)
    ):
        raise invalid(f"`billing_address.lines` must be at most {MAX_ADDRESS_LINES} strings")
    return {
        "lines": lines,
        "city": _text(raw, "city", MAX_CITY * 2) or "",
        "region": _text(raw, "region", MAX_REGION * 2),
        "postal_code": _text(raw, "postal_code", MAX_POSTAL_CODE * 2) or "",
        "country": _text(raw, "country", 10) or "",
    }


def _client(body: dict[str, Any]) -> dict[str, str | None]:
    return {"ip": opt_str(body, "ip", 64), "user_agent": opt_str(body, "user_agent", 300)}


class ProfileApi:
    def __init__(self, service: CrmService) -> None:
        self.profile = service.profile
        self.login_email = service.login_email

    async def update_contact(self, request: Request) -> Response:
        body = await read_object(request)
        subscriber = self.profile.update_contact(
            request.path_params["subscriber_id"],
            require_str(body, "changed_by", max_len=MAX_ID),
            email=_text(body, "email", MAX_EMAIL + 10),
            phone=_text(body, "phone", MAX_PHONE_INPUT),
            address=_address(body),
            **_client(body),
        )
        return ok(subscriber)

    async def get_profile(self, request: Request) -> Response:
        return ok(self.profile.profile(request.path_params["user_id"]))

    async def set_phone(self, request: Request) -> Response:
        body = await read_object(request)
        phone = _text(body, "phone", MAX_PHONE_INPUT)
        return ok(self.profile.set_phone(request.path_params["user_id"], phone, **_client(body)))

    async def set_preferences(self, request: Request) -> Response:
        body = await read_object(request)
        raw = body.get("preferences")
        if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_PREFERENCE_CHANGES:
            raise invalid(f"`preferences` must be a list of 1 to {MAX_PREFERENCE_CHANGES} changes")
        changes: list[tuple[str, str, bool]] = []
        for item in raw:
            if not isinstance(item, dict) or not isinstance(item.get("enabled"), bool):
                raise invalid("each preference is {kind, channel, enabled}")
            changes.append(
                (enum(item, "kind", PREFERENCE_KINDS), enum(item, "channel", CHANNELS), item["enabled"])
            )
        return ok(self.profile.set_preferences(request.path_params["user_id"], changes, **_client(body)))

    async def request_email_change(self, request: Request) -> Response:
        body = await read_object(request)
        password = body.get("current_password")
        if not isinstance(password, str) or not 1 <= len(password) <= 1024:
            raise invalid("`current_password` must be a string of 1 to 1024 characters")
        # argon2 takes tens of milliseconds: off the event loop the other systems share.
        await run_in_threadpool(
            self.login_email.request,
            request.path_params["user_id"],
            password,
            require_str(body, "new_email", max_len=MAX_EMAIL + 10),
            require_str(body, "link", max_len=500),
        )
        return ok({"accepted": True}, 202)

    async def complete_email_change(self, request: Request) -> Response:
        body = await read_object(request)
        return ok(self.login_email.complete(require_str(body, "token", max_len=200)))

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/v1/users/{user_id}/email-change", self.request_email_change, methods=["POST"]),
            Route("/v1/auth/email-change/complete", self.complete_email_change, methods=["POST"]),
            Route("/v1/subscribers/{subscriber_id}/contact", self.update_contact, methods=["POST"]),
            Route("/v1/users/{user_id}/profile", self.get_profile, methods=["GET"]),
            Route("/v1/users/{user_id}/phone", self.set_phone, methods=["POST"]),
            Route("/v1/users/{user_id}/notification-preferences", self.set_preferences, methods=["POST"]),
        ]
