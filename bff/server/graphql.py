"""The `/graphql` endpoint: strawberry's ASGI view plus what must happen before any operation runs —
the CSRF check for cookie-authenticated requests and resolving the viewer from the access token.

Both are done here, outside GraphQL execution, so a refusal is a plain HTTP answer (403, 503) in the
GraphQL error shape, and the context every resolver sees is already settled.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from graphql import FieldNode, GraphQLError, OperationDefinitionNode, OperationType, parse
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.schema.base import BaseSchema
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UnsetType

from adapters.errors import BackendError
from bff.core.auth.cookies import ACCESS_COOKIE, bearer_token, csrf_ok, uses_cookie_credentials
from bff.core.auth.service import CredentialError
from bff.core.auth.viewer import Viewer
from bff.core.services import Services
from schema.core.context import Context

log = logging.getLogger("wispgate.graphql")

CREDENTIALS_KEY = "wispgate.credentials"
MAX_EXEMPT_BODY = 64 * 1024
# Operations a request may run without the CSRF header even though it carries (possibly stale) cookies:
# they use no cookie credential, so a forged one gains nothing.
CSRF_EXEMPT_FIELDS = frozenset({"login", "__typename"})


@dataclass
class SocketContext(Context):
    """The context of a WebSocket connection: strawberry stores the `connection_init` payload here."""

    connection_params: dict[str, object] | None = None


@dataclass(frozen=True, slots=True)
class Credentials:
    viewer: Viewer | None
    error: str | None  # why there is no viewer although a token was sent


def graphql_error_response(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status)


def is_login_only(content_type: str, body: bytes) -> bool:
    """Is this a JSON request whose only operation is a mutation selecting only `login`?"""
    if not content_type.startswith("application/json") or len(body) > MAX_EXEMPT_BODY:
        return False
    try:
        payload = json.loads(body)
        document = parse(payload["query"], no_location=True, max_tokens=2000)
    except (ValueError, KeyError, TypeError, GraphQLError):
        return False
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1 or len(document.definitions) != 1:
        return False
    operation = operations[0]
    if operation.operation is not OperationType.MUTATION:
        return False
    selections = operation.selection_set.selections
    return bool(selections) and all(
        isinstance(s, FieldNode) and s.name.value in CSRF_EXEMPT_FIELDS for s in selections
    )


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


class PortalGraphQL(GraphQL[Context, None]):
    def __init__(self, schema: BaseSchema, services: Callable[[], Services], *, production: bool, **kw: Any):
        super().__init__(
            schema,
            graphql_ide=None if production else "graphiql",
            # GET requests would let a cross-site <img> run queries with the viewer's cookies.
            allow_queries_via_get=False,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            multipart_uploads_enabled=True,
            connection_init_wait_timeout=timedelta(seconds=10),
            **kw,
        )
        self._services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            request = Request(scope, receive)
            token = bearer_token(request.headers)
            if token is None and uses_cookie_credentials(request.cookies):
                if csrf_ok(request.cookies, request.headers):
                    token = request.cookies.get(ACCESS_COOKIE)
                else:
                    body = await request.body()
                    if not is_login_only(request.headers.get("content-type", ""), body):
                        response = graphql_error_response(
                            403, "CSRF_FAILED", "Missing or invalid X-CSRF-Token header."
                        )
                        await response(scope, receive, send)
                        return
                    receive = _replay(body)
            try:
                scope[CREDENTIALS_KEY] = await self._credentials(token)
            except BackendError as exc:
                log.warning("cannot resolve the viewer: %s", exc)
                response = graphql_error_response(
                    503,
                    "BACKEND_UNAVAILABLE",
                    "The portal cannot check your session right now. Try again shortly.",
                )
                await response(scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    async def _credentials(self, token: str | None) -> Credentials:
        if not token:
            return Credentials(None, None)
        try:
            return Credentials(await self._services().auth.viewer_for(token), None)
        except CredentialError as exc:
            return Credentials(None, exc.code)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        """The one place a `Context` is built: every request and every WebSocket gets the whole of it."""
        services = self._services()
        credentials = request.scope.get(CREDENTIALS_KEY)
        if credentials is None and isinstance(request, WebSocket):
            # A browser's handshake carries the cookies; the Origin was checked by the view already.
            token = bearer_token(request.headers) or request.cookies.get(ACCESS_COOKIE)
            try:
                credentials = await self._credentials(token)
            except BackendError:
                credentials = Credentials(None, "BACKEND_UNAVAILABLE")
        if not isinstance(credentials, Credentials):
            credentials = Credentials(None, None)
        kind = SocketContext if isinstance(request, WebSocket) else Context
        return kind(
            request=request,
            response=response,
            settings=services.settings,
            backends=services.backends,
            auth=services.auth,
            sessions=services.sessions,
            files=services.files,
            bus=services.bus,
            viewer=credentials.viewer,
            credential_error=credentials.error,
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Mobile clients cannot set headers on a WebSocket handshake: they send their access token in the
        `connection_init` payload (`{"authorization": "Bearer …"}`), which then takes precedence over any
        cookie. An invalid token still gets the connection acknowledged; each subscribe then answers
        UNAUTHENTICATED with the reason (TOKEN_EXPIRED: refresh and reconnect)."""
        params = context.connection_params if isinstance(context, SocketContext) else None
        raw = params.get("authorization") if isinstance(params, dict) else None
        if isinstance(raw, str) and raw:
            token = bearer_token({"authorization": raw})
            try:
                credentials = await self._credentials(token) if token else Credentials(None, "TOKEN_INVALID")
            except BackendError as exc:
                log.warning("cannot resolve the viewer of a WebSocket: %s", exc)
                credentials = Credentials(None, "BACKEND_UNAVAILABLE")
            context.viewer = credentials.viewer
            context.credential_error = credentials.error
        return await super().on_ws_connect(context)
