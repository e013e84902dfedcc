"""A circuit breaker per backend: after repeated failures, calls fail at once instead of waiting on a
backend that is known to be down, and one probe at a time finds out when it is back.

    closed ──(`failures` consecutive failures)──► open ──(`cooldown_s` passed)──► half_open
      ▲                                            ▲                                  │ one call (the probe)
      └──────────────(the probe succeeds)──────────┼──────────────────────────────────┤ goes through; others
                                                   └────────(the probe fails)─────────┘ fail at once

What counts is decided by the caller (`adapters.resilience.guard`): only transport failures, timeouts and
5xx are failures; a 404 or a 422 is an answer, which proves the backend is up. A call that ends without a
verdict (cancelled by its client, refused by the bulkhead) releases the probe slot without changing the state.

Written here rather than taken from a library (the reasons are in docs/architecture.md, "Choices made"):
the state is plain attributes on one instance per backend, the clock is injected (tests step it instead of
sleeping), and admitting a call costs a comparison, not a lock or an await.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass

from adapters.errors import CircuitOpen

Clock = Callable[[], float]  # seconds, monotonic


class State(enum.StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True, slots=True)
class BreakerPolicy:
    failures: int = 5  # consecutive failed calls that open the breaker
    cooldown_s: float = 5.0  # how long it stays open before one probe may go through


class CircuitBreaker:
    def __init__(
        self,
        backend: str,
        policy: BreakerPolicy = BreakerPolicy(),
        *,
        clock: Clock = time.monotonic,
        on_change: Callable[[str, str], None] | None = None,
    ) -> None:
        self.backend = backend
        self.policy = policy
        self._clock = clock
        self._on_change = on_change
        self._state = State.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._probing = False

    @property
    def state(self) -> State:
        """The state as a caller would find it now (open turns half-open once the cool-down has passed)."""
        if self._state is State.OPEN and self._clock() - self._opened_at >= self.policy.cooldown_s:
            return State.HALF_OPEN
        return self._state

    def admit(self) -> bool:
        """Let a call through, or raise `CircuitOpen`. True when the call is the half-open probe: the caller
        must then report it (`succeeded`, `failed` or `released`) whatever happens."""
        if self._state is State.CLOSED:
            return False
        if self.state is State.HALF_OPEN and not self._probing:
            self._move(State.HALF_OPEN)
            self._probing = True
            return True
        wait = max(0.0, self.policy.cooldown_s - (self._clock() - self._opened_at))
        detail = f"retrying in {wait:.1f} s" if self._state is State.OPEN else "a probe is in flight"
        raise CircuitOpen(self.backend, f"circuit open after repeated failures ({detail})")

    def succeeded(self, probe: bool) -> None:
        if probe:
            self._probing = False
            self._failures = 0
            self._move(State.CLOSED)
        elif self._state is State.CLOSED:
            self._failures = 0
        # A success of a call admitted before the breaker opened says little about now: the probe decides.

    def failed(self, probe: bool) -> None:
        if probe:
            self._probing = False
            self._open()
        elif self._state is State.CLOSED:
            self._failures += 1
            if self._failures >= self.policy.failures:
                self._open()

    def released(self, probe: bool) -> None:
        """The call ended without telling anything about the backend; the next call may probe."""
        if probe:
            self._probing = False

    def _open(self) -> None:
        self._opened_at = self._clock()
        self._failures = 0
        self._move(State.OPEN)

    def _move(self, state: State) -> None:
        changed = state is not self._state
        self._state = state
        if changed and self._on_change is not None:
            self._on_change(self.backend, state.value)
