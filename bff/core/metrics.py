"""The BFF's Prometheus metrics: GraphQL operations, backend calls and breakers, webhook outcomes, open
WebSockets and the bus's lag, in one registry per app (`/metrics` serves it).

With several worker processes (`wispgate serve --workers N`) every process writes its samples to files in
`PROMETHEUS_MULTIPROC_DIR` (prometheus_client's multiprocess mode, set up by the CLI before any worker
starts) and `/metrics`, whichever worker answers it, reads all of them: one instance, one set of series.
Gauges say how they add up across processes (`multiprocess_mode`); counters and histograms simply add.

Label values that a client or another system chooses (operation names, backend operations) are bounded:
truncated, and after a fixed number of distinct values every new one is counted as "other", so neither
an attacker inventing operation names nor a backend path with ids in it can grow the series without limit.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

from adapters.observe import CallObserver
from bff.core.settings import BACKENDS

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST

OTHER = "other"
ANONYMOUS = "anonymous"  # an operation without a name
UNKNOWN = "unknown"  # a request whose document did not parse or validate: its names are not believed
LABEL_WIDTH = 64
MAX_OPERATION_NAMES = 100
MAX_BACKEND_OPERATIONS = 300
MAX_BACKENDS = 16

BREAKER_STATES = ("closed", "half_open", "open")
CALL_OUTCOMES = frozenset(
    {
        "ok",
        "not_found",
        "rejected",
        "unavailable",
        "timeout",
        "circuit_open",
        "contract_violation",
        "overloaded",
    }
)
WEBHOOK_SOURCES = ("gateway", "paypal", "core")
_WORD = re.compile(r"[a-z][a-z0-9_]{0,31}")
_CODE = re.compile(r"[A-Z][A-Z0-9_]{0,39}")

# Seconds. Operations: from a cached-document hit (~ms) to the backend deadlines (s).
OPERATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
CALL_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
LAG_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0)


class LabelCap:
    """The first `limit` distinct values pass (truncated to `width`); later new ones become "other"."""

    def __init__(self, limit: int, width: int = LABEL_WIDTH) -> None:
        self.limit = limit
        self.width = width
        self._seen: set[str] = set()
        self._lock = threading.Lock()  # prometheus_client is thread-safe; so is this, for the same callers

    def __call__(self, value: str) -> str:
        value = value[: self.width]
        if value in self._seen:
            return value
        with self._lock:
            if len(self._seen) < self.limit:
                self._seen.add(value)
                return value
        return OTHER


def word(value: str) -> str:
    """A lower-case outcome word as it is, anything else as "other"."""
    return value if _WORD.fullmatch(value) else OTHER


def code(value: object) -> str:
    """An upper-case error code as it is, anything else as "OTHER"."""
    return value if isinstance(value, str) and _CODE.fullmatch(value) else "OTHER"


def multiprocess_dir() -> str | None:
    """The directory prometheus_client's multiprocess mode writes to, when the CLI set one up."""
    return os.environ.get(MULTIPROC_ENV) or None


class Metrics:
    """Every metric of one app. `multiproc_dir` (default: `PROMETHEUS_MULTIPROC_DIR`) makes `exposition()`
    read every process's samples; None reads this registry only."""

    def __init__(self, backends: Iterable[str] = BACKENDS, *, multiproc_dir: str | None = None) -> None:
        self.multiproc_dir = multiproc_dir if multiproc_dir is not None else multiprocess_dir()
        self.registry = CollectorRegistry()
        r = self.registry
        self.operation_seconds = Histogram(
            "wispgate_graphql_operation_seconds",
            "GraphQL queries and mutations: time from parsing to the result, by operation name",
            ["operation", "type"],
            buckets=OPERATION_BUCKETS,
            registry=r,
        )
        self.operation_errors = Counter(
            "wispgate_graphql_operation_errors",
            "Errors in GraphQL results, by operation name and extensions.code",
            ["operation", "code"],
            registry=r,
        )
        self.backend_call_seconds = Histogram(
            "wispgate_backend_call_seconds",
            "Calls to the backends, by backend and operation",
            ["backend", "operation"],
            buckets=CALL_BUCKETS,
            registry=r,
        )
        self.backend_calls = Counter(
            "wispgate_backend_calls",
            "Calls to the backends, by backend, operation and outcome",
            ["backend", "operation", "outcome"],
            registry=r,
        )
        self.breaker_state = Gauge(
            "wispgate_backend_breaker_state",
            "Worker processes whose circuit breaker of this backend is in this state",
            ["backend", "state"],
            multiprocess_mode="livesum",
            registry=r,
        )
        self.webhook_events = Counter(
            "wispgate_webhook_events",
            "Signed inbound events (gateway webhooks, core events), by source and what was answered",
            ["source", "outcome"],
            registry=r,
        )
        self.open_websockets = Gauge(
            "wispgate_open_websockets",
            "WebSocket connections open now",
            multiprocess_mode="livesum",
            registry=r,
        )
        self.bus_lag_seconds = Histogram(
            "wispgate_bus_lag_seconds",
            "Event bus: time from publishing an event to its delivery in this instance",
            buckets=LAG_BUCKETS,
            registry=r,
        )
        self.workers = Gauge(
            "wispgate_workers",
            "Worker processes serving (the instance's, with --workers N)",
            multiprocess_mode="livesum",
            registry=r,
        )
        self.shed_requests = Counter(
            "wispgate_http_shed_requests",
            "HTTP requests answered 503 OVERLOADED because MAX_IN_FLIGHT requests were already in flight",
            registry=r,
        )
        self._operation_names = LabelCap(MAX_OPERATION_NAMES)
        self._backends = LabelCap(MAX_BACKENDS)
        self._breakers: dict[str, str] = {}
        # What the backend clients report to (`adapters.observe`).
        self.calls: CallObserver = PrometheusCallObserver(self)
        for backend in backends:
            self.calls.breaker_changed(backend, "closed")

    # -- GraphQL ------------------------------------------------------------------------------------------

    def operation_label(self, name: str | None) -> str:
        """The label of an operation name taken from a document that parsed and validated."""
        if not name:
            return ANONYMOUS
        return self._operation_names(name)

    def operation_finished(self, operation: str, kind: str, seconds: float, codes: Iterable[str]) -> None:
        """`operation` is already a label (`operation_label`, `UNKNOWN`); `codes` the errors' codes."""
        self.operation_seconds.labels(operation, kind).observe(seconds)
        for error_code in codes:
            self.operation_errors.labels(operation, code(error_code)).inc()

    # -- the rest -----------------------------------------------------------------------------------------

    def webhook(self, source: str, outcome: str) -> None:
        self.webhook_events.labels(source, word(outcome)).inc()

    def request_shed(self) -> None:
        self.shed_requests.inc()

    def websocket_opened(self) -> None:
        self.open_websockets.inc()

    def websocket_closed(self) -> None:
        self.open_websockets.dec()

    def bus_delivered(self, lag_s: float) -> None:
        self.bus_lag_seconds.observe(max(lag_s, 0.0))

    def backend_label(self, backend: str) -> str:
        return self._backends(backend)

    def breaker_states(self) -> dict[str, str]:
        """This process's last known breaker state per backend."""
        return dict(self._breakers)

    def record_breaker(self, backend: str, state: str) -> None:
        label = self.backend_label(backend)
        state = state if state in BREAKER_STATES else OTHER
        self._breakers[label] = state
        for each in BREAKER_STATES:
            self.breaker_state.labels(label, each).set(1 if each == state else 0)

    # -- exposition ---------------------------------------------------------------------------------------

    def exposition(self) -> bytes:
        """The text format of every sample: this registry's, or every worker's in multiprocess mode."""
        if self.multiproc_dir is None:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=self.multiproc_dir)  # type: ignore[no-untyped-call]
        return generate_latest(registry)

    def start(self) -> None:
        """At the start of the app's lifespan: one more worker serving."""
        self.workers.inc()

    def close(self) -> None:
        """At the end of the app's lifespan: this process's live gauges (workers, breakers, WebSockets) no
        longer count in the instance's sums."""
        self.workers.dec()
        if self.multiproc_dir is not None:
            mark_process_dead(os.getpid(), self.multiproc_dir)  # type: ignore[no-untyped-call]


class PrometheusCallObserver:
    """The `adapters.observe.CallObserver` the backend clients report to."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics
        self._operations = LabelCap(MAX_BACKEND_OPERATIONS)

    def call_finished(self, backend: str, operation: str, seconds: float, outcome: str) -> None:
        m = self._metrics
        label = m.backend_label(backend)
        op = self._operations(operation)
        m.backend_call_seconds.labels(label, op).observe(seconds)
        m.backend_calls.labels(label, op, outcome if outcome in CALL_OUTCOMES else OTHER).inc()

    def breaker_changed(self, backend: str, state: str) -> None:
        self._metrics.record_breaker(backend, state)
