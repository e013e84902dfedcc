"""The AAA port: what the BFF needs from the access system — whether a sub-service may use the network (and
why not), its bandwidth profile, its live session, and lifting a non-payment suspension after a payment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

SERVICE_STATUSES = ("ACTIVE", "SUSPENDED", "RESTRICTED")
STATUS_REASONS = ("NON_PAYMENT", "ADMINISTRATIVE", "FRAUD", "USAGE_CAP", "CUSTOMER_REQUEST")
CHANGE_ACTORS = ("SYSTEM", "SERVICE", "OPERATOR")


@dataclass(frozen=True, slots=True)
class ServiceStatus:
    subservice_id: str
    subscriber_id: str
    status: str  # one of SERVICE_STATUSES
    reason: str | None  # one of STATUS_REASONS; None exactly when ACTIVE
    since: datetime
    note: str | None


@dataclass(frozen=True, slots=True)
class StatusChange:
    subservice_id: str
    from_status: str | None  # None for the provisioning entry
    to_status: str
    reason: str | None
    note: str | None
    actor: str  # one of CHANGE_ACTORS: who made the change
    at: datetime


@dataclass(frozen=True, slots=True)
class BandwidthProfile:
    subservice_id: str
    name: str  # the profile in force: the plan's name, or "Restricted"
    plan: str  # the plan the subscriber pays for
    down_mbps: int | None  # None for IPTV and VoIP
    up_mbps: int | None
    restricted: bool


@dataclass(frozen=True, slots=True)
class LiveSession:
    subservice_id: str
    online: bool
    ip: str | None  # None while offline
    nas: str | None
    started_at: datetime | None
    bytes_in: int  # downloaded by the subscriber during this session
    bytes_out: int


@dataclass(frozen=True, slots=True)
class ReactivationResult:
    status: ServiceStatus
    changed: bool  # False when the sub-service was already ACTIVE (a retried call)


class AaaPort(Protocol):
    """Batch reads return a dict keyed by the requested sub-service ids; unknown ids are absent."""

    async def statuses(self, subservice_ids: Sequence[str]) -> dict[str, ServiceStatus]: ...

    async def status(self, subservice_id: str) -> ServiceStatus:
        """Raises NotFound for an unknown sub-service."""
        ...

    async def status_history(self, subservice_id: str, limit: int = 50) -> list[StatusChange]:
        """Newest first, at most `limit` (1..500) entries; raises NotFound for an unknown sub-service."""
        ...

    async def profiles(self, subservice_ids: Sequence[str]) -> dict[str, BandwidthProfile]: ...

    async def sessions(self, subservice_ids: Sequence[str]) -> dict[str, LiveSession]: ...

    async def reactivate(
        self, subservice_id: str, reason: str, note: str | None = None
    ) -> ReactivationResult:
        """Lift a suspension or restriction made for exactly `reason` (e.g. NON_PAYMENT after a payment).

        Idempotent: an ACTIVE sub-service gives `changed=False`. Raises Rejected("REASON_MISMATCH") when it
        is down for another reason (that suspension stays), NotFound for an unknown sub-service.
        """
        ...
