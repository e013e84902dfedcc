"""Who may call what: the Stripe-style API (`/v1/…`) wants `Authorization: Bearer <secret key>` (or HTTP
Basic with the key as user name, as curl -u does); the operator routes (`/_ops/…`) want the operator key in
`X-API-Key`; the hosted checkout pages are open, their session id being the capability. Keys are compared
in constant time."""

from __future__ import annotations

import base64
import binascii
import hmac

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.common.http import error_body
from sandbox.gateway.errors import StripeError

NO_KEY = (
    "You did not provide an API key. You need to provide your API key in the Authorization header, using"
    " Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY')."
)


def relative_path(scope: Scope) -> str:
    path: str = scope.get("path", "")
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def presented_key(authorization: str) -> str:
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(value.strip(), validate=True).decode().partition(":")[0]
        except (binascii.Error, UnicodeDecodeError):
            return ""
    return ""


def _masked(key: str) -> str:
    return f"{key[:8]}{'*' * 8}{key[-4:]}" if len(key) > 12 else "*" * len(key)


class GatewayAuthMiddleware:
    def __init__(self, app: ASGIApp, *, secret_key: str, publishable_key: str, operator_key: str) -> None:
        self.app = app
        self.secret_key = secret_key.encode()
        self.publishable_key = publishable_key.encode()
        self.operator_key = operator_key.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = relative_path(scope)
        headers = {name: value for name, value in scope.get("headers", [])}
        response: JSONResponse | None = None
        if path.startswith("/v1/"):
            key = presented_key(headers.get(b"authorization", b"").decode("latin-1"))
            if not hmac.compare_digest(key.encode(), self.secret_key):
                if not key:
                    message = NO_KEY
                elif hmac.compare_digest(key.encode(), self.publishable_key):
                    message = "This API call cannot be made with a publishable API key. Please use a secret API key."
                else:
                    message = f"Invalid API Key provided: {_masked(key)}"
                response = JSONResponse(
                    StripeError(401, message).body(),
                    status_code=401,
                    headers={"www-authenticate": 'Bearer realm="Stripe"'},
                )
        elif path.startswith("/_ops/"):
            presented = headers.get(b"x-api-key", b"")
            if not hmac.compare_digest(presented, self.operator_key):
                code, status = ("UNAUTHORIZED", 401) if not presented else ("FORBIDDEN", 403)
                response = JSONResponse(
                    error_body(code, "the operator X-API-Key is required"), status_code=status
                )
        if response is not None:
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
