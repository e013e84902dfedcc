"""Admitting an HTTP request to /graphql: what it may weigh and the shape it must have, checked before anything
costly looks at it — no credential lookup, no parse, no validation — each refusal a GraphQL-shaped error with a
code (docs/errors.md).

- The body: refused by its declared Content-Length before a byte of it is read, then counted while it streams
  (a chunked body declares nothing). JSON bodies are held (at most `max_body_bytes`) and handed on; multipart
  uploads have their own limit, `max_multipart_bytes`, and stream through to the form parser, counted on the way.
- A JSON operation: UTF-8, one object (batching is not enabled), `query` a string, `operationName` a string,
  `variables` and `extensions` objects within the variable limits. Multipart `operations` are checked the same.
- Which document: named by a trusted document's id or sent as text, as the `OperationPolicy` allows
  (`bff.core.trusted`; in production only the manifests' documents run), looked up before anything is parsed.
- Its document: parsed and measured through the schema's `DocumentCache` (over budget: QUERY_TOO_COMPLEX), so
  strawberry then finds it parsed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import parse_qs

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import Message, Receive, Scope
from strawberry.http import GraphQLRequestData

from bff.core.body import read_body
from bff.core.limits import Refusal, RequestCode, check_json_value, encodable
from bff.core.settings import GraphQLLimits
from bff.core.trusted import OperationPolicy, TrustedDocuments
from schema.core.document import DocumentCache

JSON = "application/json"
MULTIPART = "multipart/form-data"


@dataclass(frozen=True, slots=True)
class Admitted:
    receive: Receive  # where the rest of the view reads the body from
    body: bytes  # a JSON body as it was read; b"" when nothing was read (GET, multipart)
    operation: GraphQLRequestData | None  # the decoded JSON operation; None for GET and multipart


def bad_request(message: str) -> Refusal:
    return Refusal(400, RequestCode.BAD_REQUEST, message)


class Admission:
    def __init__(
        self, limits: GraphQLLimits, documents: DocumentCache, policy: OperationPolicy | None = None
    ) -> None:
        self._limits = limits
        self._documents = documents
        self.policy = policy if policy is not None else OperationPolicy(TrustedDocuments())

    async def admit(self, scope: Scope, receive: Receive) -> Admitted:
        """The request, ready for the rest of the view; raises `Refusal`."""
        if scope["method"] in ("GET", "HEAD"):
            if "query" in parse_qs(scope.get("query_string", b"").decode("latin-1")):
                # Operations over GET would let a cross-site <img> run them with the viewer's cookies.
                raise bad_request("Send GraphQL operations with POST; GET is not accepted for them.")
            return Admitted(receive, b"", None)  # the GraphiQL page, or strawberry's own refusal
        if scope["method"] != "POST":
            return Admitted(receive, b"", None)  # strawberry answers 405
        headers = Headers(scope=scope)
        media_type, _, parameters = headers.get("content-type", "").partition(";")
        media_type = media_type.strip().lower()
        if media_type == MULTIPART:
            limit = self._limits.max_multipart_bytes
            self._check_declared(headers, limit, "a multipart upload")
            return Admitted(counted(receive, limit, "a multipart upload"), b"", None)
        charset = _charset(parameters)
        if media_type != JSON or charset not in ("", "utf-8", "utf8"):
            raise Refusal(
                415,
                RequestCode.UNSUPPORTED_MEDIA_TYPE,
                "Send GraphQL requests as application/json in UTF-8 (multipart/form-data for file uploads).",
            )
        limit = self._limits.max_body_bytes
        self._check_declared(headers, limit, "a JSON request")
        body = await read_body(Request(scope, receive), limit)
        if body is None:
            raise too_large(limit, "a JSON request")
        return Admitted(replay(body, receive), body, self.operation(decode_json(body)))

    def operation(self, payload: object) -> GraphQLRequestData:
        """One GraphQL-over-HTTP operation (a JSON body, or multipart `operations`), its document prepared."""
        if isinstance(payload, list):
            raise bad_request("Batched operations are not accepted: send one operation per request.")
        if not isinstance(payload, dict):
            raise bad_request("The request must be a JSON object with the GraphQL document in `query`.")
        extensions = payload.get("extensions")
        if extensions is not None and not isinstance(extensions, dict):
            raise bad_request("`extensions` must be an object or null.")
        query = self.policy.document(payload)
        if not isinstance(query, str) or not query.strip():
            raise bad_request("`query` must be a string holding the GraphQL document.")
        name = payload.get("operationName")
        if name is not None and not isinstance(name, str):
            raise bad_request("`operationName` must be a string or null.")
        if not encodable(query) or (name is not None and not encodable(name)):
            raise bad_request("The request holds a string with a lone UTF-16 surrogate.")
        variables = payload.get("variables")
        if variables is not None and not isinstance(variables, dict):
            raise bad_request("`variables` must be an object or null.")
        if refusal := check_json_value(variables, self._limits):
            raise refusal
        if refusal := check_json_value(extensions, self._limits, what="extensions"):
            raise refusal
        error = self._documents.prepare(query).refusal
        if error is not None:
            code = RequestCode((error.extensions or {}).get("code", RequestCode.GRAPHQL_PARSE_FAILED))
            locations = [{"line": at.line, "column": at.column} for at in error.locations or ()]
            raise Refusal(400, code, error.message, locations=locations)
        return GraphQLRequestData(
            query=query, variables=variables, operation_name=name, extensions=extensions
        )

    @staticmethod
    def _check_declared(headers: Headers, limit: int, kind: str) -> None:
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise too_large(limit, kind)


def decode_json(body: bytes) -> object:
    try:
        text = body.decode()
    except UnicodeDecodeError:
        raise bad_request("The request body is not valid UTF-8.") from None
    try:
        return json.loads(text)
    except RecursionError:
        # The decoder recurses per nesting level: ~1,000 levels exhaust the stack before any limit is checked.
        raise bad_request("The request body nests JSON too deeply.") from None
    except ValueError:
        raise bad_request("The request body is not valid JSON.") from None


def too_large(limit: int, kind: str) -> Refusal:
    return Refusal(
        413,
        RequestCode.REQUEST_TOO_LARGE,
        f"The request body is larger than {limit} bytes, the most {kind} may be.",
    )


def replay(body: bytes, receive: Receive) -> Receive:
    """`receive` for whoever reads the body after us: the body as read, then the client's own messages (a real
    disconnect, not an invented one)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


def counted(receive: Receive, limit: int, kind: str) -> Receive:
    """`receive` that raises a 413 `Refusal` as soon as the body passes `limit` bytes, whatever was declared."""
    size = 0

    async def counting() -> Message:
        nonlocal size
        message = await receive()
        if message["type"] == "http.request":
            size += len(message.get("body", b""))
            if size > limit:
                raise too_large(limit, kind)
        return message

    return counting


def _charset(parameters: str) -> str:
    for parameter in parameters.split(";"):
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return ""
