"""`HttpAaa`: the AAA port over the WISPGate core's AAA REST API."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar
from urllib.parse import quote

from adapters.ports.aaa import (
    CHANGE_ACTORS,
    SERVICE_STATUSES,
    STATUS_REASONS,
    BandwidthProfile,
    LiveSession,
    ReactivationResult,
    ServiceStatus,
    StatusChange,
)
from adapters.wispgate.client import CoreClient
from adapters.wispgate.wire import Fields

T = TypeVar("T")


def parse_status(f: Fields) -> ServiceStatus:
    return ServiceStatus(
        subservice_id=f.text("subservice_id"),
        subscriber_id=f.text("subscriber_id"),
        status=f.enum("status", SERVICE_STATUSES),
        reason=f.opt_enum("reason", STATUS_REASONS),
        since=f.moment("since"),
        note=f.opt_text("note"),
    )


def parse_change(f: Fields) -> StatusChange:
    return StatusChange(
        subservice_id=f.text("subservice_id"),
        from_status=f.opt_enum("from_status", SERVICE_STATUSES),
        to_status=f.enum("to_status", SERVICE_STATUSES),
        reason=f.opt_enum("reason", STATUS_REASONS),
        note=f.opt_text("note"),
        actor=f.enum("actor", CHANGE_ACTORS),
        at=f.moment("at"),
    )


def parse_profile(f: Fields) -> BandwidthProfile:
    return BandwidthProfile(
        subservice_id=f.text("subservice_id"),
        name=f.text("name"),
        plan=f.text("plan"),
        down_mbps=f.opt_integer("down_mbps"),
        up_mbps=f.opt_integer("up_mbps"),
        restricted=f.flag("restricted"),
    )


def parse_session(f: Fields) -> LiveSession:
    return LiveSession(
        subservice_id=f.text("subservice_id"),
        online=f.flag("online"),
        ip=f.opt_text("ip"),
        nas=f.opt_text("nas"),
        started_at=f.opt_moment("started_at"),
        bytes_in=f.integer("bytes_in"),
        bytes_out=f.integer("bytes_out"),
    )


class HttpAaa:
    def __init__(self, client: CoreClient) -> None:
        self.client = client

    async def statuses(self, subservice_ids: Sequence[str]) -> dict[str, ServiceStatus]:
        items = await self.client.batch("/v1/status:batch", subservice_ids, parse_status)
        return {s.subservice_id: s for s in items}

    async def status(self, subservice_id: str) -> ServiceStatus:
        body = await self.client.call("GET", f"/v1/subservices/{quote(subservice_id, safe='')}/status")
        return parse_status(body)

    async def status_history(self, subservice_id: str, limit: int = 50) -> list[StatusChange]:
        body = await self.client.call(
            "GET",
            f"/v1/subservices/{quote(subservice_id, safe='')}/status-history",
            params={"limit": limit},
        )
        return body.objects("items", parse_change)

    async def profiles(self, subservice_ids: Sequence[str]) -> dict[str, BandwidthProfile]:
        items = await self.client.batch("/v1/profiles:batch", subservice_ids, parse_profile)
        return {p.subservice_id: p for p in items}

    async def sessions(self, subservice_ids: Sequence[str]) -> dict[str, LiveSession]:
        items = await self.client.batch("/v1/sessions:batch", subservice_ids, parse_session)
        return {s.subservice_id: s for s in items}

    async def reactivate(
        self, subservice_id: str, reason: str, note: str | None = None
    ) -> ReactivationResult:
        body = await self.client.call(
            "POST",
            f"/v1/subservices/{quote(subservice_id, safe='')}/reactivate",
            json_body={"reason": reason, "note": note},
        )
        return ReactivationResult(status=parse_status(body), changed=body.flag("changed"))
