"""How one sandbox system asks another to act, when they run in one process.

The billing run suspends overdue sub-services through AAA; in a real core that is an internal call too.
The combined sandbox (`sandbox.app`) wires the peers; a system run alone gets none and skips that step.
"""

from __future__ import annotations

from typing import Protocol


class ServiceControl(Protocol):
    def suspend(self, subservice_id: str, reason: str, note: str) -> None:
        """Suspend a sub-service for `reason` (NON_PAYMENT, ADMINISTRATIVE, …); a no-op if already so."""
        ...
