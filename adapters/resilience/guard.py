"""`Guard`: what every call to one backend goes through, in this order:

1. the circuit breaker (`breaker`): open → `CircuitOpen` at once, nothing sent, no slot taken;
2. the deadline: one `asyncio.timeout` around everything below, so a call costs at most `deadline_s`
   whatever the backend does (hangs, trickles bytes, refuses and is retried);
3. the bulkhead (`bulkhead`): a slot among `concurrency`; a wait that outlives the deadline → `Overloaded`;
4. the attempts: the call, then at most `retry.retries` more if it may be repeated (`retry.retryable`),
   the budget allows it and the breaker is still closed, each after a jittered pause;
5. the verdict for the breaker: transport failures, timeouts and 5xx (`Unavailable`) count against the
   backend; any other answer (404, 4xx, even an answer outside the contract) proves it is up; a call that
   ended for reasons of our own (cancelled, bulkhead full) counts neither way;
6. one report to the observer (`adapters.observe`): latency and outcome, and the breaker's changes.

Every failure is an `adapters.errors.Unavailable` with a `reason`, which the schema maps to
BACKEND_UNAVAILABLE. The state (breaker, bulkhead, retry budget) is per `Guard` instance, one per backend
per process; the clock, the jitter and the sleep are injected so tests need not wait.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from adapters.errors import (
    BackendError,
    CircuitOpen,
    ContractViolation,
    NotFound,
    Overloaded,
    TimedOut,
    Unavailable,
)
from adapters.observe import CallObserver, NoObserver
from adapters.resilience.breaker import BreakerPolicy, CircuitBreaker, Clock, State
from adapters.resilience.bulkhead import Bulkhead
from adapters.resilience.retry import RetryBudget, RetryPolicy, pause

T = TypeVar("T")

LAST_MOMENT_S = 0.05  # less than this left of the deadline (or a quarter of it) when the slot comes: not sent


@dataclass(frozen=True, slots=True)
class Policy:
    deadline_s: float = 2.0  # one call, retries and the wait for a slot included
    concurrency: int = 32  # calls in flight to this backend from this process
    breaker: BreakerPolicy = field(default_factory=BreakerPolicy)
    retry: RetryPolicy = field(default_factory=RetryPolicy)


def outcome_of(error: BackendError) -> str:
    """The word the metrics count for a failed call."""
    if isinstance(error, Unavailable):
        return error.reason
    if isinstance(error, NotFound):
        return "not_found"
    if isinstance(error, ContractViolation):
        return "contract_violation"
    return "rejected"


class Guard:
    def __init__(
        self,
        backend: str,
        policy: Policy | None = None,
        *,
        observer: CallObserver | None = None,
        clock: Clock = time.monotonic,
        rand: Callable[[], float] = random.random,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.backend = backend
        self.policy = policy if policy is not None else Policy()
        self.observer: CallObserver = observer if observer is not None else NoObserver()
        self.breaker = CircuitBreaker(
            backend, self.policy.breaker, clock=clock, on_change=self.observer.breaker_changed
        )
        self.bulkhead = Bulkhead(self.policy.concurrency)
        self.budget = RetryBudget(self.policy.retry.ratio, self.policy.retry.reserve)
        self._rand = rand
        self._sleep = sleep
        self.observer.breaker_changed(backend, State.CLOSED.value)

    async def run(
        self,
        operation: str,
        attempt: Callable[[], Awaitable[T]],
        *,
        retryable: bool,
        deadline_s: float | None = None,
    ) -> T:
        """`attempt()` under the breaker, the deadline (the policy's unless `deadline_s` is given) and the
        bulkhead, repeated on `Unavailable` only when `retryable`. `operation` ("GET /v1/…") names the call
        in messages and metrics."""
        started = time.perf_counter()
        try:
            result = await self._guarded(operation, attempt, retryable, deadline_s or self.policy.deadline_s)
        except BackendError as exc:
            self.observer.call_finished(
                self.backend, operation, time.perf_counter() - started, outcome_of(exc)
            )
            raise
        self.observer.call_finished(self.backend, operation, time.perf_counter() - started, "ok")
        return result

    async def _guarded(
        self, operation: str, attempt: Callable[[], Awaitable[T]], retryable: bool, deadline_s: float
    ) -> T:
        probe = self.breaker.admit()  # raises CircuitOpen: nothing sent, no slot taken
        sent = False
        timeout = asyncio.timeout(deadline_s)
        try:
            try:
                async with timeout, self.bulkhead.slot():
                    if self._too_late(timeout, deadline_s):
                        raise Overloaded(
                            self.backend,
                            f"{operation}: got a slot among {self.bulkhead.limit} with its deadline all but spent",
                        )
                    sent = True
                    result = await self._attempts(attempt, retryable and not probe)
            except TimeoutError:
                if timeout.expired() and not sent:
                    raise Overloaded(
                        self.backend,
                        f"{operation}: {self.bulkhead.limit} calls were in flight for {deadline_s:g} s",
                    ) from None
                # Our deadline, or a timeout of the transport's own that escaped its error mapping: either
                # way the backend did not answer in time, and no caller sees a bare TimeoutError.
                raise TimedOut(self.backend, f"{operation}: no answer within {deadline_s:g} s") from None
        except (CircuitOpen, Overloaded):
            self.breaker.released(probe)
            raise
        except Unavailable:
            self.breaker.failed(probe)
            raise
        except BackendError:
            self.breaker.succeeded(probe)  # the backend answered, if only to say no
            raise
        except BaseException:
            self.breaker.released(probe)  # cancelled by our caller, or a bug of ours: says nothing
            raise
        self.breaker.succeeded(probe)
        return result

    @staticmethod
    def _too_late(timeout: asyncio.Timeout, deadline_s: float) -> bool:
        """A call that waited for its slot until its deadline was all but spent is not sent: no answer could
        come in time, and sending it would hold a socket to a backend that is already slow. When a hung
        backend's calls time out together, this keeps the waiters woken in that instant from going out."""
        when = timeout.when()
        left = float("inf") if when is None else when - asyncio.get_running_loop().time()
        return left < min(LAST_MOMENT_S, deadline_s / 4)

    async def _attempts(self, attempt: Callable[[], Awaitable[T]], retryable: bool) -> T:
        self.budget.deposit()
        retries = self.policy.retry.retries if retryable else 0
        done = 0
        failed: Unavailable | None = None
        while True:
            # A breaker that opened meanwhile (other calls failed too) means the backend is down: a retry
            # would only add to its load. Checked before the pause and again after it.
            if failed is not None and self.breaker.state is not State.CLOSED:
                raise failed
            try:
                return await attempt()
            except Unavailable as exc:
                # The budget caps retries across all calls to the backend.
                if done >= retries or self.breaker.state is not State.CLOSED or not self.budget.withdraw():
                    raise
                failed = exc
            done += 1
            await self._sleep(pause(done, self.policy.retry.backoff_s, self._rand))
