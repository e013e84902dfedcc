"""`create_app()`: THE composition root. Routes, middleware and a lifespan that opens (and closes) the
backends' HTTP clients, Redis and the stores; nothing is created at import time. `app_from_environment()`
is the factory the `wispgate serve` workers call (uvicorn needs an import string to start N processes)."""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute

from bff.core.auth.directory import Directory
from bff.core.core_events import CoreHooks
from bff.core.core_notices import CoreNotices
from bff.core.exports import export_routes
from bff.core.files import file_routes
from bff.core.logs import configure_logging
from bff.core.metrics import Metrics
from bff.core.payments.paypal import PayPalPayments
from bff.core.payments.paypal_webhook import PayPalReturn, PayPalWebhooks
from bff.core.payments.settlement import Settlement
from bff.core.payments.webhook import GatewayWebhooks
from bff.core.services import Services, open_services
from bff.core.settings import Settings, load_settings
from bff.core.tracing import Tracing, open_tracing
from bff.core.trusted import OperationPolicy, TrustedDocuments
from bff.core.zammad_hooks import ZammadHooks, zammad_hooks
from bff.server.drain import Drain
from bff.server.graphql import PortalGraphQL
from bff.server.health import health_routes
from bff.server.operation_metrics import OperationMetrics
from bff.server.operator import operator_routes
from bff.server.requests import RequestObserver
from bff.server.shedding import Shedding
from bff.server.web import GraphiQLPage, SecurityHeaders, content_security_policy, web_routes
from schema.build import TRUSTED_DOCUMENTS_PATH, build_schema

log = logging.getLogger("wispgate.app")


@dataclass(frozen=True)
class Inbound:
    """The signed-event endpoints: the gateway's webhooks, the core's events, Zammad's webhooks."""

    gateway_webhooks: GatewayWebhooks
    core_hooks: CoreHooks
    # PayPal's webhooks and the browser's return from its approval page (503 / plain redirect without it).
    paypal_webhooks: PayPalWebhooks
    paypal_return: PayPalReturn
    zammad_hooks: ZammadHooks | None = None  # when tickets live in Zammad (TICKETS_BACKEND=zammad)


class _Holder:
    """The running app's services; set by the lifespan, read per request."""

    def __init__(self) -> None:
        self.services: Services | None = None
        self.inbound: Inbound | None = None

    def __call__(self) -> Services:
        if self.services is None:
            raise RuntimeError("the app's lifespan has not started (run it under an ASGI server)")
        return self.services

    def running_inbound(self) -> Inbound:
        if self.inbound is None:
            raise RuntimeError("the app's lifespan has not started (run it under an ASGI server)")
        return self.inbound


def inbound_endpoints(services: Services) -> Inbound:
    settings = services.settings
    if not settings.gateway.webhook_secret:
        log.warning("GATEWAY_WEBHOOK_SECRET is not set: /webhooks/gateway refuses every event")
    if not settings.core_events_secret:
        log.warning("CORE_EVENTS_SECRET is not set: /hooks/core refuses every event")
    zammad = settings.tickets.zammad
    if zammad is not None and not zammad.webhook_secret:
        log.warning("ZAMMAD_WEBHOOK_SECRET is not set: /webhooks/zammad refuses every delivery")
    settlement = Settlement(services.backends, services.bus)
    paypal = services.backends.paypal
    payments = PayPalPayments(settlement, paypal) if paypal is not None else None
    return Inbound(
        paypal_webhooks=PayPalWebhooks(settings.paypal.webhook_id, settlement, services.marks, payments),
        paypal_return=PayPalReturn(settings, payments),
        gateway_webhooks=GatewayWebhooks(settings.gateway.webhook_secret, settlement, services.marks),
        core_hooks=CoreHooks(
            settings.core_events_secret,
            services.bus,
            services.marks,
            Directory(services.sessions),
            CoreNotices(services.backends.crm),
        ),
        zammad_hooks=zammad_hooks(
            zammad.webhook_secret if zammad is not None else "",
            services.backends,
            services.bus,
            services.marks,
        ),
    )


def answered(response: Response) -> str:
    """What a signed-event endpoint told its sender, in one word: the `result` of an acknowledgement or the
    `error.code` of a refusal (their documented answers), else `http_<status>`."""
    try:
        body = json.loads(bytes(response.body))
    except ValueError:
        body = None
    if isinstance(body, dict):
        error = body.get("error")
        said = body.get("result") or (error.get("code") if isinstance(error, dict) else None)
        if isinstance(said, str) and said:
            return said.lower()
    return f"http_{response.status_code}"


def _counted(
    source: str, endpoint: Callable[[Request], Awaitable[Response]], metrics: Metrics
) -> Callable[[Request], Awaitable[Response]]:
    async def counted(request: Request) -> Response:
        response = await endpoint(request)
        metrics.webhook(source, answered(response))
        return response

    return counted


def operation_policy(settings: Settings) -> OperationPolicy:
    """The web portal's trusted documents and the operator's extra manifests (`TRUSTED_DOCUMENTS`); a
    manifest that cannot be read or whose ids lie stops the start (`ManifestError`)."""
    documents = TrustedDocuments.load([TRUSTED_DOCUMENTS_PATH, *settings.trusted_documents])
    log.info(
        "trusted documents: %d; other operations %s",
        len(documents),
        "allowed" if settings.arbitrary_operations else "refused",
    )
    return OperationPolicy(
        documents, arbitrary=settings.arbitrary_operations, cost_limit=settings.query_cost_limit
    )


def create_app(
    settings: Settings,
    *,
    backends_transport: httpx.AsyncBaseTransport | None = None,
    extra_mounts: Sequence[Mount] = (),
    tracing: Tracing | None = None,
    drain_on_sigterm: bool = False,
) -> Starlette:
    """The BFF as an ASGI app. `backends_transport` replaces the network for every backend client (tests);
    `extra_mounts` are placed before the web app's catch-all (the demo mounts the sandbox at /_sandbox) and
    their own lifespans run inside this one's (Starlette does not run a mounted app's lifespan). `tracing`
    replaces the one `OTEL_EXPORTER_OTLP_ENDPOINT` configures (tests export in memory). `drain_on_sigterm`:
    served by the `wispgate` command, SIGTERM drains first (`bff.server.drain`)."""
    holder = _Holder()
    metrics = Metrics()
    tracing = tracing if tracing is not None else open_tracing(settings)
    drain = Drain(settings.shutdown_drain_s)
    policy = operation_policy(settings)
    schema = build_schema(
        settings,
        observers=[functools.partial(OperationMetrics, metrics=metrics, tracing=tracing)],
        policy=policy,
    )
    csp = content_security_policy(settings.public_url, settings.csp_connect_src)
    graphql = PortalGraphQL(
        schema,
        holder,
        production=settings.production,
        limits=settings.limits,
        documents=schema.documents,
        policy=policy,
        graphiql=GraphiQLPage(settings.web_dist, csp) if settings.graphiql else None,
        allowed_origins=settings.allowed_origins,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            for mount in extra_mounts:
                inner = mount.app
                if isinstance(inner, Starlette):
                    await stack.enter_async_context(inner.router.lifespan_context(inner))
            metrics.start()
            stack.callback(metrics.close)
            if tracing is not None:
                stack.callback(tracing.shutdown)
            holder.services = await stack.enter_async_context(
                open_services(settings, backends_transport, metrics=metrics, tracing=tracing)
            )
            holder.inbound = inbound_endpoints(holder.services)
            # For in-process callers (tests, the demo): the running bus.
            app.state.bus = holder.services.bus
            app.state.backends = holder.services.backends  # and its backends (guards, breakers)
            if drain_on_sigterm:
                stack.enter_context(drain.on_sigterm())
            try:
                yield
            finally:
                holder.services = None
                holder.inbound = None

    async def gateway_webhook(request: Request) -> Response:
        return await holder.running_inbound().gateway_webhooks.endpoint(request)

    async def paypal_webhook(request: Request) -> Response:
        return await holder.running_inbound().paypal_webhooks.endpoint(request)

    async def paypal_return(request: Request) -> Response:
        return await holder.running_inbound().paypal_return.endpoint(request)

    async def core_hook(request: Request) -> Response:
        return await holder.running_inbound().core_hooks.endpoint(request)

    async def zammad_hook(request: Request) -> Response:
        handler = holder.running_inbound().zammad_hooks
        if handler is None:
            return Response(status_code=404)
        return await handler.endpoint(request)

    routes: list[BaseRoute] = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        # Signed, not cookie-authenticated: no CSRF check applies.
        Route("/webhooks/gateway", _counted("gateway", gateway_webhook, metrics), methods=["POST"]),
        Route("/hooks/core", _counted("core", core_hook, metrics), methods=["POST"]),
        Route("/webhooks/paypal", _counted("paypal", paypal_webhook, metrics), methods=["POST"]),
        # The browser back from PayPal's approval page: captures, then redirects to the portal's return page.
        Route("/payments/paypal/return", paypal_return, methods=["GET"]),
        Route("/webhooks/zammad", _counted("zammad", zammad_hook, metrics), methods=["POST"]),
        WebSocketRoute("/graphql", graphql),
        *file_routes(lambda: (holder().files, holder().backends)),
        *export_routes(lambda: (holder().files, holder().backends)),
        *health_routes(holder, drain),
        *operator_routes(metrics, settings),
        *extra_mounts,
        *web_routes(settings.web_dist, csp, graphiql=settings.graphiql, brand=settings.brand),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            # First, so that every answer (security headers' refusals included) carries the request id.
            Middleware(RequestObserver, metrics=metrics, tracing=tracing),
            # Next, so that a shed request is still logged and carries its id, and costs nothing more.
            Middleware(Shedding, max_in_flight=settings.max_in_flight, metrics=metrics),
            Middleware(SecurityHeaders, hsts=settings.production and settings.cookie_secure),
        ],
        lifespan=lifespan,
    )
    # For tests and the CLI: the app's metrics and its drain state.
    app.state.metrics = metrics
    app.state.drain = drain
    return app


# Young-generation collections every 50,000 net allocations instead of 700. One event to thousands of open
# subscriptions keeps thousands of deliveries in flight at once; at the default their objects were promoted to
# the old generations and set off full collections walking every open connection's objects. Measured with
# bench/subscriptions.py (3,000 subscriptions, a busy machine): 1.9–2.3 s of CPU per event instead of 2.1–4.1.
GC_THRESHOLDS = (50_000, 20, 10)


def tune_garbage_collector() -> None:
    """For a long-running server process: what was built at start-up (modules, the schema) is frozen out of
    every later collection, and young collections run far less often (`GC_THRESHOLDS`)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def app_from_environment() -> Starlette:
    """The factory each `wispgate serve` worker process calls: settings from the environment (the CLI
    checked them before starting any worker), logging as they say, SIGTERM draining, the collector tuned
    for a server."""
    settings = load_settings()
    configure_logging(settings.log_format, settings.log_level)
    app = create_app(settings, drain_on_sigterm=True)
    tune_garbage_collector()
    return app
