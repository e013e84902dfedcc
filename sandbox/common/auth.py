"""API-key checks for the sandbox systems.

The BFF presents the system's service key; the operator console and operator API (`/v1/ops/…`) need the
operator key. Keys are compared in constant time.
"""

from __future__ import annotations

import hmac

from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.common.http import error_body

OPS_PREFIX = "/v1/ops/"


class ApiKeyMiddleware:
    def __init__(self, app: ASGIApp, *, service_key: str, operator_key: str) -> None:
        self.app = app
        self.service_key = service_key.encode()
        self.operator_key = operator_key.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        presented = b""
        for name, value in scope.get("headers", []):
            if name == b"x-api-key":
                presented = value
                break
        path = scope.get("path", "")
        root = scope.get("root_path", "")
        relative = path[len(root) :] if root and path.startswith(root) else path
        operator_only = relative.startswith(OPS_PREFIX)
        allowed = hmac.compare_digest(presented, self.operator_key) or (
            not operator_only and hmac.compare_digest(presented, self.service_key)
        )
        if not allowed:
            from starlette.responses import JSONResponse

            code, status = ("UNAUTHORIZED", 401) if not presented else ("FORBIDDEN", 403)
            response = JSONResponse(error_body(code, "a valid X-API-Key is required"), status_code=status)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
