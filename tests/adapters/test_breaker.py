"""The circuit breaker's states on a clock the test steps: no sleeping, no timing."""

from __future__ import annotations

import pytest

from adapters.errors import CircuitOpen
from adapters.resilience.breaker import BreakerPolicy, CircuitBreaker, State


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def changes() -> list[tuple[str, str]]:
    return []


@pytest.fixture
def breaker(clock: Clock, changes: list[tuple[str, str]]) -> CircuitBreaker:
    return CircuitBreaker(
        "billing",
        BreakerPolicy(failures=3, cooldown_s=10.0),
        clock=clock,
        on_change=lambda backend, state: changes.append((backend, state)),
    )


def fail(breaker: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        breaker.failed(breaker.admit())


def test_opens_after_consecutive_failures_only(breaker: CircuitBreaker) -> None:
    fail(breaker, 2)
    breaker.succeeded(breaker.admit())  # a success in between starts the count again
    fail(breaker, 2)
    assert breaker.state is State.CLOSED

    fail(breaker, 1)

    assert breaker.state is State.OPEN
    with pytest.raises(CircuitOpen) as refused:
        breaker.admit()
    assert refused.value.backend == "billing" and refused.value.reason == "circuit_open"


def test_half_open_after_the_cooldown_lets_one_probe_through(breaker: CircuitBreaker, clock: Clock) -> None:
    fail(breaker, 3)
    clock.now += 9.9
    with pytest.raises(CircuitOpen):
        breaker.admit()

    clock.now += 0.1
    assert breaker.state is State.HALF_OPEN
    assert breaker.admit() is True  # the probe
    with pytest.raises(CircuitOpen):  # everyone else while it is in flight
        breaker.admit()


def test_a_successful_probe_closes_it(
    breaker: CircuitBreaker, clock: Clock, changes: list[tuple[str, str]]
) -> None:
    fail(breaker, 3)
    clock.now += 10
    breaker.succeeded(breaker.admit())

    assert breaker.state is State.CLOSED
    assert breaker.admit() is False and breaker.admit() is False
    assert changes == [("billing", "open"), ("billing", "half_open"), ("billing", "closed")]


def test_a_failed_probe_opens_it_for_another_cooldown(breaker: CircuitBreaker, clock: Clock) -> None:
    fail(breaker, 3)
    clock.now += 10
    breaker.failed(breaker.admit())

    assert breaker.state is State.OPEN
    clock.now += 9
    with pytest.raises(CircuitOpen):
        breaker.admit()
    clock.now += 1
    assert breaker.admit() is True


def test_a_released_probe_lets_the_next_call_probe(breaker: CircuitBreaker, clock: Clock) -> None:
    fail(breaker, 3)
    clock.now += 10
    breaker.released(breaker.admit())  # the probe's client went away: nothing learnt

    assert breaker.state is State.HALF_OPEN
    assert breaker.admit() is True


def test_late_answers_of_calls_admitted_before_it_opened_do_not_decide(
    breaker: CircuitBreaker, clock: Clock
) -> None:
    early = [breaker.admit() for _ in range(5)]  # five calls in flight while it is closed
    for probe in early[:3]:
        breaker.failed(probe)
    assert breaker.state is State.OPEN

    breaker.succeeded(early[3])  # a late success does not close it…
    breaker.failed(early[4])  # …nor does a late failure extend it
    assert breaker.state is State.OPEN
    clock.now += 10
    assert breaker.state is State.HALF_OPEN


def test_each_breaker_keeps_its_own_state(clock: Clock) -> None:
    billing = CircuitBreaker("billing", BreakerPolicy(failures=1), clock=clock)
    aaa = CircuitBreaker("aaa", BreakerPolicy(failures=1), clock=clock)

    billing.failed(billing.admit())

    assert billing.state is State.OPEN and aaa.state is State.CLOSED
    assert aaa.admit() is False
