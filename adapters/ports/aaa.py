"""The AAA port: what the BFF needs from the access system — whether a sub-service may use the network (and
why not), its bandwidth profile, its live session, lifting a non-payment suspension after a payment (or a
usage-cap restriction after data was bought), and provisioning a new plan's profile."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol, get_args

from msgspec import Struct

from adapters.ports.moment import Moment
from adapters.ports.window import Covered, SubscriberWindow

ServiceStatusName = Literal["ACTIVE", "SUSPENDED", "RESTRICTED"]
StatusReason = Literal["NON_PAYMENT", "ADMINISTRATIVE", "FRAUD", "USAGE_CAP", "CUSTOMER_REQUEST"]
ChangeActor = Literal["SYSTEM", "SERVICE", "OPERATOR"]
# What became of a change on the subscriber's live session, where the backend says: APPLIED (the NAS
# acknowledged a CoA or Disconnect), OFFLINE (no session: the next log-in gets it), UNREACHABLE (the NAS did
# not answer or no secret is configured for it) or REFUSED (the NAS answered NAK). The change itself is
# stored either way; UNREACHABLE and REFUSED mean the session keeps its old profile until it re-authenticates.
LiveChange = Literal["APPLIED", "OFFLINE", "UNREACHABLE", "REFUSED"]

SERVICE_STATUSES: tuple[ServiceStatusName, ...] = get_args(ServiceStatusName)
STATUS_REASONS: tuple[StatusReason, ...] = get_args(StatusReason)
CHANGE_ACTORS: tuple[ChangeActor, ...] = get_args(ChangeActor)


class ServiceStatus(Struct, frozen=True, kw_only=True, gc=False):
    subservice_id: str
    subscriber_id: str
    status: ServiceStatusName
    reason: StatusReason | None = None  # None exactly when ACTIVE
    since: Moment
    note: str | None = None


class StatusChange(Struct, frozen=True, kw_only=True, gc=False):
    subservice_id: str
    from_status: ServiceStatusName | None = None  # None for the provisioning entry
    to_status: ServiceStatusName
    reason: StatusReason | None = None
    note: str | None = None
    actor: ChangeActor  # who made the change
    at: Moment


class BandwidthProfile(Struct, frozen=True, kw_only=True, gc=False):
    subservice_id: str
    name: str  # the profile in force: the plan's name, or "Restricted"
    plan: str  # the plan the subscriber pays for
    down_mbps: int | None = None  # None for IPTV and VoIP
    up_mbps: int | None = None
    restricted: bool


class LiveSession(Struct, frozen=True, kw_only=True, gc=False):
    subservice_id: str
    online: bool
    ip: str | None = None  # None while offline
    nas: str | None = None
    started_at: Moment | None = None
    bytes_in: int  # downloaded by the subscriber during this session
    bytes_out: int


class ReactivationResult(Struct, frozen=True, kw_only=True, gc=False):
    status: ServiceStatus
    changed: bool  # False when the sub-service was already ACTIVE (a retried call)
    live: LiveChange | None = None  # None: nothing was sent to the session, or the backend does not say


class ProfileChange(Struct, frozen=True, kw_only=True, gc=False):
    profile: BandwidthProfile
    changed: bool  # False when the profile was already so (a retried call)
    live: LiveChange | None = None


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

    # Subscriber-keyed: a window of one subscriber's sub-services (`adapters.ports.window`).
    async def statuses_of(self, window: SubscriberWindow) -> Covered[ServiceStatus]: ...

    async def profiles_of(self, window: SubscriberWindow) -> Covered[BandwidthProfile]: ...

    async def sessions_of(self, window: SubscriberWindow) -> Covered[LiveSession]: ...

    async def reactivate(
        self, subservice_id: str, reason: str, note: str | None = None, *, idempotency_key: str | None = None
    ) -> ReactivationResult:
        """Lift a suspension or restriction made for exactly `reason` (e.g. NON_PAYMENT after a payment).

        Idempotent: an ACTIVE sub-service gives `changed=False`. Raises Rejected("REASON_MISMATCH") when it
        is down for another reason (that suspension stays), NotFound for an unknown sub-service. With an
        `idempotency_key`, a repeat of the key answers what the first call did (`changed=True` included).
        """
        ...

    async def set_profile(
        self,
        subservice_id: str,
        plan: str,
        down_mbps: int | None,
        up_mbps: int | None,
        *,
        idempotency_key: str | None = None,
    ) -> ProfileChange:
        """Provision a plan's bandwidth profile on the live session (a change of authorization, no
        reconnect). Idempotent; NotFound for an unknown sub-service."""
        ...
