"""How one sandbox system asks another to act, when they run in one process.

The billing run suspends overdue sub-services through AAA and charges saved cards through the gateway, and
OSS reads AAA's session accounting for the usage of the current days; in a real core those are internal calls
too. The combined sandbox (`sandbox.app`) wires the peers; a system run
alone gets none and skips those steps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol


class SessionAccounting(Protocol):
    def accounting(self, subservice_ids: Sequence[str]) -> list[dict[str, Any]]:
        """The sessions of these sub-services (RADIUS accounting): {subservice_id, started_at, ended_at (None
        while live), counted_until, bytes_in, bytes_out}, datetimes in UTC. OSS adds them to the usage of the days they span."""
        ...


class ServiceControl(Protocol):
    def suspend(self, subservice_id: str, reason: str, note: str) -> None:
        """Suspend a sub-service for `reason` (NON_PAYMENT, ADMINISTRATIVE, …); a no-op if already so."""
        ...

    def set_plan(self, subservice_id: str, plan: str, down_mbps: int | None, up_mbps: int | None) -> None:
        """Provision the bandwidth profile of a plan that took effect (a downgrade at the new period)."""
        ...


@dataclass(frozen=True, slots=True)
class ChargeOutcome:
    """How an off-session charge ended: succeeded, or declined with the gateway's decline code."""

    succeeded: bool
    payment_intent_id: str
    decline_code: str | None = None


class ChargeRefused(Exception):
    """The gateway refused the request before any PaymentIntent existed (unknown customer or card, a card
    attached to another customer, an amount below the gateway's minimum, a reused idempotency key…)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class CardCharger(Protocol):
    def charge(
        self,
        customer_id: str,
        payment_method_id: str,
        amount_minor: int,
        currency: str,
        metadata: dict[str, str],
        idempotency_key: str,
    ) -> ChargeOutcome:
        """Create and confirm an off-session PaymentIntent on a saved card, emitting the gateway's
        `payment_intent.succeeded` / `payment_intent.payment_failed` webhook. The same key replays the first
        outcome instead of charging again. Raises ChargeRefused when no PaymentIntent could be created."""
        ...
