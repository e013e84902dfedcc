"""Handing a new session over to the client — tokens in the payload (mobile) or as cookies (web) — shared by
`login`, `refreshSession` and `verifySecondFactor`."""

from __future__ import annotations

from starlette.responses import Response

from bff.core.auth.cookies import CSRF_COOKIE, new_csrf_token, set_session_cookies
from bff.core.auth.service import SignedIn
from bff.core.auth.viewer import Viewer as Identity
from schema.core.context import Context


def deliver(
    context: Context, signed: SignedIn, body: bool, *, new_session: bool
) -> tuple[str | None, str | None]:
    """Hand the tokens over: in the payload (mobile) or as cookies (web). Returns the payload's tokens.
    A new session gets a new CSRF token; a refresh keeps the one the open tabs already use."""
    if body:
        return signed.access.token, signed.refresh_token
    if isinstance(context.response, Response):
        current = None if new_session else context.request.cookies.get(CSRF_COOKIE)
        csrf = current or new_csrf_token()
        set_session_cookies(context.response, context.settings, signed.access, signed.refresh_token, csrf)
    return None, None


def become(context: Context, identity: Identity) -> None:
    """From here on this request acts as the freshly signed-in user, so the payload's `viewer { subscriber }`
    resolves with the new identity instead of the (absent or expired) one the request arrived with."""
    context.viewer = identity
    context.credential_error = None
