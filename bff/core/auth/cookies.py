"""The web's credentials: httpOnly cookies for the tokens, and a readable CSRF token echoed in a header.

`wg_access` goes with every request (path /); `wg_refresh` only to /graphql, where refreshSession reads it;
`wg_csrf` is readable by the portal's JavaScript, which copies it into `X-CSRF-Token`. A cross-site page can
make the browser send the cookies but cannot read `wg_csrf`, so it cannot forge the header.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping

from starlette.responses import Response

from bff.core.auth.tokens import AccessToken
from bff.core.settings import Settings

ACCESS_COOKIE = "wg_access"
REFRESH_COOKIE = "wg_refresh"
CSRF_COOKIE = "wg_csrf"
CSRF_HEADER = "x-csrf-token"
REFRESH_PATH = "/graphql"


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def set_session_cookies(
    response: Response, settings: Settings, access: AccessToken, refresh_token: str, csrf_token: str
) -> None:
    secure = settings.cookie_secure
    response.set_cookie(
        ACCESS_COOKIE,
        access.token,
        max_age=int(settings.access_ttl.total_seconds()),
        path="/",
        secure=secure,
        httponly=True,
        samesite="lax",
    )
    response.set_cookie(
        REFRESH_COOKIE,
        refresh_token,
        max_age=int(settings.refresh_ttl.total_seconds()),
        path=REFRESH_PATH,
        secure=secure,
        httponly=True,
        samesite="lax",
    )
    response.set_cookie(
        CSRF_COOKIE,
        csrf_token,
        max_age=int(settings.refresh_ttl.total_seconds()),
        path="/",
        secure=secure,
        httponly=False,
        samesite="lax",
    )


def clear_session_cookies(response: Response, settings: Settings) -> None:
    for name, path in ((ACCESS_COOKIE, "/"), (REFRESH_COOKIE, REFRESH_PATH), (CSRF_COOKIE, "/")):
        response.delete_cookie(name, path=path, secure=settings.cookie_secure, samesite="lax")


def uses_cookie_credentials(cookies: Mapping[str, str]) -> bool:
    return bool(cookies.get(ACCESS_COOKIE) or cookies.get(REFRESH_COOKIE))


def csrf_ok(cookies: Mapping[str, str], headers: Mapping[str, str]) -> bool:
    expected = cookies.get(CSRF_COOKIE, "")
    presented = headers.get(CSRF_HEADER, "")
    return bool(expected) and hmac.compare_digest(expected.encode(), presented.encode())


def bearer_token(headers: Mapping[str, str]) -> str | None:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None
