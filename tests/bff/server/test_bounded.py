"""Bounded requests at /graphql: every malformed or oversized request answers 4xx with a GraphQL error and a
code, before any backend, session or validation work; bodies are refused without being read whole."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql.validation.rules.overlapping_fields_can_be_merged import OverlappingFieldsCanBeMergedRule
from starlette.types import ASGIApp, Message

from tests.harness.portal import Portal, SignIn, portal_settings

TYPENAME = "{ __typename }"
# The attack: 1,238 copies of one field, 20 KB, under the token limit.
DUPLICATED = "query Dup { " + " ".join(["__typename"] * 1238) + " }"
# Overlapping fields with arguments and sub-selections: 200 copies cost ~1 s of validation.
OVERLAPPING = "{ " + " ".join(['node(id: "x") { id }'] * 200) + " }"
# Ten fragments, each spreading the one before ten times: 36 tokens per line, 10^9 fields expanded.
BOMB = "query Bomb { ...F9 } fragment F0 on Query { __typename } " + " ".join(
    f"fragment F{i} on Query {{ {' '.join([f'...F{i - 1}'] * 10)} }}" for i in range(1, 10)
)
MB = 1024 * 1024


def code_of(response: httpx.Response) -> str:
    errors = response.json()["errors"]
    assert len(errors) == 1, errors
    code: str = errors[0]["extensions"]["code"]
    return code


def backend_calls(portal: Portal) -> int:
    assert portal.transport is not None
    return sum(portal.transport.calls.values())


async def post_raw(
    portal: Portal, content: bytes, content_type: str | None = "application/json"
) -> httpx.Response:
    headers = {"content-type": content_type} if content_type else {}
    return await portal.client.post("/graphql", content=content, headers=headers)


def body(query: str = TYPENAME, **members: Any) -> bytes:
    return json.dumps({"query": query, **members}).encode()


MALFORMED: list[tuple[str, bytes, int, str]] = [
    ("not JSON", b"{nope", 400, "BAD_REQUEST"),
    ("invalid UTF-8", b'{"query": "{ __typename \xff }"}', 400, "BAD_REQUEST"),
    ("a string", b'"hello"', 400, "BAD_REQUEST"),
    ("an empty list", b"[]", 400, "BAD_REQUEST"),
    ("a number", b"1", 400, "BAD_REQUEST"),
    ("null", b"null", 400, "BAD_REQUEST"),
    ("a batch", json.dumps([{"query": TYPENAME}, {"query": TYPENAME}]).encode(), 400, "BAD_REQUEST"),
    ("no query", b"{}", 400, "BAD_REQUEST"),
    ("a blank query", body(" "), 400, "BAD_REQUEST"),
    ("a query that is a number", b'{"query": 1}', 400, "BAD_REQUEST"),
    ("variables that are a list", body(variables=[1]), 400, "BAD_REQUEST"),
    ("variables that are a string", body(variables="x"), 400, "BAD_REQUEST"),
    ("extensions that are a number", body(extensions=1), 400, "BAD_REQUEST"),
    ("operationName that is a number", body(operationName=1), 400, "BAD_REQUEST"),
    ("an unknown operationName", body(operationName="Nope"), 400, "BAD_REQUEST"),
    ("a lone surrogate in variables", b'{"query": "{ __typename }", "variables": {"a": "\\ud800"}}', 400, "BAD_REQUEST"),
    ("variables nested 1,000 deep", b'{"query": "{ __typename }", "variables": {"v": ' + b"[" * 1000 + b"]" * 1000 + b"}}", 400, "BAD_REQUEST"),
    ("variables nested 40 deep", b'{"query": "{ __typename }", "variables": {"v": ' + b"[" * 40 + b"]" * 40 + b"}}", 400, "VARIABLES_TOO_LARGE"),
    ("a list of 1,001 variables", body(variables={"v": [0] * 1001}), 400, "VARIABLES_TOO_LARGE"),
    ("10,001 variable values", body(variables={f"v{i}": [0] * 999 for i in range(11)}), 400, "VARIABLES_TOO_LARGE"),
    ("too deep extensions", b'{"query": "{ __typename }", "extensions": {"e": ' + b"[" * 40 + b"]" * 40 + b"}}", 400, "BAD_REQUEST"),
    ("a syntax error", body("{ viewer { role }"), 400, "GRAPHQL_PARSE_FAILED"),
    ("over the token limit", body("{ " + "__typename " * 5001 + "}"), 400, "QUERY_TOO_COMPLEX"),
    ("1,238 copies of one field", body(DUPLICATED), 400, "QUERY_TOO_COMPLEX"),
    ("200 overlapping fields", body(OVERLAPPING), 400, "QUERY_TOO_COMPLEX"),
    ("a fragment bomb", body(BOMB), 400, "QUERY_TOO_COMPLEX"),
]  # fmt: skip


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many times graphql-core's OverlappingFieldsCanBeMerged rule was set to work (once per validation)."""
    made = [0]
    original = OverlappingFieldsCanBeMergedRule.__init__

    def counting(self: OverlappingFieldsCanBeMergedRule, *args: Any, **kw: Any) -> None:
        made[0] += 1
        original(self, *args, **kw)

    monkeypatch.setattr(OverlappingFieldsCanBeMergedRule, "__init__", counting)
    yield made


@pytest.mark.parametrize(
    ("content", "status", "code"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED]
)
async def test_malformed_requests_are_refused_with_a_code(
    portal: Portal, validations: list[int], content: bytes, status: int, code: str
) -> None:
    response = await post_raw(portal, content)
    assert (response.status_code, code_of(response)) == (status, code), response.text
    assert response.json()["errors"][0]["message"]
    # Refused before anything ran: no backend call, no validation.
    assert backend_calls(portal) == 0
    assert validations[0] == 0


async def test_parse_errors_say_where(portal: Portal) -> None:
    response = await post_raw(portal, body("{ viewer { role }"))
    error = response.json()["errors"][0]
    assert error["message"].startswith("Syntax Error")
    assert error["locations"] == [{"line": 1, "column": 18}]


@pytest.mark.parametrize(
    ("content_type", "content"),
    [
        ("text/plain", body()),
        ("application/x-www-form-urlencoded", b"query=%7B__typename%7D"),
        ("application/json; charset=latin-1", body()),
        (None, body()),
    ],
)
async def test_other_content_types_are_unsupported(
    portal: Portal, content_type: str | None, content: bytes
) -> None:
    response = await post_raw(portal, content, content_type)
    assert (response.status_code, code_of(response)) == (415, "UNSUPPORTED_MEDIA_TYPE")
    assert (await post_raw(portal, body(), "application/json; charset=UTF-8")).status_code == 200


async def test_operations_over_get_are_refused_with_a_code(portal: Portal) -> None:
    for query in ("mutation { logout { ok } }", TYPENAME):
        response = await portal.client.get("/graphql", params={"query": query})
        assert (response.status_code, code_of(response)) == (400, "BAD_REQUEST")
    assert backend_calls(portal) == 0


async def test_validation_and_variable_errors_keep_their_message_and_get_a_code(portal: Portal) -> None:
    invalid = await portal.execute("{ viewer { nope } }")
    assert invalid["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "Cannot query field 'nope'" in invalid["errors"][0]["message"]
    # A cached validation result carries its code every time.
    again = await portal.execute("{ viewer { nope } }")
    assert again["errors"] == invalid["errors"]
    coerced = await portal.execute("query ($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": [True]})
    assert coerced["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    missing = await portal.execute("query ($ids: [ID!]!) { nodes(ids: $ids) { id } }", {})
    assert missing["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "$ids" in missing["errors"][0]["message"]


async def test_an_oversized_list_is_refused_before_anything_runs(sign_in: SignIn) -> None:
    ana = await sign_in("ana@lima.example")
    calls = backend_calls(ana)
    mutation = "mutation ($ids: [ID!]!) { markNotificationsRead(input: {ids: $ids}) { userErrors { code } } }"
    response = await ana.post(mutation, {"ids": ["N-1"] * 2_000_000})
    assert (response.status_code, code_of(response)) == (413, "REQUEST_TOO_LARGE")
    response = await ana.post(mutation, {"ids": ["N-1"] * 1001})
    assert (response.status_code, code_of(response)) == (400, "VARIABLES_TOO_LARGE")
    assert backend_calls(ana) == calls
    # The same client, within the limits, is served.
    ok = await ana.data(mutation, {"ids": []})
    assert ok["markNotificationsRead"]["userErrors"] == []


async def test_documents_over_budget_are_refused_before_validation(
    portal: Portal, validations: list[int]
) -> None:
    for attack in (DUPLICATED, OVERLAPPING, BOMB):
        response = await portal.post(attack)
        assert (response.status_code, code_of(response)) == (400, "QUERY_TOO_COMPLEX")
    assert validations[0] == 0
    # The spy does see a validation: a document within budget is validated once, then found in the cache.
    assert (await portal.data(TYPENAME)) == {"__typename": "Query"}
    assert (await portal.data(TYPENAME)) == {"__typename": "Query"}
    assert validations[0] == 1


async def test_the_operation_name_does_not_miss_the_cache(portal: Portal, validations: list[int]) -> None:
    document = "query A { __typename } query B { __typename }"
    for name in ("A", "B", "A", "B"):
        response = await portal.client.post("/graphql", json={"query": document, "operationName": name})
        assert response.json() == {"data": {"__typename": "Query"}}
    assert validations[0] == 1


async def test_typename_answers_while_attacks_are_refused(portal: Portal, validations: list[int]) -> None:
    attackers = [portal.another() for _ in range(8)]

    async def attack(client: Portal) -> list[int]:
        return [(await client.post(DUPLICATED + f" # {i}")).status_code for i in range(5)]

    async with asyncio.timeout(30):
        refused, typename = await asyncio.gather(
            asyncio.gather(*(attack(a) for a in attackers)), portal.data(TYPENAME)
        )
    assert typename == {"__typename": "Query"}
    assert all(status == 400 for statuses in refused for status in statuses)
    assert validations[0] == 1  # the `{ __typename }`, nothing else


async def test_limits_are_configurable(make_portal: Any, tmp_path: Path) -> None:
    portal: Portal = await make_portal(
        portal_settings(
            tmp_path,
            GRAPHQL_MAX_BODY_BYTES="200",
            GRAPHQL_MAX_SELECTIONS="3",
            GRAPHQL_MAX_FIELD_PAIRS="1",
            GRAPHQL_MAX_VARIABLE_LIST="2",
        )
    )
    assert await portal.data("{ a: __typename b: __typename c: __typename }")
    four = await portal.post("{ a: __typename b: __typename c: __typename d: __typename }")
    assert (four.status_code, code_of(four)) == (400, "QUERY_TOO_COMPLEX")
    assert await portal.data("{ __typename __typename }")  # one pair to compare
    pairs = await portal.post("{ __typename __typename __typename }")  # three
    assert (pairs.status_code, code_of(pairs)) == (400, "QUERY_TOO_COMPLEX")
    listed = await portal.post("query ($v: [ID!]) { __typename }", {"v": ["a", "b", "c"]})
    assert (listed.status_code, code_of(listed)) == (400, "VARIABLES_TOO_LARGE")
    big = await portal.post("{ __typename }" + " " * 200)
    assert (big.status_code, code_of(big)) == (413, "REQUEST_TOO_LARGE")
    assert "200 bytes" in big.json()["errors"][0]["message"]


# -- bodies: refused without being read whole -------------------------------------------------------------


# The start of a multipart body whose one file part goes on for as long as the client sends.
FILE_PART = b'--x\r\ncontent-disposition: form-data; name="f0"; filename="a.bin"\r\n\r\n'


class Sender:
    """A client body of `total` bytes in `chunk`-sized messages, produced only as the app asks for them:
    `prefix`, then `fill` repeated."""

    def __init__(
        self, total: int, *, prefix: bytes = b"", fill: bytes = b"{", chunk: int = 64 * 1024
    ) -> None:
        self.total = total
        self.prefix = prefix
        self.fill = fill
        self.chunk = chunk
        self.consumed = 0

    async def receive(self) -> Message:
        if self.consumed >= self.total:
            await asyncio.Event().wait()  # the client keeps the connection open, sending nothing more
        size = min(self.chunk, self.total - self.consumed)
        data = (self.prefix if self.consumed == 0 else b"") + self.fill * size
        self.consumed += size
        return {"type": "http.request", "body": data[:size], "more_body": self.consumed < self.total}


async def call(
    app: ASGIApp, sender: Sender, headers: list[tuple[bytes, bytes]]
) -> tuple[int, dict[str, Any]]:
    """One POST /graphql straight into the ASGI app; the answer's status and JSON body."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"portal.test"), *headers],
        "client": ("203.0.113.7", 50000),
        "server": ("portal.test", 80),
    }
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async with asyncio.timeout(10):
        await app(scope, sender.receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    content = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], json.loads(content)


@pytest.mark.parametrize("content_type", [b"application/json", b"multipart/form-data; boundary=x"])
async def test_a_declared_100_mb_body_is_refused_before_reading(portal: Portal, content_type: bytes) -> None:
    assert portal.app is not None
    sender = Sender(100 * MB)
    headers = [(b"content-type", content_type), (b"content-length", str(100 * MB).encode())]
    status, payload = await call(portal.app, sender, headers)
    assert (status, payload["errors"][0]["extensions"]["code"]) == (413, "REQUEST_TOO_LARGE")
    assert sender.consumed == 0


async def test_a_chunked_100_mb_body_is_refused_after_the_limit(portal: Portal) -> None:
    assert portal.app is not None
    sender = Sender(100 * MB)
    status, payload = await call(portal.app, sender, [(b"content-type", b"application/json")])
    assert (status, payload["errors"][0]["extensions"]["code"]) == (413, "REQUEST_TOO_LARGE")
    assert MB < sender.consumed <= MB + sender.chunk


async def test_a_chunked_multipart_body_is_counted_against_its_own_limit(
    make_portal: Any, tmp_path: Path
) -> None:
    portal: Portal = await make_portal(portal_settings(tmp_path, GRAPHQL_MAX_MULTIPART_BYTES=str(2 * MB)))
    assert portal.app is not None
    sender = Sender(100 * MB, prefix=FILE_PART, fill=b"a")
    headers = [(b"content-type", b"multipart/form-data; boundary=x"), *CSRF_PAIR]
    status, payload = await call(portal.app, sender, headers)
    assert (status, payload["errors"][0]["extensions"]["code"]) == (413, "REQUEST_TOO_LARGE")
    assert 2 * MB < sender.consumed <= 2 * MB + sender.chunk
    # Above the JSON limit and within its own, an upload is read and served.
    upload = multipart('{"query": "{ __typename }", "variables": {"f": null}}', '{"f0": ["variables.f"]}')
    upload["files"] = {"f0": ("a.bin", b"a" * (MB + MB // 2), "application/octet-stream")}
    response = await portal.client.post("/graphql", **upload)
    assert response.json() == {"data": {"__typename": "Query"}}


# A multipart request without a bearer token must show the CSRF token, as the web's uploads do.
CSRF_PAIR = [(b"cookie", b"wg_csrf=csrf-token-of-the-test"), (b"x-csrf-token", b"csrf-token-of-the-test")]


def multipart(operations: str, files_map: str, files: dict[str, bytes] | None = None) -> dict[str, Any]:
    return {
        "headers": {k.decode(): v.decode() for k, v in CSRF_PAIR},
        "data": {"operations": operations, "map": files_map},
        "files": {name: (f"{name}.txt", content, "text/plain") for name, content in (files or {}).items()},
    }


@pytest.mark.parametrize(
    ("operations", "files_map", "code"),
    [
        ('{"query": "{ __typename }", "variables": {"f": null}}', '{"f0": ["variables.f"]}', None),
        # Multipart is for uploads: without a file it is refused (JSON is what a cross-site form cannot send).
        ('{"query": "{ __typename }"}', "{}", "BAD_REQUEST"),
        ("{nope", "{}", "BAD_REQUEST"),
        ('"hello"', "{}", "BAD_REQUEST"),
        ('[{"query": "{ __typename }"}]', "{}", "BAD_REQUEST"),
        (
            '{"query": "{ __typename }", "variables": {"v": ' + "[" * 40 + "]" * 40 + "}}",
            "{}",
            "VARIABLES_TOO_LARGE",
        ),
        ('{"query": "{ ' + " ".join(["__typename"] * 1238) + ' }"}', "{}", "QUERY_TOO_COMPLEX"),
        ('{"query": "{ __typename }", "variables": {"f": null}}', '{"0": ["variables.f"]}', "BAD_REQUEST"),
        (
            '{"query": "{ __typename }", "variables": {"f": null}}',
            '{"f0": ["variables.x.y.z"]}',
            "BAD_REQUEST",
        ),
        ('{"query": "{ __typename }", "variables": {"f": [1]}}', '{"f0": ["variables.f.q"]}', "BAD_REQUEST"),
        ('{"query": "{ __typename }"}', '{"f0": "variables.f"}', "BAD_REQUEST"),
    ],
)
async def test_multipart_operations_are_checked_like_json_ones(
    portal: Portal, operations: str, files_map: str, code: str | None
) -> None:
    response = await portal.client.post("/graphql", **multipart(operations, files_map, {"f0": b"attachment"}))
    if code is None:
        assert response.json() == {"data": {"__typename": "Query"}}
    else:
        assert (response.status_code, code_of(response)) == (400, code), response.text
    assert backend_calls(portal) == 0


async def test_a_streaming_client_sees_the_413_before_it_has_sent_its_body(tmp_path: Path) -> None:
    """On a real server: a chunked 100 MB upload is answered once the limit is passed, and the connection
    closed, while the client is still sending."""
    from bff.server.app import create_app
    from tests.bff.server.test_app import serving

    app = create_app(portal_settings(tmp_path))
    chunk = b"[" * (64 * 1024)
    async with serving(app) as port, asyncio.timeout(30):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
            b"transfer-encoding: chunked\r\n\r\n"
        )
        answer = asyncio.create_task(reader.read(4096))
        sent = 0
        try:
            while not answer.done() and sent < 100 * MB:
                writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                await writer.drain()
                await asyncio.sleep(0)  # the server runs on this loop
                sent += len(chunk)
        except ConnectionError:
            pass  # the server closed the connection after answering
        response = await answer
        with contextlib.suppress(ConnectionError):
            response += await reader.read()
        writer.close()
    assert response.startswith(b"HTTP/1.1 413 ")
    assert b"REQUEST_TOO_LARGE" in response
    assert sent < 20 * MB


async def test_websocket_operations_get_the_same_checks(tmp_path: Path, validations: list[int]) -> None:
    from websockets.asyncio.client import connect
    from websockets.typing import Subprotocol

    from bff.server.app import create_app
    from tests.bff.server.test_app import serving

    app = create_app(portal_settings(tmp_path, GRAPHQL_MAX_VARIABLE_LIST="2"))
    async with serving(app) as port, asyncio.timeout(30):
        url = f"ws://127.0.0.1:{port}/graphql"
        async with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
            await ws.send(json.dumps({"type": "connection_init"}))
            assert json.loads(await ws.recv()) == {"type": "connection_ack"}
            sent = [
                (DUPLICATED, None, "QUERY_TOO_COMPLEX"),
                (BOMB, None, "QUERY_TOO_COMPLEX"),
                ("query ($v: [ID!]) { __typename }", {"v": ["a", "b", "c"]}, "VARIABLES_TOO_LARGE"),
                ("{ nope }", None, "GRAPHQL_VALIDATION_FAILED"),
            ]
            for n, (query, variables, code) in enumerate(sent):
                payload = {"query": query, "variables": variables}
                await ws.send(json.dumps({"id": str(n), "type": "subscribe", "payload": payload}))
                answer = json.loads(await ws.recv())
                assert answer["type"] == "error" and answer["id"] == str(n), answer
                assert [e["extensions"]["code"] for e in answer["payload"]] == [code]
    assert validations[0] == 1  # `{ nope }` only
