"""OpenTelemetry tracing, only when configured: with `OTEL_EXPORTER_OTLP_ENDPOINT` set, a server span per
request and a client span per backend call, and the W3C trace context (`traceparent`) sent to the backends,
so a trace runs from the portal through the core. Without it nothing of OpenTelemetry is imported.

The SDK and its OTLP exporter are an optional extra (`pip install 'wispgate-portal[otel]'`). Spans go to
`OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces` over OTLP/HTTP, as the OpenTelemetry specification reads that
variable; the exporter reads the other standard `OTEL_EXPORTER_OTLP_*` variables (headers, certificate,
timeout) itself. This
module keeps its own provider and propagator instead of installing global ones: a test app, or a second app
in the same process, traces into its own exporter.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import httpx

from bff.core.settings import Settings, SettingsError

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.trace import Span


class Tracing:
    """Spans of one app, from its own `TracerProvider` (tests pass one with an in-memory exporter)."""

    def __init__(self, provider: TracerProvider) -> None:
        from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

        self.provider = provider
        self.tracer = provider.get_tracer("wispgate")
        self.propagator = TraceContextTextMapPropagator()

    @contextlib.contextmanager
    def server_span(
        self, name: str, headers: Mapping[str, str], attributes: dict[str, Any]
    ) -> Iterator[Span]:
        """The current span for one request, continuing the caller's trace when it sent a `traceparent`."""
        from opentelemetry.trace import SpanKind

        parent = self.propagator.extract(carrier=headers)
        with self.tracer.start_as_current_span(
            name, context=parent, kind=SpanKind.SERVER, attributes=attributes
        ) as span:
            yield span

    def name_operation(self, name: str) -> None:
        """Rename the current request's span after the GraphQL operation it ran ("query Dashboard")."""
        from opentelemetry import trace

        span = trace.get_current_span()
        if span.is_recording():
            span.update_name(name)

    def transport(self, inner: httpx.AsyncBaseTransport, backend: str) -> httpx.AsyncBaseTransport:
        return TracedTransport(inner, self, backend)

    def shutdown(self) -> None:
        """Export what is buffered; at the end of the app's lifespan."""
        self.provider.shutdown()


class TracedTransport(httpx.AsyncBaseTransport):
    """A client span around each backend request, with the trace context in its headers. The span ends when
    the answer's headers arrive (httpx reads the body after the transport returns)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, tracing: Tracing, backend: str) -> None:
        self.inner = inner
        self.tracing = tracing
        self.backend = backend

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        from opentelemetry.trace import SpanKind, Status, StatusCode

        attributes = {
            "http.request.method": request.method,
            "server.address": request.url.host,
            "url.path": request.url.path,
            "wispgate.backend": self.backend,
        }
        with self.tracing.tracer.start_as_current_span(
            f"{self.backend} {request.method}", kind=SpanKind.CLIENT, attributes=attributes
        ) as span:
            self.tracing.propagator.inject(request.headers)
            response = await self.inner.handle_async_request(request)
            span.set_attribute("http.response.status_code", response.status_code)
            if response.status_code >= 500:
                span.set_status(Status(StatusCode.ERROR))
            return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def open_tracing(settings: Settings) -> Tracing | None:
    """The app's tracing when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, exporting in batches over OTLP/HTTP;
    None otherwise. SettingsError when it is set but the `otel` extra is not installed."""
    if not settings.tracing:
        return None
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        raise SettingsError(
            "OTEL_EXPORTER_OTLP_ENDPOINT is set but OpenTelemetry is not installed: "
            "pip install 'wispgate-portal[otel]'"
        ) from None
    provider = TracerProvider(resource=Resource.create({"service.name": settings.otel_service_name}))
    endpoint = f"{settings.otel_endpoint.rstrip('/')}/v1/traces"
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    return Tracing(provider)
