"""The `/graphql` endpoint: strawberry's ASGI view plus what must happen before any operation runs —
admitting the request within its limits (`bff.server.admission`), the CSRF check for cookie-authenticated
requests and resolving the viewer from the access token.

All are done here, outside GraphQL execution, so a refusal is a plain HTTP answer (400, 403, 413, 415, 503)
in the GraphQL error shape, and the context every resolver sees is already settled. strawberry's own
refusals (plain text) are answered in that shape too.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException, StarletteRequestAdapter
from graphql import FieldNode, GraphQLError, OperationDefinitionNode, OperationType, parse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.file_uploads.utils import replace_placeholders_with_files
from strawberry.http import GraphQLRequestData
from strawberry.schema.base import BaseSchema
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UnsetType

from adapters.errors import BackendError
from adapters.wispgate.client import flight_scope
from bff.core.auth.cookies import ACCESS_COOKIE, bearer_token, csrf_ok, uses_cookie_credentials
from bff.core.auth.service import CredentialError
from bff.core.auth.viewer import Viewer
from bff.core.limits import Refusal, RequestCode
from bff.core.redis_client import OUTAGES, STORE_UNAVAILABLE
from bff.core.services import Services
from bff.core.settings import GraphQLLimits
from bff.core.trusted import OperationPolicy
from bff.server.admission import Admission, Admitted, bad_request, decode_json
from bff.server.socket import TrustedSocketHandler
from bff.server.web import GraphiQLPage
from schema.core.context import Context
from schema.core.document import DocumentCache

log = logging.getLogger("wispgate.graphql")

CREDENTIALS_KEY = "wispgate.credentials"
# The JSON operation `Admission` decoded: strawberry does not read or decode the body again.
OPERATION_KEY = "wispgate.operation"
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


def store_unavailable_response() -> JSONResponse:
    response = graphql_error_response(
        503, STORE_UNAVAILABLE, "The portal cannot check your session right now. Try again shortly."
    )
    response.headers["Retry-After"] = "1"
    return response


def only_store_unavailable(response_data: object) -> bool:
    """Did an operation fail as a whole because the session store (Redis) was unreachable — nothing resolved
    and an error says so (a login, a refresh while Redis is down)? Its answer is a 503, like a request whose
    session could not be checked."""
    if not isinstance(response_data, dict):
        return False
    errors = response_data.get("errors") or []
    data = response_data.get("data")
    nothing = data is None or (isinstance(data, dict) and all(v is None for v in data.values()))
    return nothing and any(
        isinstance(e, dict) and (e.get("extensions") or {}).get("code") == STORE_UNAVAILABLE for e in errors
    )


def is_login_only(content_type: str, body: bytes, query: str | None = None) -> bool:
    """Is this a JSON request whose only operation is a mutation selecting only `login`? `query`: the
    document as admitted (the text a trusted document's id names), else the body's `query`."""
    if not content_type.startswith("application/json") or len(body) > MAX_EXEMPT_BODY:
        return False
    try:
        text = query if query is not None else json.loads(body)["query"]
        if len(text) > MAX_EXEMPT_BODY:
            return False
        document = parse(text, no_location=True, max_tokens=2000)
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


def refusal_response(refusal: Refusal) -> JSONResponse:
    # A refused body may be partly unread: close the connection rather than read the rest of it.
    headers = {"connection": "close"} if refusal.status == 413 else None
    return JSONResponse(refusal.payload(), status_code=refusal.status, headers=headers)


# strawberry's refusals, by their HTTP status.
_STRAWBERRY_CODES = {
    404: RequestCode.NOT_FOUND,
    413: RequestCode.REQUEST_TOO_LARGE,
    415: RequestCode.UNSUPPORTED_MEDIA_TYPE,
}


def client_left(scope: Scope) -> None:
    """A client that hangs up before its body is in is nobody's error, and nobody is left to answer: one
    INFO line, no traceback (else the server logs "Exception in ASGI application" for every impatient phone)."""
    log.info("client disconnected before its request body was read: %s %s", scope["method"], scope["path"])


class _RequestAdapter(StarletteRequestAdapter):
    """strawberry's view of a request, with the ASGI scope where `Admission` left the decoded operation."""

    @property
    def scope(self) -> Scope:
        return self._request.scope


class PortalGraphQL(GraphQL[Context, None]):
    request_adapter_class = _RequestAdapter
    graphql_transport_ws_handler_class = TrustedSocketHandler

    def __init__(
        self,
        schema: BaseSchema,
        services: Callable[[], Services],
        *,
        production: bool,
        limits: GraphQLLimits,
        documents: DocumentCache,
        policy: OperationPolicy | None = None,
        graphiql: GraphiQLPage | None = None,
        **kw: Any,
    ):
        """`graphiql`: the page GET /graphql answers to a browser; None (production without GRAPHIQL=true):
        none, a coded 404."""
        super().__init__(
            schema,
            graphql_ide="graphiql" if graphiql is not None else None,
            # GET requests would let a cross-site <img> run queries with the viewer's cookies.
            allow_queries_via_get=False,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            multipart_uploads_enabled=True,
            connection_init_wait_timeout=timedelta(seconds=10),
            **kw,
        )
        self._services = services
        self._graphiql = graphiql
        self._admission = Admission(limits, documents, policy)
        self.policy = self._admission.policy  # the WebSocket handler applies it to every `subscribe`

    def encode_json(self, data: object) -> str:
        """Every answer's JSON (HTTP and WebSocket): orjson, ~4 % of the BFF's CPU per dashboard page with the
        stdlib's encoder (bench/ratio.py, py-spy). A str, not bytes: strawberry sends bytes on a WebSocket as a
        binary frame, which graphql-transport-ws does not allow. The data is plain JSON already (scalars are
        serialized by the schema), which orjson writes as the stdlib would, non-ASCII unescaped; what orjson
        refuses (a lone surrogate echoed from somewhere) goes through the stdlib's encoder, which escapes it."""
        try:
            return orjson.dumps(data).decode()
        except TypeError:
            return json.dumps(data, separators=(",", ":"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # 1. Bounded requests: the body read once, within its limit; malformed or oversized requests refused.
        body = b""
        operation: GraphQLRequestData | None = None
        if scope["type"] == "http":
            admitted = await self._admit(scope, receive, send)
            if admitted is None:
                return
            receive, body, operation = admitted.receive, admitted.body, admitted.operation
        # 2. CSRF and credentials (a JSON body is at hand from step 1; multipart bodies are never login-only).
        if scope["type"] == "http" and scope["method"] == "POST":
            request = Request(scope, receive)
            token = bearer_token(request.headers)
            # A cross-site page can make a browser send cookies, and a form can post multipart without a
            # CORS preflight: without a bearer token, a request that carries cookies or is multipart needs
            # the CSRF header (login included — else a forged form signs the browser into another account).
            simple = not request.headers.get("content-type", "").startswith("application/json")
            if token is None and (uses_cookie_credentials(request.cookies) or simple):
                if csrf_ok(request.cookies, request.headers):
                    token = request.cookies.get(ACCESS_COOKIE)
                else:
                    admitted_query = operation.query if operation is not None else None
                    if not is_login_only(request.headers.get("content-type", ""), body, admitted_query):
                        response = graphql_error_response(
                            403, "CSRF_FAILED", "Missing or invalid X-CSRF-Token header."
                        )
                        await response(scope, receive, send)
                        return
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
            except OUTAGES as exc:
                log.warning("cannot resolve the viewer: Redis is unavailable (%s)", type(exc).__name__)
                await store_unavailable_response()(scope, receive, send)
                return
        # 3. strawberry, its own refusals answered as coded GraphQL errors.
        await self._serve(scope, receive, send)

    async def _admit(self, scope: Scope, receive: Receive, send: Send) -> Admitted | None:
        """Step one of every HTTP request: the body read once and within its limit, and a malformed request,
        oversized variables or a document over budget refused before credentials or the schema cost anything.
        None when it was answered (or the client left)."""
        try:
            admitted = await self._admission.admit(scope, receive)
        except Refusal as refusal:
            await refusal_response(refusal)(scope, receive, send)
            return None
        except ClientDisconnect:
            client_left(scope)
            return None
        if admitted.operation is not None:
            scope[OPERATION_KEY] = admitted.operation
        return admitted

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        """strawberry's view, with its plain-text refusals (a wrong method, an unknown operation name, a
        broken form) and ours raised inside it (a multipart body over its limit) answered as GraphQL errors."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            try:
                response = await self.run(request)
            except HTTPException as exc:
                code = _STRAWBERRY_CODES.get(exc.status_code, RequestCode.BAD_REQUEST)
                response = refusal_response(Refusal(exc.status_code, code, exc.reason))
            except Refusal as refusal:
                response = refusal_response(refusal)
            except ClientDisconnect:
                client_left(scope)  # mid-upload: strawberry was reading the form
                return
            await response(scope, receive, send)
        finally:
            await request.close()  # the uploaded files of a multipart request, if strawberry parsed its form

    async def render_graphql_ide(self, request: Request) -> Response:
        # Our own build of GraphiQL (web/dist/graphiql), never strawberry's page, which loads it from a CDN.
        assert self._graphiql is not None  # strawberry renders an IDE only when one was configured
        return self._graphiql.response()

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        response = super().create_response(response_data, sub_response)
        if response.status_code == 200 and only_store_unavailable(response_data):
            response.status_code = 503
            response.headers["Retry-After"] = "1"
        return response

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        if isinstance(request, _RequestAdapter):
            operation = request.scope.get(OPERATION_KEY)
            if isinstance(operation, GraphQLRequestData):
                return operation
        return await super().parse_http_body(request)

    async def parse_multipart(self, request: AsyncHTTPRequestAdapter) -> dict[str, str]:
        """The GraphQL multipart request (`operations`, `map`, the files), its operation checked like a JSON
        one. The body was counted while it streamed in (`Admission`)."""
        try:
            form = await request.get_form_data()
        except (ValueError, StarletteHTTPException):
            raise bad_request("The multipart body cannot be parsed.") from None
        operations, files_map = form.form.get("operations"), form.form.get("map")
        if not isinstance(operations, str) or not isinstance(files_map, str):
            raise bad_request("A multipart request needs the `operations` and `map` fields, as text.")
        payload = decode_json(operations.encode())
        admitted = self._admission.operation(payload)
        if isinstance(payload, dict):
            payload["query"] = admitted.query  # the text a trusted document's id names
        paths = decode_json(files_map.encode())
        if not isinstance(paths, dict) or not all(
            isinstance(v, list) and all(isinstance(p, str) for p in v) for v in paths.values()
        ):
            raise bad_request("The multipart `map` must map each file to a list of paths in `operations`.")
        if not paths:
            # Multipart is for uploads only: anything else is JSON, which a cross-site form cannot send.
            raise bad_request(
                "A multipart request must carry at least one file; send other operations as JSON."
            )
        try:
            replaced: dict[str, str] = replace_placeholders_with_files(payload, paths, form.files)  # type: ignore[arg-type]
        except (KeyError, IndexError, TypeError, ValueError):
            raise bad_request("The multipart `map` does not match `operations` and the files sent.") from None
        return replaced

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
            except OUTAGES:
                credentials = Credentials(None, STORE_UNAVAILABLE)
        if not isinstance(credentials, Credentials):
            credentials = Credentials(None, None)
        kind = SocketContext if isinstance(request, WebSocket) else Context
        if credentials.viewer is not None and kind is Context:
            # The operations a page sends at once share identical backend reads; other sessions never do.
            flight_scope.set(credentials.viewer.session_id)
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
            except OUTAGES as exc:
                log.warning(
                    "cannot resolve the viewer of a WebSocket: Redis unavailable (%s)", type(exc).__name__
                )
                credentials = Credentials(None, STORE_UNAVAILABLE)
            context.viewer = credentials.viewer
            context.credential_error = credentials.error
        return await super().on_ws_connect(context)
