"""Retries: which calls may be sent again, how long to wait first, and a budget so that retries cannot
multiply the load on a backend that is already failing.

Only a call that cannot change anything twice is retried: a read (GET, or a batch read that the client
marks idempotent), or a write that carries an `Idempotency-Key` the backend honours. A payment is never
sent twice without one. Retries happen inside the call's deadline (`adapters.resilience.guard`), after a
jittered pause, and only for `Unavailable` (refused, reset, lost answer, 5xx): a 4xx is an answer.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
IDEMPOTENCY_HEADER = "idempotency-key"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    retries: int = 1  # extra attempts per call, at most
    backoff_s: float = 0.05  # the first pause; each next one doubles, each jittered to 50–100 %
    # The budget: every call earns `ratio` of a retry and a retry spends a whole one, so in an outage
    # retries add at most `ratio` to the calls sent (plus `reserve`, what a quiet backend keeps in hand).
    ratio: float = 0.1
    reserve: float = 10.0


def retryable(method: str, headers: Mapping[str, str] | None = None) -> bool:
    """May a request be sent again? Reads yes; writes only with an idempotency key."""
    if method.upper() in SAFE_METHODS:
        return True
    return any(name.lower() == IDEMPOTENCY_HEADER and value for name, value in (headers or {}).items())


def pause(attempt: int, base_s: float, rand: Callable[[], float] = random.random) -> float:
    """Seconds to wait before retry number `attempt` (1, 2, …): base × 2^(attempt-1), jittered to 50–100 %
    so that the callers of a backend that failed them all at once do not come back all at once."""
    full: float = base_s * 2.0 ** (attempt - 1)
    return full * (0.5 + rand() / 2)


class RetryBudget:
    """A token bucket of retries shared by every call to one backend (see `RetryPolicy`)."""

    def __init__(self, ratio: float, reserve: float) -> None:
        self.ratio = ratio
        self.cap = max(reserve, 1.0)
        self._tokens = self.cap

    @property
    def tokens(self) -> float:
        return self._tokens

    def deposit(self) -> None:
        """A call started."""
        self._tokens = min(self.cap, self._tokens + self.ratio)

    def withdraw(self) -> bool:
        """May one more retry be sent now?"""
        if self._tokens >= 1.0 - 1e-9:  # ten deposits of 0.1 make 0.999…
            self._tokens -= 1.0
            return True
        return False
