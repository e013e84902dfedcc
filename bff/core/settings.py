"""The BFF's settings: one frozen object, loaded from the environment by `load_settings()` (never at import).

Development needs no configuration at all: every backend defaults to the local sandbox and the signing
secrets are generated per process (sessions then end when the process restarts, which is fine for a demo).
Production refuses to start without real secrets.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from adapters.brand import DEFAULT_BRAND, Brand, BrandError, load_brand
from adapters.freeradius.config import FreeradiusConfig
from adapters.genieacs.config import TR098_PATHS, TR181_PATHS, DataModelPaths, GenieAcsConfig
from adapters.ports.tickets import TICKET_PRIORITIES, TICKET_STATUSES
from adapters.zammad.config import (
    DEFAULT_GROUPS,
    DEFAULT_PRIORITIES,
    DEFAULT_STATES,
    ConfigError,
    ZammadConfig,
    parse_groups,
    parse_mapping,
)

BACKENDS = ("billing", "crm", "aaa", "oss")
SANDBOX_BASE = "http://127.0.0.1:8000/_sandbox"
SANDBOX_SERVICE_KEY = "sandbox-service-key"
# The sandbox's published test credentials (see sandbox/settings.py): development defaults only.
SANDBOX_GATEWAY_URL = f"{SANDBOX_BASE}/gateway"
SANDBOX_GATEWAY_SECRET_KEY = "sk_test_sandbox_51WispGateSandboxSecretKey0123456789"  # noqa: S105
SANDBOX_GATEWAY_WEBHOOK_SECRET = "whsec_sandbox_0123456789abcdef0123456789abcdef"  # noqa: S105
# The sandbox PayPal emulator's published test credentials (sandbox/paypal/config.py).
SANDBOX_PAYPAL_URL = f"{SANDBOX_BASE}/paypal"
SANDBOX_PAYPAL_CLIENT_ID = "sandbox-paypal-client-id"
SANDBOX_PAYPAL_CLIENT_SECRET = "sandbox-paypal-client-secret-0123456789"  # noqa: S105
SANDBOX_PAYPAL_WEBHOOK_ID = "WHSANDBOX0123456789"
PAYPAL_API = "https://api-m.paypal.com"
# The gateways a subscriber may pay through, in the order the portal offers them (the first is the default).
GATEWAY_NAMES = ("stripe", "paypal")
SANDBOX_EVENTS_SECRET = "sandbox-events-secret-0123456789abcdef"  # noqa: S105
STRIPE_API = "https://api.stripe.com"
# Where links point when PUBLIC_URL is not set (development only): the demo's default address.
DEV_PUBLIC_URL = "http://127.0.0.1:8000"
MIN_SECRET_BYTES = 32
LOG_FORMATS = ("json", "text")
OSS_BACKENDS = ("wispgate", "genieacs")
SANDBOX_GENIEACS_USER = "nbi"  # the sandbox NBI's basic-auth user (its password: the service key)
# The estimated cost (`schema.core.cost`) a document outside the trusted manifests may have, when such
# documents may run in production: over twice the web portal's costliest request (about 3,100: the dashboard's
# one operation with 100 sub-services and their devices, and the invoices whose autopay charge was declined), so
# that a third-party client can do what the portal does.
DEFAULT_QUERY_COST_LIMIT = 6500
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
AAA_BACKENDS = ("wispgate", "freeradius")
# Where support tickets live: the WISPGate CRM, or a Zammad help desk (`adapters.zammad`).
TICKETS_BACKENDS = ("wispgate", "zammad")
# A Zammad attribute name as the adapter puts it into a search query: nothing that could change the query.
ZAMMAD_ATTRIBUTE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


class SettingsError(ValueError):
    """The environment does not describe a valid configuration; the message says which variable and why."""


@dataclass(frozen=True, slots=True)
class ResilienceSettings:
    """How calls to one backend are bounded (`adapters.resilience`; docs/configuration.md, "Backends")."""

    deadline_s: float = 2.0  # one call, retries and the wait for a slot included
    concurrency: int = 32  # calls in flight to the backend from one process
    breaker_failures: int = 5  # consecutive failures that open the breaker
    breaker_cooldown_s: float = 5.0  # open this long, then one probe
    retries: int = 1  # extra attempts of a read (or a write with an idempotency key)


@dataclass(frozen=True, slots=True)
class BackendSettings:
    url: str
    api_key: str
    # One attempt's; the call as a whole gets `resilience.deadline_s`.
    connect_timeout_s: float = 0.5
    read_timeout_s: float = 2.0
    resilience: ResilienceSettings = ResilienceSettings()


@dataclass(frozen=True, slots=True)
class PayPalSettings:
    """PayPal (Orders v2 and webhooks), or the sandbox's emulator of it; used when GATEWAYS names paypal."""

    url: str = SANDBOX_PAYPAL_URL
    client_id: str = SANDBOX_PAYPAL_CLIENT_ID
    client_secret: str = SANDBOX_PAYPAL_CLIENT_SECRET
    webhook_id: str = SANDBOX_PAYPAL_WEBHOOK_ID  # "" = PayPal's webhooks are refused (503)
    connect_timeout_s: float = 3.0
    read_timeout_s: float = 20.0
    resilience: ResilienceSettings = ResilienceSettings(deadline_s=25.0, concurrency=16)


@dataclass(frozen=True, slots=True)
class GatewaySettings:
    """The payment gateway (Stripe's API, or the sandbox gateway that speaks it)."""

    url: str = SANDBOX_GATEWAY_URL
    secret_key: str = SANDBOX_GATEWAY_SECRET_KEY  # "" = not configured (production without a key)
    webhook_secret: str = SANDBOX_GATEWAY_WEBHOOK_SECRET  # "" = webhooks are refused (503)
    connect_timeout_s: float = 3.0
    read_timeout_s: float = 20.0
    # A card network can take most of the read timeout; the deadline leaves room for one quick retry.
    resilience: ResilienceSettings = ResilienceSettings(deadline_s=25.0, concurrency=16)


SANDBOX_GENIEACS = GenieAcsConfig(
    base_url=f"{SANDBOX_BASE}/genieacs", username=SANDBOX_GENIEACS_USER, password=SANDBOX_SERVICE_KEY
)


@dataclass(frozen=True, slots=True)
class GenieAcsSettings:
    """GenieACS behind the OSS port's devices and CPEs (`OSS_BACKEND=genieacs`; docs/adapters.md)."""

    config: GenieAcsConfig = SANDBOX_GENIEACS
    # GenieACS does not report a task's end: the BFF asks every `task_poll_s` until it is done or faulted,
    # for at most `task_follow_s` (long enough for an offline CPE's next periodic inform).
    task_poll_s: float = 2.0
    task_follow_s: float = 900.0
    resilience: ResilienceSettings = ResilienceSettings(deadline_s=6.0)


@dataclass(frozen=True, slots=True)
class TicketsSettings:
    """Where support tickets live (docs/adapters.md, "Zammad (tickets)"): `zammad` is set when `backend` is."""

    backend: str = "wispgate"
    zammad: ZammadConfig | None = None
    resilience: ResilienceSettings = ResilienceSettings(deadline_s=8.0, concurrency=16)


@dataclass(frozen=True, slots=True)
class GraphQLLimits:
    """What one GraphQL request may weigh (docs/configuration.md, "Request limits")."""

    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 5000
    # Bodies: a JSON request carries a document and its variables (the largest the web sends is ~3 KB);
    # multipart requests carry file uploads and get their own, larger limit.
    max_body_bytes: int = 1024 * 1024
    max_multipart_bytes: int = 25 * 1024 * 1024
    # Variables: every value counts (objects, lists and scalars alike); depth counts nested objects and lists.
    max_variable_values: int = 10_000
    max_variable_depth: int = 16
    max_variable_list: int = 1_000
    # The validation budget, checked before graphql-core's rules run: selections with every fragment spread
    # expanded, and pairs of same-named fields in one selection set (what OverlappingFieldsCanBeMerged compares).
    max_selections: int = 1_000
    max_field_pairs: int = 1_000


@dataclass(frozen=True, slots=True)
class UploadLimits:
    """Ticket attachments (docs/configuration.md, "Support uploads"): checked by the BFF before anything
    reaches the CRM, which applies its own ceiling (10 MiB, 10 per ticket) behind them."""

    max_file_bytes: int = 5 * 1024 * 1024
    max_files_per_message: int = 5
    max_files_per_ticket: int = 10


@dataclass(frozen=True, slots=True)
class Settings:
    env: str  # "development" | "production"
    billing: BackendSettings
    crm: BackendSettings
    aaa: BackendSettings
    oss: BackendSettings
    jwt_secret: str
    jwt_issuer: str = "wispgate-portal"
    jwt_audience: str = "wispgate-portal"
    access_ttl: timedelta = timedelta(minutes=10)
    refresh_ttl: timedelta = timedelta(days=30)
    redis_url: str | None = None
    redis_prefix: str = "wg:"
    # Commands share a blocking pool of this many connections (the bus's subscriber has its own); a command
    # waits up to `redis_pool_timeout_s` for one, and any one Redis read or write gives up after
    # `redis_timeout_s`, so an outage answers in bounded time (`bff.core.redis_client`).
    redis_pool_size: int = 32
    redis_pool_timeout_s: float = 2.0
    redis_timeout_s: float = 1.0
    allowed_origins: tuple[str, ...] = ()
    public_url: str = ""  # e.g. "https://portal.example.net"; "" means links are relative to the request
    cookie_secure: bool = False
    files_signing_key: str = ""
    file_link_ttl: timedelta = timedelta(minutes=5)
    core_events_secret: str = ""
    web_dist: Path = Path("web/dist")
    limits: GraphQLLimits = GraphQLLimits()
    uploads: UploadLimits = UploadLimits()
    # Sign-in protection (`bff.core.auth.guard`): free failures per account before growing delays, the cap
    # of a delay, failures per address per window, the window, and failures a minute across the portal.
    login_free_attempts: int = 5
    login_max_delay: timedelta = timedelta(minutes=15)
    login_address_failures: int = 30
    login_window: timedelta = timedelta(minutes=15)
    login_global_failures_per_minute: int = 300
    # Proxies whose X-Forwarded-For the server believes (uvicorn's `forwarded_allow_ips`): none by default,
    # so a client cannot choose its own address; "*" only behind a proxy that overwrites the header.
    forwarded_allow_ips: str = ""
    # Extra sources the portal's pages may connect to (CSP `connect-src`), besides its own origin and the
    # WebSocket form of PUBLIC_URL: e.g. an analytics endpoint. Never derived from a request.
    csp_connect_src: tuple[str, ...] = ()
    gateway: GatewaySettings = GatewaySettings()
    # GATEWAYS: which gateways subscribers may pay through, the first being the default ("stripe" alone unless
    # set); the portal offers a choice only when there are several.
    gateways: tuple[str, ...] = ("stripe",)
    paypal: PayPalSettings = PayPalSettings()
    # Where the OSS port's devices and CPEs live: the WISPGate core's OSS, or GenieACS (usage, add-ons and
    # incidents stay on the core's OSS either way).
    oss_backend: str = "wispgate"
    genieacs: GenieAcsSettings = GenieAcsSettings()
    tickets: TicketsSettings = TicketsSettings()
    # Origins the browser may be sent back to after the gateway's hosted page; () = the portal's own origin.
    return_url_origins: tuple[str, ...] = ()
    log_format: str = "text"  # "json" (one object per line) | "text"
    log_level: str = "INFO"
    # Bearer token for /metrics and /healthz/backends; "" = open in development, not served in production.
    metrics_token: str = ""
    # After SIGTERM: how long /readyz answers 503 while requests are still served, before shutting down.
    shutdown_drain_s: float = 0.0
    # OpenTelemetry: tracing is on when OTEL_EXPORTER_OTLP_ENDPOINT is set (the exporter reads the OTEL_*
    # variables itself).
    otel_endpoint: str = ""
    otel_service_name: str = "wispgate-portal"
    # Trusted documents (`bff.core.trusted`): manifests besides the web portal's own (mobile apps), whether
    # documents outside them may run in production, and the cost limit of those that may (0: none).
    trusted_documents: tuple[Path, ...] = ()
    allow_arbitrary_operations: bool = False
    graphiql_enabled: bool = False  # GRAPHIQL=true: GraphiQL (and introspection) in production too
    query_cost_limit: int = 0
    # HTTP requests one process serves at once; the next is answered 503 OVERLOADED (`bff.server.shedding`).
    # 32: at twice the dashboard's saturation (N = 50, bench/overload.py) the admitted pages' p99 was half of
    # 64's or less in every run (they share one event loop and one heap: more of them, slower each). A
    # smaller cap served that heavy page better still, but would refuse cheap requests a process can serve.
    max_in_flight: int = 32
    # The operator's name, colour, logo and support contacts (BRAND_*; `adapters.brand`): the portal's title,
    # colours, header and footer.
    brand: Brand = DEFAULT_BRAND
    # Which system answers the AAA port: the WISPGate core (AAA_URL) or a FreeRADIUS database
    # (AAA_BACKEND=freeradius, FREERADIUS_*; `adapters.freeradius`). `aaa.resilience` bounds either.
    aaa_backend: str = "wispgate"
    freeradius: FreeradiusConfig | None = None

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def arbitrary_operations(self) -> bool:
        """May documents that no manifest holds run? Always in development (GraphiQL); in production only
        when the operator opened the API."""
        return not self.production or self.allow_arbitrary_operations

    @property
    def portal_url(self) -> str:
        """The portal's absolute base URL for links that leave the portal (gateway return pages); "" when
        production has no PUBLIC_URL."""
        if self.public_url:
            return self.public_url
        return "" if self.production else DEV_PUBLIC_URL

    @property
    def allowed_return_origins(self) -> tuple[str, ...]:
        if self.return_url_origins:
            return self.return_url_origins
        return (origin_of(self.portal_url),) if self.portal_url else ()

    @property
    def metrics_open(self) -> bool:
        """/metrics and /healthz/backends answer without a token (development without METRICS_TOKEN)."""
        return not self.metrics_token and not self.production

    @property
    def tracing(self) -> bool:
        return bool(self.otel_endpoint)

    @property
    def graphiql(self) -> bool:
        """GraphiQL at GET /graphql: always in development; in production only when the operator asks."""
        return not self.production or self.graphiql_enabled

    @property
    def introspection(self) -> bool:
        # GraphiQL without introspection has no schema to explore or complete against.
        return self.graphiql

    @property
    def field_suggestions(self) -> bool:
        return not self.production

    def backend(self, name: str) -> BackendSettings:
        value: BackendSettings = getattr(self, name)
        return value


def origin_of(url: str) -> str:
    """`https://portal.example.net:8443/x?y` → `https://portal.example.net:8443` ("" when not http(s))."""
    try:
        parts = urlsplit(url)
        explicit_port = parts.port
    except ValueError:  # a malformed port or IPv6 literal
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    host = parts.hostname
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    default_port = 443 if parts.scheme == "https" else 80
    port = f":{explicit_port}" if explicit_port is not None and explicit_port != default_port else ""
    return f"{parts.scheme}://{host}{port}"


def _flag(source: Mapping[str, str], name: str, default: bool) -> bool:
    raw = source.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}")


def _redis_timeout(source: Mapping[str, str]) -> float:
    # Zero would mean "wait forever" to redis-py: every request would hang for as long as Redis does.
    value = _seconds(source, "REDIS_TIMEOUT_S", 1.0)
    if value <= 0:
        raise SettingsError("REDIS_TIMEOUT_S must be more than 0 seconds")
    return value


def _positive_int(source: Mapping[str, str], name: str, default: int) -> int:
    raw = source.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if value <= 0:
        raise SettingsError(f"{name} must be positive, not {value}")
    return value


def _positive_float(source: Mapping[str, str], name: str, default: float) -> float:
    raw = source.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, not {raw!r}") from None
    if not value > 0:
        raise SettingsError(f"{name} must be positive, not {raw!r}")
    return value


def _small_count(source: Mapping[str, str], name: str, default: int, most: int) -> int:
    """A whole number from 0 to `most`."""
    raw = source.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if not 0 <= value <= most:
        raise SettingsError(f"{name} must be between 0 and {most}, not {value}")
    return value


def _seconds(source: Mapping[str, str], name: str, default: float) -> float:
    """A duration that may be zero."""
    raw = source.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds, not {raw!r}") from None
    if not 0 <= value <= 600:
        raise SettingsError(f"{name} must be between 0 and 600 seconds, not {raw!r}")
    return value


def _choice(source: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    raw = (source.get(name) or "").strip()
    if not raw:
        return default
    for choice in choices:
        if raw.lower() == choice.lower():
            return choice
    raise SettingsError(f"{name} must be one of {', '.join(choices)}, not {raw!r}")


def _optional_secret(source: Mapping[str, str], name: str) -> str:
    value = source.get(name, "")
    if value and len(value.encode()) < MIN_SECRET_BYTES:
        raise SettingsError(
            f"{name} is too short: {len(value.encode())} bytes, at least {MIN_SECRET_BYTES} are required"
        )
    return value


def _secret(source: Mapping[str, str], name: str, production: bool) -> str:
    value = source.get(name, "")
    if not value:
        if production:
            raise SettingsError(f"{name} is required in production (at least {MIN_SECRET_BYTES} bytes)")
        return secrets.token_urlsafe(48)
    if len(value.encode()) < MIN_SECRET_BYTES:
        raise SettingsError(
            f"{name} is too short: {len(value.encode())} bytes, at least {MIN_SECRET_BYTES} are required"
        )
    return value


def _resilience(source: Mapping[str, str], prefix: str, default: ResilienceSettings) -> ResilienceSettings:
    return ResilienceSettings(
        deadline_s=_positive_float(source, f"{prefix}_DEADLINE_S", default.deadline_s),
        concurrency=_positive_int(source, f"{prefix}_CONCURRENCY", default.concurrency),
        breaker_failures=_positive_int(source, f"{prefix}_BREAKER_FAILURES", default.breaker_failures),
        breaker_cooldown_s=_positive_float(
            source, f"{prefix}_BREAKER_COOLDOWN_S", default.breaker_cooldown_s
        ),
        retries=_small_count(source, f"{prefix}_RETRIES", default.retries, 3),
    )


def _backend(source: Mapping[str, str], name: str) -> BackendSettings:
    prefix = name.upper()
    url = source.get(f"{prefix}_URL") or f"{SANDBOX_BASE}/{name}"
    if not url.startswith(("http://", "https://")):
        raise SettingsError(f"{prefix}_URL must be an http(s) URL, not {url!r}")
    defaults = BackendSettings(url="", api_key="")
    return BackendSettings(
        url=url.rstrip("/"),
        api_key=source.get(f"{prefix}_API_KEY") or SANDBOX_SERVICE_KEY,
        connect_timeout_s=_positive_float(source, f"{prefix}_CONNECT_TIMEOUT_S", defaults.connect_timeout_s),
        read_timeout_s=_positive_float(source, f"{prefix}_READ_TIMEOUT_S", defaults.read_timeout_s),
        resilience=_resilience(source, prefix, defaults.resilience),
    )


def _gateway(source: Mapping[str, str], production: bool) -> GatewaySettings:
    url = (source.get("GATEWAY_URL") or (STRIPE_API if production else SANDBOX_GATEWAY_URL)).rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise SettingsError(f"GATEWAY_URL must be an http(s) URL, not {url!r}")
    # Production has no sandbox fallback: without them, starting a payment or accepting a webhook is
    # refused (503) instead of talking to the gateway with somebody else's credentials.
    return GatewaySettings(
        url=url,
        secret_key=source.get("GATEWAY_SECRET_KEY") or ("" if production else SANDBOX_GATEWAY_SECRET_KEY),
        webhook_secret=source.get("GATEWAY_WEBHOOK_SECRET")
        or ("" if production else SANDBOX_GATEWAY_WEBHOOK_SECRET),
        connect_timeout_s=_positive_float(source, "GATEWAY_CONNECT_TIMEOUT_S", 3.0),
        read_timeout_s=_positive_float(source, "GATEWAY_READ_TIMEOUT_S", 20.0),
        resilience=_resilience(source, "GATEWAY", GatewaySettings().resilience),
    )


def _gateways(source: Mapping[str, str]) -> tuple[str, ...]:
    names = [n.strip().lower() for n in (source.get("GATEWAYS") or "stripe").split(",") if n.strip()]
    unknown = [n for n in names if n not in GATEWAY_NAMES]
    if not names or unknown or len(set(names)) != len(names):
        raise SettingsError(f"GATEWAYS must list some of {', '.join(GATEWAY_NAMES)} once each, not {names!r}")
    return tuple(names)


def _paypal(source: Mapping[str, str], production: bool, enabled: bool) -> PayPalSettings:
    url = (source.get("PAYPAL_URL") or (PAYPAL_API if production else SANDBOX_PAYPAL_URL)).rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise SettingsError(f"PAYPAL_URL must be an http(s) URL, not {url!r}")
    settings = PayPalSettings(
        url=url,
        client_id=source.get("PAYPAL_CLIENT_ID") or ("" if production else SANDBOX_PAYPAL_CLIENT_ID),
        client_secret=source.get("PAYPAL_CLIENT_SECRET")
        or ("" if production else SANDBOX_PAYPAL_CLIENT_SECRET),
        webhook_id=source.get("PAYPAL_WEBHOOK_ID") or ("" if production else SANDBOX_PAYPAL_WEBHOOK_ID),
        connect_timeout_s=_positive_float(source, "PAYPAL_CONNECT_TIMEOUT_S", 3.0),
        read_timeout_s=_positive_float(source, "PAYPAL_READ_TIMEOUT_S", 20.0),
        resilience=_resilience(source, "PAYPAL", PayPalSettings().resilience),
    )
    if enabled and not (settings.client_id and settings.client_secret and settings.webhook_id):
        # Without the webhook id no PayPal payment could be confirmed by webhook: refuse to start half-deaf.
        raise SettingsError(
            "GATEWAYS names paypal: PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET and PAYPAL_WEBHOOK_ID are required"
        )
    return settings


def _paths(source: Mapping[str, str], prefix: str, default: DataModelPaths) -> DataModelPaths:
    def path(name: str, fallback: str) -> str:
        value = (source.get(f"{prefix}_{name}_PATH") or fallback).strip()
        if not value or len(value) > 256 or value.startswith(".") or value.endswith(".") or " " in value:
            raise SettingsError(f"{prefix}_{name}_PATH must be a parameter path, not {value!r}")
        return value

    return DataModelPaths(
        model=path("MODEL", default.model),
        firmware=path("FIRMWARE", default.firmware),
        mac=path("MAC", default.mac),
    )


def _genieacs(source: Mapping[str, str], production: bool) -> GenieAcsSettings:
    raw_url = (source.get("GENIEACS_URL") or "").strip().rstrip("/")
    if raw_url and not raw_url.startswith(("http://", "https://")):
        raise SettingsError(f"GENIEACS_URL must be an http(s) URL, not {raw_url!r}")
    if not raw_url and production and (source.get("OSS_BACKEND") or "").strip().lower() == "genieacs":
        raise SettingsError("GENIEACS_URL is required in production when OSS_BACKEND=genieacs")
    # Without a URL: the sandbox's NBI and its credentials (development only).
    username = source.get("GENIEACS_USERNAME") or ("" if raw_url else SANDBOX_GENIEACS_USER)
    password = source.get("GENIEACS_PASSWORD") or ("" if raw_url else SANDBOX_SERVICE_KEY)
    match = _choice(source, "GENIEACS_DEVICE_MATCH", ("tag", "serial"), "tag")
    prefix = source.get("GENIEACS_TAG_PREFIX", "sub-")
    if len(prefix) > 64 or any(c.isspace() for c in prefix):
        raise SettingsError(f"GENIEACS_TAG_PREFIX must be a short tag prefix without spaces, not {prefix!r}")
    wait_ms = _small_count(source, "GENIEACS_SESSION_WAIT_MS", 0, 60_000)
    defaults = GenieAcsConfig(base_url="")
    read_timeout = _positive_float(source, "GENIEACS_READ_TIMEOUT_S", defaults.read_timeout_s)
    if wait_ms and read_timeout * 1000 <= wait_ms:
        raise SettingsError("GENIEACS_READ_TIMEOUT_S must be longer than GENIEACS_SESSION_WAIT_MS")
    config = GenieAcsConfig(
        base_url=raw_url or f"{SANDBOX_BASE}/genieacs",
        username=username,
        password=password,
        match=match,
        tag_prefix=prefix,
        inform_interval_s=_positive_float(source, "GENIEACS_INFORM_INTERVAL_S", defaults.inform_interval_s),
        tr181=_paths(source, "GENIEACS_TR181", TR181_PATHS),
        tr098=_paths(source, "GENIEACS_TR098", TR098_PATHS),
        session_wait_ms=wait_ms,
        connect_timeout_s=_positive_float(source, "GENIEACS_CONNECT_TIMEOUT_S", defaults.connect_timeout_s),
        read_timeout_s=read_timeout,
    )
    base = GenieAcsSettings()
    return GenieAcsSettings(
        config=config,
        task_poll_s=_positive_float(source, "GENIEACS_TASK_POLL_S", base.task_poll_s),
        task_follow_s=_positive_float(source, "GENIEACS_TASK_FOLLOW_S", base.task_follow_s),
        resilience=_resilience(source, "GENIEACS", base.resilience),
    )


def _attribute(source: Mapping[str, str], name: str, *, required: bool = False) -> str:
    value = (source.get(name) or "").strip()
    if required and not value:
        raise SettingsError(f"{name} is required")
    if value and not ZAMMAD_ATTRIBUTE.match(value):
        raise SettingsError(f"{name} must be a Zammad attribute name (a-z, 0-9, _), not {value!r}")
    return value


def _zammad(source: Mapping[str, str]) -> ZammadConfig:
    url = (source.get("ZAMMAD_URL") or "").strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise SettingsError(f"ZAMMAD_URL must be an http(s) URL when TICKETS_BACKEND=zammad, not {url!r}")
    token = (source.get("ZAMMAD_TOKEN") or "").strip()
    if not token:
        raise SettingsError("ZAMMAD_TOKEN (an agent's access token) is required when TICKETS_BACKEND=zammad")
    match = _choice(source, "ZAMMAD_CUSTOMER_MATCH", ("email", "field"), "email")
    rating = (source.get("ZAMMAD_RATING") or "tag").strip()
    rating_store, _, rating_field = rating.partition(":")
    if rating_store not in ("tag", "field") or (rating_store == "field") != bool(rating_field):
        raise SettingsError(f"ZAMMAD_RATING must be tag or field:<ticket attribute>, not {rating!r}")
    if rating_field:
        rating_field = _attribute({"ZAMMAD_RATING": rating_field}, "ZAMMAD_RATING")
    try:
        states = parse_mapping(source.get("ZAMMAD_STATES", ""), TICKET_STATUSES, name="ZAMMAD_STATES")
        priorities = parse_mapping(
            source.get("ZAMMAD_PRIORITIES", ""), TICKET_PRIORITIES, name="ZAMMAD_PRIORITIES"
        )
        groups = {**DEFAULT_GROUPS, **parse_groups(source.get("ZAMMAD_GROUPS", ""), name="ZAMMAD_GROUPS")}
        config = ZammadConfig(
            url=url,
            token=token,
            webhook_secret=_optional_secret(source, "ZAMMAD_WEBHOOK_SECRET"),
            connect_timeout_s=_positive_float(source, "ZAMMAD_CONNECT_TIMEOUT_S", 1.0),
            read_timeout_s=_positive_float(source, "ZAMMAD_READ_TIMEOUT_S", 5.0),
            customer_match="field" if match == "field" else "email",
            customer_field=_attribute(source, "ZAMMAD_CUSTOMER_FIELD", required=match == "field"),
            states=states or dict(DEFAULT_STATES),
            priorities=priorities or dict(DEFAULT_PRIORITIES),
            groups=groups,
            rating_store="field" if rating_store == "field" else "tag",
            rating_field=rating_field,
            subservice_field=_attribute(source, "ZAMMAD_SUBSERVICE_FIELD"),
            portal_user_field=_attribute(source, "ZAMMAD_PORTAL_USER_FIELD"),
            first_response_minutes=_positive_int(source, "ZAMMAD_FIRST_RESPONSE_MINUTES", 8 * 60),
            resolution_minutes=_positive_int(source, "ZAMMAD_RESOLUTION_MINUTES", 3 * 24 * 60),
        )
        # The adapter writes these two: a mapping without them could not close or reopen a ticket.
        config.state_for("CLOSED")
        config.state_for("IN_PROGRESS")
    except ConfigError as exc:
        raise SettingsError(str(exc)) from None
    return config


def _tickets(source: Mapping[str, str]) -> TicketsSettings:
    backend = _choice(source, "TICKETS_BACKEND", TICKETS_BACKENDS, "wispgate")
    if backend == "wispgate":
        return TicketsSettings()
    return TicketsSettings(
        backend=backend,
        zammad=_zammad(source),
        resilience=_resilience(source, "ZAMMAD", TicketsSettings().resilience),
    )


def _brand(source: Mapping[str, str]) -> Brand:
    try:
        return load_brand(source)
    except BrandError as exc:
        raise SettingsError(str(exc)) from None


def _origins(source: Mapping[str, str], name: str) -> tuple[str, ...]:
    origins: list[str] = []
    for raw in source.get(name, "").split(","):
        value = raw.strip().rstrip("/")
        if not value:
            continue
        origin = origin_of(value)
        if origin != value:
            raise SettingsError(f"{name} must list origins like https://portal.example.net, not {value!r}")
        origins.append(origin)
    return tuple(origins)


def _require_event_secrets(settings: Settings) -> Settings:
    """Production without the secrets that verify inbound events would never settle a payment nor hear
    from the core: refuse to start rather than run half-deaf."""
    if not settings.production:
        return settings
    if settings.gateway.secret_key and not settings.gateway.webhook_secret:
        raise SettingsError(
            "GATEWAY_WEBHOOK_SECRET is required in production when payments are on (GATEWAY_SECRET_KEY "
            "is set): without it no payment would ever be confirmed"
        )
    if not settings.core_events_secret:
        raise SettingsError(
            "CORE_EVENTS_SECRET is required in production: without it the core's events (invoices, service "
            "status, user changes) are refused"
        )
    for name, value in (
        ("GATEWAY_WEBHOOK_SECRET", settings.gateway.webhook_secret),
        ("CORE_EVENTS_SECRET", settings.core_events_secret),
    ):
        if value and len(value.encode()) < MIN_SECRET_BYTES:
            raise SettingsError(f"{name} must be at least {MIN_SECRET_BYTES} bytes")
    return settings


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read the configuration from `env` (default: the process environment). Raises `SettingsError`."""
    source = os.environ if env is None else env
    mode = (source.get("WISPGATE_ENV") or "development").strip().lower()
    if mode not in ("development", "production"):
        raise SettingsError(f"WISPGATE_ENV must be development or production, not {mode!r}")
    production = mode == "production"
    origins = tuple(o.strip().rstrip("/") for o in source.get("ALLOWED_ORIGINS", "").split(",") if o.strip())
    public_url = source.get("PUBLIC_URL", "").strip().rstrip("/")
    if public_url and not public_url.startswith(("http://", "https://")):
        raise SettingsError(f"PUBLIC_URL must be an http(s) URL, not {public_url!r}")
    defaults = GraphQLLimits()
    uploads = UploadLimits()
    settings = Settings(
        env=mode,
        billing=_backend(source, "billing"),
        crm=_backend(source, "crm"),
        aaa=_backend(source, "aaa"),
        oss=_backend(source, "oss"),
        jwt_secret=_secret(source, "JWT_SECRET", production),
        jwt_issuer=source.get("JWT_ISSUER") or "wispgate-portal",
        jwt_audience=source.get("JWT_AUDIENCE") or "wispgate-portal",
        access_ttl=timedelta(seconds=_positive_int(source, "ACCESS_TOKEN_TTL_S", 600)),
        refresh_ttl=timedelta(seconds=_positive_int(source, "REFRESH_TOKEN_TTL_S", 30 * 24 * 3600)),
        redis_url=source.get("REDIS_URL") or None,
        redis_prefix=source.get("REDIS_PREFIX") or "wg:",
        redis_pool_size=_positive_int(source, "REDIS_POOL_SIZE", 32),
        redis_pool_timeout_s=_seconds(source, "REDIS_POOL_TIMEOUT_S", 2.0),
        redis_timeout_s=_redis_timeout(source),
        allowed_origins=origins,
        public_url=public_url,
        cookie_secure=_flag(source, "COOKIE_SECURE", production),
        files_signing_key=_secret(source, "FILES_SIGNING_KEY", production),
        file_link_ttl=timedelta(seconds=_positive_int(source, "FILE_LINK_TTL_S", 300)),
        core_events_secret=source.get("CORE_EVENTS_SECRET") or ("" if production else SANDBOX_EVENTS_SECRET),
        web_dist=Path(source.get("WEB_DIST") or "web/dist"),
        limits=GraphQLLimits(
            max_depth=_positive_int(source, "GRAPHQL_MAX_DEPTH", defaults.max_depth),
            max_aliases=_positive_int(source, "GRAPHQL_MAX_ALIASES", defaults.max_aliases),
            max_tokens=_positive_int(source, "GRAPHQL_MAX_TOKENS", defaults.max_tokens),
            max_body_bytes=_positive_int(source, "GRAPHQL_MAX_BODY_BYTES", defaults.max_body_bytes),
            max_multipart_bytes=_positive_int(
                source, "GRAPHQL_MAX_MULTIPART_BYTES", defaults.max_multipart_bytes
            ),
            max_variable_values=_positive_int(
                source, "GRAPHQL_MAX_VARIABLE_VALUES", defaults.max_variable_values
            ),
            max_variable_depth=_positive_int(
                source, "GRAPHQL_MAX_VARIABLE_DEPTH", defaults.max_variable_depth
            ),
            max_variable_list=_positive_int(source, "GRAPHQL_MAX_VARIABLE_LIST", defaults.max_variable_list),
            max_selections=_positive_int(source, "GRAPHQL_MAX_SELECTIONS", defaults.max_selections),
            max_field_pairs=_positive_int(source, "GRAPHQL_MAX_FIELD_PAIRS", defaults.max_field_pairs),
        ),
        uploads=UploadLimits(
            max_file_bytes=_positive_int(source, "SUPPORT_MAX_FILE_BYTES", uploads.max_file_bytes),
            max_files_per_message=_positive_int(
                source, "SUPPORT_MAX_FILES_PER_MESSAGE", uploads.max_files_per_message
            ),
            max_files_per_ticket=_positive_int(
                source, "SUPPORT_MAX_FILES_PER_TICKET", uploads.max_files_per_ticket
            ),
        ),
        login_free_attempts=_positive_int(source, "LOGIN_FREE_ATTEMPTS", 5),
        login_max_delay=timedelta(seconds=_positive_int(source, "LOGIN_MAX_DELAY_S", 15 * 60)),
        login_address_failures=_positive_int(source, "LOGIN_ADDRESS_FAILURES", 30),
        login_window=timedelta(seconds=_positive_int(source, "LOGIN_WINDOW_S", 15 * 60)),
        login_global_failures_per_minute=_positive_int(source, "LOGIN_GLOBAL_FAILURES_PER_MINUTE", 300),
        forwarded_allow_ips=source.get("FORWARDED_ALLOW_IPS", "").strip(),
        csp_connect_src=_origins(source, "CSP_CONNECT_SRC"),
        gateway=_gateway(source, production),
        gateways=(gateways := _gateways(source)),
        paypal=_paypal(source, production, "paypal" in gateways),
        oss_backend=_choice(source, "OSS_BACKEND", OSS_BACKENDS, "wispgate"),
        genieacs=_genieacs(source, production),
        tickets=_tickets(source),
        return_url_origins=_origins(source, "RETURN_URL_ORIGINS"),
        log_format=_choice(source, "LOG_FORMAT", LOG_FORMATS, "json" if production else "text"),
        log_level=_choice(source, "LOG_LEVEL", LOG_LEVELS, "INFO"),
        metrics_token=_optional_secret(source, "METRICS_TOKEN"),
        # A production load balancer needs a few health-check intervals to see /readyz fail.
        shutdown_drain_s=_seconds(source, "SHUTDOWN_DRAIN_S", 5.0 if production else 0.0),
        otel_endpoint=(source.get("OTEL_EXPORTER_OTLP_ENDPOINT") or "").strip(),
        otel_service_name=(source.get("OTEL_SERVICE_NAME") or "").strip() or "wispgate-portal",
        trusted_documents=tuple(
            Path(p.strip()) for p in source.get("TRUSTED_DOCUMENTS", "").split(",") if p.strip()
        ),
        allow_arbitrary_operations=_flag(source, "ALLOW_ARBITRARY_OPERATIONS", False),
        graphiql_enabled=_flag(source, "GRAPHIQL", False),
        # Off in development unless set: GraphiQL and tests explore freely there.
        query_cost_limit=_positive_int(
            source, "QUERY_COST_LIMIT", DEFAULT_QUERY_COST_LIMIT if production else 0
        ),
        max_in_flight=_positive_int(source, "MAX_IN_FLIGHT", 32),
        brand=_brand(source),
        aaa_backend=_choice(source, "AAA_BACKEND", AAA_BACKENDS, "wispgate"),
    )
    if settings.aaa_backend == "freeradius":
        from bff.core.freeradius_settings import load_freeradius

        try:
            settings = replace(settings, freeradius=load_freeradius(source))
        except ValueError as exc:
            raise SettingsError(str(exc)) from None
    return _require_event_secrets(settings)
