"""Retries: which calls may be repeated, the jittered pause, the budget, and the guard that applies them
(with an injected sleep, so nothing waits)."""

from __future__ import annotations

import pytest

from adapters.errors import NotFound, Rejected, Unavailable
from adapters.resilience.breaker import BreakerPolicy
from adapters.resilience.guard import Guard, Policy
from adapters.resilience.retry import RetryBudget, RetryPolicy, pause, retryable


def test_reads_are_retryable_writes_only_with_an_idempotency_key() -> None:
    assert retryable("GET") and retryable("get") and retryable("HEAD")
    assert not retryable("POST") and not retryable("POST", {"content-type": "application/json"})
    assert retryable("POST", {"Idempotency-Key": "evt_1:payment"})
    assert not retryable("POST", {"Idempotency-Key": ""})
    assert not retryable("DELETE")


def test_pause_doubles_and_is_jittered_between_half_and_all() -> None:
    assert pause(1, 0.05, rand=lambda: 0.0) == pytest.approx(0.025)
    assert pause(1, 0.05, rand=lambda: 1.0) == pytest.approx(0.05)
    assert pause(3, 0.05, rand=lambda: 1.0) == pytest.approx(0.2)


def test_the_budget_allows_the_reserve_then_a_share_of_the_calls() -> None:
    budget = RetryBudget(ratio=0.1, reserve=2)
    assert budget.withdraw() and budget.withdraw()
    assert not budget.withdraw()
    for _ in range(9):
        budget.deposit()
    assert not budget.withdraw()  # 0.9 of a retry
    budget.deposit()
    assert budget.withdraw() and not budget.withdraw()


class Backend:
    """An attempt that fails `failures` times with `error`, then answers."""

    def __init__(self, failures: int, error: Exception | None = None) -> None:
        self.failures = failures
        self.error = error or Unavailable("billing", "answered 503")
        self.attempts = 0

    async def __call__(self) -> str:
        self.attempts += 1
        if self.attempts <= self.failures:
            raise self.error
        return "answer"


def guard(retry: RetryPolicy | None = None, failures: int = 100) -> tuple[Guard, list[float]]:
    pauses: list[float] = []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)

    policy = Policy(retry=retry or RetryPolicy(), breaker=BreakerPolicy(failures=failures))
    return Guard("billing", policy, rand=lambda: 1.0, sleep=sleep), pauses


async def test_a_failed_read_is_retried_once_after_a_pause() -> None:
    g, pauses = guard()
    backend = Backend(failures=1)

    assert await g.run("GET /v1/x", backend, retryable=True) == "answer"

    assert backend.attempts == 2 and pauses == [0.05]


async def test_a_write_without_a_key_is_never_retried() -> None:
    g, pauses = guard(RetryPolicy(retries=3))
    backend = Backend(failures=1)

    with pytest.raises(Unavailable):
        await g.run("POST /v1/payments", backend, retryable=False)

    assert backend.attempts == 1 and pauses == []


async def test_at_most_the_policys_retries() -> None:
    g, pauses = guard(RetryPolicy(retries=2))
    backend = Backend(failures=10)

    with pytest.raises(Unavailable):
        await g.run("GET /v1/x", backend, retryable=True)

    assert backend.attempts == 3 and pauses == [0.05, 0.1]


@pytest.mark.parametrize(
    "error", [NotFound("billing", "no such invoice"), Rejected("billing", "INVALID", "bad amount")]
)
async def test_answers_are_not_retried(error: Exception) -> None:
    g, _ = guard()
    backend = Backend(failures=1, error=error)

    with pytest.raises(type(error)):
        await g.run("GET /v1/x", backend, retryable=True)

    assert backend.attempts == 1


async def test_in_an_outage_retries_add_at_most_the_budget() -> None:
    g, _ = guard(RetryPolicy(retries=1, ratio=0.1, reserve=5), failures=10_000)  # a breaker never opens
    backend = Backend(failures=10_000)

    for _ in range(200):
        with pytest.raises(Unavailable):
            await g.run("GET /v1/x", backend, retryable=True)

    # 200 calls; without a budget 400 attempts. With it: the reserve (5) plus a tenth of the calls (20).
    assert 200 < backend.attempts <= 200 + 5 + 20


async def test_no_more_retries_once_the_breaker_has_opened() -> None:
    g, _ = guard(RetryPolicy(retries=3), failures=2)
    backend = Backend(failures=10)

    async def others_fail_meanwhile(_seconds: float) -> None:
        for _ in range(2):  # two other calls fail while this one pauses: the breaker opens
            g.breaker.failed(g.breaker.admit())

    g._sleep = others_fail_meanwhile

    with pytest.raises(Unavailable):
        await g.run("GET /v1/x", backend, retryable=True)
    assert backend.attempts == 1  # not 4: after the pause the backend is known to be down

    with pytest.raises(Unavailable) as refused:
        await g.run("GET /v1/x", backend, retryable=True)
    assert refused.value.reason == "circuit_open" and backend.attempts == 1
