"""`HttpAaa`: the AAA port over the WISPGate core's AAA REST API. Answers decode straight into the port's
records (`adapters.decode`)."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

import msgspec

from adapters.decode import Items
from adapters.ports.aaa import (
    BandwidthProfile,
    LiveSession,
    ProfileChange,
    ReactivationResult,
    ServiceStatus,
    StatusChange,
)
from adapters.wispgate.client import CoreClient, keyed


class _Reactivated(ServiceStatus, frozen=True, kw_only=True, gc=False):
    """The reactivation answer: the status as it now is, plus whether this call changed it."""

    changed: bool


class _Provisioned(BandwidthProfile, frozen=True, kw_only=True, gc=False):
    """The profile answer: the profile as it now is, plus whether this call changed it."""

    changed: bool


class HttpAaa:
    def __init__(self, client: CoreClient) -> None:
        self.client = client

    async def statuses(self, subservice_ids: Sequence[str]) -> dict[str, ServiceStatus]:
        items = await self.client.batch("/v1/status:batch", subservice_ids, ServiceStatus)
        return {s.subservice_id: s for s in items}

    async def status(self, subservice_id: str) -> ServiceStatus:
        return await self.client.call(
            "GET", f"/v1/subservices/{quote(subservice_id, safe='')}/status", ServiceStatus
        )

    async def status_history(self, subservice_id: str, limit: int = 50) -> list[StatusChange]:
        body = await self.client.call(
            "GET",
            f"/v1/subservices/{quote(subservice_id, safe='')}/status-history",
            Items[StatusChange],
            params={"limit": limit},
        )
        return body.items

    async def profiles(self, subservice_ids: Sequence[str]) -> dict[str, BandwidthProfile]:
        items = await self.client.batch("/v1/profiles:batch", subservice_ids, BandwidthProfile)
        return {p.subservice_id: p for p in items}

    async def sessions(self, subservice_ids: Sequence[str]) -> dict[str, LiveSession]:
        items = await self.client.batch("/v1/sessions:batch", subservice_ids, LiveSession)
        return {s.subservice_id: s for s in items}

    async def reactivate(
        self, subservice_id: str, reason: str, note: str | None = None, *, idempotency_key: str | None = None
    ) -> ReactivationResult:
        body = await self.client.call(
            "POST",
            f"/v1/subservices/{quote(subservice_id, safe='')}/reactivate",
            _Reactivated,
            json_body={"reason": reason, "note": note},
            headers=keyed(idempotency_key),
        )
        fields = msgspec.structs.asdict(body)
        del fields["changed"]
        return ReactivationResult(status=ServiceStatus(**fields), changed=body.changed)

    async def set_profile(
        self,
        subservice_id: str,
        plan: str,
        down_mbps: int | None,
        up_mbps: int | None,
        *,
        idempotency_key: str | None = None,
    ) -> ProfileChange:
        body = await self.client.call(
            "PUT",
            f"/v1/subservices/{quote(subservice_id, safe='')}/profile",
            _Provisioned,
            json_body={"plan": plan, "down_mbps": down_mbps, "up_mbps": up_mbps},
            headers=keyed(idempotency_key),
        )
        fields = msgspec.structs.asdict(body)
        del fields["changed"]
        return ProfileChange(profile=BandwidthProfile(**fields), changed=body.changed)
