"""The four core systems, the help desk and the payment gateway as ports, each over its own HTTP client (the
one place those clients are made)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field

import httpx

from adapters.errors import BackendError, NotFound, Rejected
from adapters.freeradius.aaa import FreeradiusAaa
from adapters.freeradius.config import FreeradiusConfig
from adapters.freeradius.sql import open_database
from adapters.genieacs.nbi import Nbi, make_nbi_http
from adapters.genieacs.oss import GenieAcsOss
from adapters.observe import CallObserver
from adapters.paypal.client import HttpPayPal, PayPalConfig, make_paypal_http
from adapters.ports.aaa import AaaPort
from adapters.ports.billing import BillingPort
from adapters.ports.crm import CrmPort
from adapters.ports.gateway import PaymentGatewayPort
from adapters.ports.oss import OssPort
from adapters.ports.paypal import PayPalPort
from adapters.ports.tickets import TicketsPort
from adapters.resilience.breaker import BreakerPolicy
from adapters.resilience.guard import Guard, Policy
from adapters.resilience.retry import RetryPolicy
from adapters.stripe.gateway import HttpStripeGateway, StripeConfig, make_stripe_http
from adapters.wispgate.aaa import HttpAaa
from adapters.wispgate.billing import HttpBilling
from adapters.wispgate.client import BackendConfig, CoreClient, make_http_client, pooled_transport
from adapters.wispgate.crm import HttpCrm
from adapters.wispgate.oss import HttpOss
from adapters.wispgate.rawwire import RawWire
from adapters.wispgate.wire import Wire
from adapters.zammad.client import ZammadClient, make_zammad_http
from adapters.zammad.tickets import ZammadTickets
from bff.core import request_id
from bff.core.settings import BACKENDS, ResilienceSettings, Settings
from bff.core.tracing import Tracing

PROBE_PATH = "/v1/readyz-probe"


@dataclass(frozen=True)
class Backends:
    billing: BillingPort
    crm: CrmPort
    # Support tickets: the CRM's own (WISPGate) by default, or a help desk (`TICKETS_BACKEND`).
    tickets: TicketsPort
    aaa: AaaPort
    oss: OssPort
    gateway: PaymentGatewayPort
    # The second gateway, when GATEWAYS names paypal (None otherwise).
    paypal: PayPalPort | None = None
    # The raw clients, for readiness probes only; everything else goes through the ports.
    clients: Mapping[str, CoreClient] = field(default_factory=dict)
    # Each backend's guard (the gateway's too), for /healthz/backends: breaker state, calls in flight.
    guards: Mapping[str, Guard] = field(default_factory=dict)
    # With OSS_BACKEND=genieacs: the same object as `oss`, for the task follower (`bff.core.task_follow`).
    acs: GenieAcsOss | None = None
    # Backends that are not HTTP clients (AAA_BACKEND=freeradius), probed their own way.
    probes: Mapping[str, Callable[[float], Awaitable[Probe]]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Probe:
    name: str
    ok: bool
    detail: str


async def probe(client: CoreClient, timeout_s: float = 2.0) -> Probe:
    """Is the backend reachable and does it accept our key? Any answer to an authenticated request for a
    path that does not exist proves both (the key is checked before routing)."""
    try:
        async with asyncio.timeout(timeout_s):
            await client.reach(PROBE_PATH)
    except NotFound:
        return Probe(client.backend, True, "reachable")
    except Rejected as exc:
        if exc.status in (401, 403):
            return Probe(client.backend, False, f"refused our API key ({exc.status})")
        return Probe(client.backend, True, "reachable")
    except TimeoutError:
        return Probe(client.backend, False, "timed out")
    except BackendError as exc:
        return Probe(client.backend, False, exc.message)
    return Probe(client.backend, True, "reachable")


def nbi_probe(acs: GenieAcsOss) -> Callable[[float], Awaitable[Probe]]:
    """Does GenieACS's NBI answer (and accept our credentials, when it asks for any)?"""

    async def check(timeout_s: float) -> Probe:
        try:
            async with asyncio.timeout(timeout_s):
                await acs.nbi.reach()
        except TimeoutError:
            return Probe("genieacs", False, "timed out")
        except BackendError as exc:
            return Probe("genieacs", False, exc.message)
        return Probe("genieacs", True, "reachable")

    return check


def _with_request_id(http: httpx.AsyncClient) -> httpx.AsyncClient:
    """Every call carries the id of the request it serves (`bff.core.request_id`); done on the clients this
    module builds, so the adapters stay unaware of it."""
    http.event_hooks = {**http.event_hooks, "request": [*http.event_hooks["request"], request_id.stamp]}
    return http


def _fast_wire(name: str, config: BackendConfig) -> Wire:
    """JSON calls straight over aiohttp (`adapters.wispgate.wire`), with what `make_http_client` gives the httpx
    client: the key, the timeouts, the pool size, the request id. Not when a transport is injected (tests) or
    OpenTelemetry is on: its client spans sit in an httpx transport, so those calls keep the httpx path."""
    return RawWire(
        name,
        config.base_url,
        {"x-api-key": config.api_key, "accept": "application/json"},
        connect_timeout_s=config.connect_timeout_s,
        read_timeout_s=config.read_timeout_s,
        max_connections=config.max_connections,
        stamp=request_id.stamp_headers,
    )


def policy_of(conf: ResilienceSettings) -> Policy:
    return Policy(
        deadline_s=conf.deadline_s,
        concurrency=conf.concurrency,
        breaker=BreakerPolicy(failures=conf.breaker_failures, cooldown_s=conf.breaker_cooldown_s),
        retry=RetryPolicy(retries=conf.retries),
    )


def freeradius_aaa(config: FreeradiusConfig, guard: Guard, observer: CallObserver | None) -> FreeradiusAaa:
    """AAA_BACKEND=freeradius: the port over FreeRADIUS's SQL database (a bounded pool, opened lazily so
    the BFF starts while the database is down) and CoA to the NASes."""
    from zoneinfo import ZoneInfo

    db = open_database(
        config.database_url, config.pool_size, config.connect_timeout_s, ZoneInfo(config.database_timezone)
    )
    return FreeradiusAaa(config, db, guard, observer=observer)


def database_probe(name: str, aaa: FreeradiusAaa) -> Callable[[float], Awaitable[Probe]]:
    async def check(timeout_s: float) -> Probe:
        try:
            async with asyncio.timeout(timeout_s):
                problem = await aaa.reachable()
        except TimeoutError:
            return Probe(name, False, "timed out")
        return Probe(name, not problem, problem or "reachable")

    return check


@contextlib.asynccontextmanager
async def open_backends(
    settings: Settings,
    transport: httpx.AsyncBaseTransport | None = None,
    *,
    tracing: Tracing | None = None,
    observer: CallObserver | None = None,
) -> AsyncIterator[Backends]:
    """One `httpx.AsyncClient` per backend (base URL, key, timeouts, limits) and one `Guard` (deadline,
    breaker, bulkhead, retries) reporting to `observer`, closed on exit. `transport` replaces the network
    for every client (tests route it to in-process sandbox apps)."""
    async with contextlib.AsyncExitStack() as stack:
        clients: dict[str, CoreClient] = {}
        guards: dict[str, Guard] = {}
        for name in BACKENDS:
            conf = settings.backend(name)
            config = BackendConfig(
                base_url=conf.url,
                api_key=conf.api_key,
                connect_timeout_s=conf.connect_timeout_s,
                read_timeout_s=conf.read_timeout_s,
                # Calls queue in the bulkhead, under their deadline, not in the pool.
                max_connections=max(BackendConfig.max_connections, conf.resilience.concurrency),
            )
            network = transport or pooled_transport(config)
            if tracing is not None:
                network = tracing.transport(network, name)
            http = _with_request_id(make_http_client(config, transport=network))
            await stack.enter_async_context(http)
            wire = _fast_wire(name, config) if transport is None and tracing is None else None
            if wire is not None:
                stack.push_async_callback(wire.aclose)
            guards[name] = Guard(name, policy_of(conf.resilience), observer=observer)
            # Identical reads in flight at once (the page's two operations) share one backend call.
            clients[name] = CoreClient(name, http, guards[name], coalesce=True, wire=wire)
        gateway_http = _with_request_id(
            make_stripe_http(
                StripeConfig(
                    api_key=settings.gateway.secret_key,
                    base_url=settings.gateway.url,
                    connect_timeout_s=settings.gateway.connect_timeout_s,
                    read_timeout_s=settings.gateway.read_timeout_s,
                ),
                transport=transport,
            )
        )
        await stack.enter_async_context(gateway_http)
        aaa: AaaPort = HttpAaa(clients["aaa"])
        probes: dict[str, Callable[[float], Awaitable[Probe]]] = {}
        if settings.aaa_backend == "freeradius" and settings.freeradius is not None:
            radius = freeradius_aaa(settings.freeradius, guards["aaa"], observer)
            stack.push_async_callback(radius.close)
            clients.pop("aaa")  # its readiness is the database's, not an HTTP probe's
            probes["aaa"] = database_probe("aaa", radius)
            aaa = radius
        guards["gateway"] = Guard("gateway", policy_of(settings.gateway.resilience), observer=observer)
        paypal: HttpPayPal | None = None
        if "paypal" in settings.gateways:
            paypal_config = PayPalConfig(
                client_id=settings.paypal.client_id,
                client_secret=settings.paypal.client_secret,
                base_url=settings.paypal.url,
                connect_timeout_s=settings.paypal.connect_timeout_s,
                read_timeout_s=settings.paypal.read_timeout_s,
            )
            paypal_http = _with_request_id(make_paypal_http(paypal_config, transport=transport))
            await stack.enter_async_context(paypal_http)
            guards["paypal"] = Guard("paypal", policy_of(settings.paypal.resilience), observer=observer)
            paypal = HttpPayPal(paypal_http, paypal_config, guards["paypal"])
        oss: OssPort = HttpOss(clients["oss"])
        acs: GenieAcsOss | None = None
        if settings.oss_backend == "genieacs":
            # Devices and CPEs on GenieACS; usage, add-ons and incidents stay on the core's OSS.
            nbi_http = _with_request_id(make_nbi_http(settings.genieacs.config, transport=transport))
            await stack.enter_async_context(nbi_http)
            guards["genieacs"] = Guard("genieacs", policy_of(settings.genieacs.resilience), observer=observer)
            oss = acs = GenieAcsOss(Nbi(nbi_http, guards["genieacs"]), settings.genieacs.config, oss)
            probes["genieacs"] = nbi_probe(acs)
        crm = HttpCrm(clients["crm"])
        tickets: TicketsPort = crm
        zammad = settings.tickets.zammad
        if zammad is not None:
            # Not `transport`: that one routes to the in-process sandbox, which has no Zammad (tests mock
            # Zammad's API with respx on this client's own transport).
            zammad_http = _with_request_id(make_zammad_http(zammad))
            await stack.enter_async_context(zammad_http)
            guards["zammad"] = Guard("zammad", policy_of(settings.tickets.resilience), observer=observer)
            tickets = ZammadTickets(ZammadClient(zammad_http, guards["zammad"]), zammad, crm)
        yield Backends(
            billing=HttpBilling(clients["billing"]),
            crm=crm,
            tickets=tickets,
            aaa=aaa,
            oss=oss,
            gateway=HttpStripeGateway(gateway_http, guards["gateway"]),
            paypal=paypal,
            clients=clients,
            guards=guards,
            probes=probes,
            acs=acs,
        )
