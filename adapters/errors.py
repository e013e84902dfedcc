"""The only exceptions an adapter raises. Nothing outside `adapters/` sees an httpx exception."""

from __future__ import annotations


class BackendError(Exception):
    """Base class: something went wrong talking to `backend`."""

    def __init__(self, backend: str, message: str) -> None:
        super().__init__(f"{backend}: {message}")
        self.backend = backend
        self.message = message


class NotFound(BackendError):
    """The backend says the object does not exist (404)."""


class Rejected(BackendError):
    """The backend refused the request for a business reason; `code` is the backend's error code."""

    def __init__(self, backend: str, code: str, message: str, status: int = 422) -> None:
        super().__init__(backend, message)
        self.code = code
        self.status = status


class Unavailable(BackendError):
    """The backend could not be reached, timed out, or answered 5xx. Safe to retry idempotent calls.

    `reason` says how, in the words the metrics count (`adapters.observe`); the schema maps every kind to
    BACKEND_UNAVAILABLE, so a subclass only refines the reason, never the client's code."""

    reason = "unavailable"  # refused, reset, lost answer, 5xx


class TimedOut(Unavailable):
    """The call's deadline passed (or one attempt's connect/read timeout) before the backend answered."""

    reason = "timeout"


class CircuitOpen(Unavailable):
    """The backend's circuit breaker is open: the call failed at once, without reaching the backend."""

    reason = "circuit_open"


class Overloaded(Unavailable):
    """This process already has as many calls in flight to the backend as its bulkhead allows, and none
    ended within the call's deadline: the call was never sent."""

    reason = "overloaded"


class ContractViolation(BackendError):
    """The backend answered something the contract does not allow (bad JSON, missing or mistyped field)."""
