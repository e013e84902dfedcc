"""`HttpOss`: the OSS port over the WISPGate core's OSS REST API. Answers decode straight into the port's
records (`adapters.decode`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from urllib.parse import quote

from adapters.ports.oss import AddOn, Device, Usage
from adapters.ports.window import Covered, SubscriberWindow
from adapters.wispgate.client import CoreClient
from adapters.wispgate.window import read_window


class HttpOss:
    def __init__(self, client: CoreClient) -> None:
        self.client = client

    async def devices_for(self, subservice_ids: Sequence[str]) -> dict[str, list[Device]]:
        grouped: dict[str, list[Device]] = {i: [] for i in subservice_ids}
        for device in await self.client.batch("/v1/devices:batch", subservice_ids, Device):
            grouped.setdefault(device.subservice_id, []).append(device)
        return grouped

    async def devices_of(self, window: SubscriberWindow) -> Covered[list[Device]]:
        body = await read_window(self.client, "/v1/devices:by-subscriber", window, Device)
        grouped: dict[str, list[Device]] = {i: [] for i in body.subservice_ids}
        for device in body.items:
            grouped.setdefault(device.subservice_id, []).append(device)
        return Covered(frozenset(grouped), grouped)

    async def device(self, device_id: str) -> Device:
        return await self.client.call("GET", f"/v1/devices/{quote(device_id, safe='')}", Device)

    async def usage_for(
        self, subservice_ids: Sequence[str], start: date | None = None, end: date | None = None
    ) -> dict[str, Usage]:
        period: dict[str, Any] = {}
        if start is not None:
            period["from"] = start.isoformat()
        if end is not None:
            period["to"] = end.isoformat()
        items = await self.client.batch("/v1/usage:batch", subservice_ids, Usage, period)
        return {u.subservice_id: u for u in items}

    async def addons_for(self, subservice_ids: Sequence[str]) -> dict[str, list[AddOn]]:
        grouped: dict[str, list[AddOn]] = {i: [] for i in subservice_ids}
        for addon in await self.client.batch("/v1/addons:batch", subservice_ids, AddOn):
            grouped.setdefault(addon.subservice_id, []).append(addon)
        return grouped
