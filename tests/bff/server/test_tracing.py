"""OpenTelemetry when configured: a server span per request continuing the caller's trace, a client span per
backend call whose trace context the backend receives, spans exported over OTLP/HTTP; and nothing of
OpenTelemetry imported when it is not configured."""

from __future__ import annotations

import contextlib
import http.server
import os
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import ClassVar

import httpx
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from bff.core.settings import Settings
from bff.core.tracing import Tracing
from bff.server.app import create_app
from sandbox.app import Sandbox
from sandbox.world import DEMO_PASSWORD
from tests.harness.portal import BASE_URL, CLIENT_ADDRESS, LOGIN, portal_settings
from tests.harness.process import REPO
from tests.harness.transport import RecordingTransport

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_SPAN = "00f067aa0ba902b7"


@contextlib.asynccontextmanager
async def traced_app(
    settings: Settings, transport: httpx.AsyncBaseTransport, tracing: Tracing | None
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, backends_transport=transport, tracing=tracing)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=CLIENT_ADDRESS), base_url=BASE_URL
        ) as client,
    ):
        yield client


def _login_body() -> dict[str, object]:
    variables = {"email": "ana@lima.example", "password": DEMO_PASSWORD, "delivery": "BODY"}
    return {"query": LOGIN, "variables": variables}


async def test_a_request_and_its_backend_calls_are_spans_of_the_callers_trace(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    transport = RecordingTransport.to(sandbox.systems)
    async with traced_app(portal_settings(tmp_path), transport, Tracing(provider)) as client:
        response = await client.post(
            "/graphql", json=_login_body(), headers={"traceparent": f"00-{TRACE_ID}-{PARENT_SPAN}-01"}
        )
        assert response.json()["data"]["login"]["accessToken"]

    spans: tuple[ReadableSpan, ...] = exporter.get_finished_spans()
    [server] = [s for s in spans if s.kind is SpanKind.SERVER]
    assert server.context is not None and server.parent is not None
    assert format(server.context.trace_id, "032x") == TRACE_ID
    assert format(server.parent.span_id, "016x") == PARENT_SPAN
    assert server.name == "mutation Login"  # renamed after the operation it ran
    assert server.attributes is not None and server.attributes["http.response.status_code"] == 200

    clients = [s for s in spans if s.kind is SpanKind.CLIENT]
    assert clients and {s.name for s in clients} == {"crm POST"}
    for span in clients:
        assert span.parent is not None and span.parent.span_id == server.context.span_id
    # Each backend request carried the trace context of its own client span.
    sent = [h["traceparent"] for host, h in transport.seen if host == "crm.test"]
    expected = {f"00-{TRACE_ID}-{format(s.context.span_id, '016x')}-01" for s in clients if s.context}
    assert set(sent) == expected


class _Collector(http.server.BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, str, bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        self.received.append((self.path, self.headers.get("content-type", ""), body))
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        return None


@contextlib.contextmanager
def collector() -> Iterator[tuple[str, list[tuple[str, str, bytes]]]]:
    """An OTLP/HTTP receiver on loopback that keeps what it is sent."""
    received: list[tuple[str, str, bytes]] = []
    handler = type("Collector", (_Collector,), {"received": received})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


async def test_the_configured_endpoint_receives_the_spans_over_otlp(sandbox: Sandbox, tmp_path: Path) -> None:
    transport = RecordingTransport.to(sandbox.systems)
    with collector() as (endpoint, received):
        settings = portal_settings(tmp_path, OTEL_EXPORTER_OTLP_ENDPOINT=endpoint)
        async with traced_app(settings, transport, None) as client:
            assert (await client.post("/graphql", json=_login_body())).status_code == 200
        # The app's lifespan ended: its provider flushed the batch.

    assert received, "no spans reached the collector"
    names = set()
    for path, content_type, body in received:
        assert path == "/v1/traces" and content_type == "application/x-protobuf"
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        for resource in request.resource_spans:
            service = {a.key: a.value.string_value for a in resource.resource.attributes}["service.name"]
            assert service == "wispgate-portal"
            names |= {span.name for scope in resource.scope_spans for span in scope.spans}
    assert {"mutation Login", "crm POST"} <= names


def test_no_tracer_or_exporter_is_started_without_configuration(tmp_path: Path) -> None:
    # redis-py imports parts of the OpenTelemetry API and SDK itself whenever they are installed (its
    # `redis.observability`); what must not load is what only tracing uses: the SDK's tracer and the exporter.
    script = f"""
import asyncio, sys
import httpx
from bff.core.settings import load_settings
from bff.server.app import create_app

app = create_app(load_settings({{"WISPGATE_ENV": "development", "WEB_DIST": {str(tmp_path)!r}}}))

async def main():
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            assert (await client.post("/graphql", json={{"query": "{{ __typename }}"}})).status_code == 200

asyncio.run(main())
used = ("opentelemetry.sdk.trace", "opentelemetry.exporter", "opentelemetry.trace.propagation.tracecontext")
print(sorted(m for m in sys.modules if m.startswith(used)))
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    done = subprocess.run(  # noqa: S603 - this interpreter, a script of ours
        [sys.executable, "-c", script],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
