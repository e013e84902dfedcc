"""What the backend clients report about each call, for metrics (`bff.core.metrics` exports them)."""

from __future__ import annotations

from typing import Protocol


class CallObserver(Protocol):
    def call_finished(self, backend: str, operation: str, seconds: float, outcome: str) -> None:
        """One backend call ended: `outcome` is "ok", "not_found", "rejected", "unavailable",
        "timeout", "circuit_open", "contract_violation" or "overloaded"."""
        ...

    def breaker_changed(self, backend: str, state: str) -> None:
        """A backend's circuit breaker is now "closed", "open" or "half_open"."""
        ...


class NoObserver:
    def call_finished(self, backend: str, operation: str, seconds: float, outcome: str) -> None:
        return None

    def breaker_changed(self, backend: str, state: str) -> None:
        return None
