"""`HttpOss`: the OSS port over the WISPGate core's OSS REST API."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, TypeVar
from urllib.parse import quote

from adapters.ports.money import Money
from adapters.ports.oss import DEVICE_KINDS, AddOn, Device, Usage, UsageDay
from adapters.wispgate.client import CoreClient
from adapters.wispgate.wire import Fields

T = TypeVar("T")


def parse_device(f: Fields) -> Device:
    return Device(
        id=f.text("id"),
        subservice_id=f.text("subservice_id"),
        kind=f.enum("kind", DEVICE_KINDS),
        model=f.text("model"),
        serial=f.text("serial"),
        mac=f.text("mac"),
        firmware=f.text("firmware"),
        online=f.flag("online"),
        last_seen=f.moment("last_seen"),
        signal_dbm=f.opt_number("signal_dbm"),
    )


def parse_day(f: Fields) -> UsageDay:
    return UsageDay(
        day=f.day("date"), download_bytes=f.integer("download_bytes"), upload_bytes=f.integer("upload_bytes")
    )


def parse_usage(f: Fields) -> Usage:
    return Usage(
        subservice_id=f.text("subservice_id"),
        start=f.day("from"),
        end=f.day("to"),
        download_bytes=f.integer("download_bytes"),
        upload_bytes=f.integer("upload_bytes"),
        days=tuple(f.objects("days", parse_day)),
    )


def parse_money(f: Fields) -> Money:
    return Money(amount=f.decimal("amount"), currency=f.text("currency"))


def parse_addon(f: Fields) -> AddOn:
    return AddOn(
        id=f.text("id"),
        subservice_id=f.text("subservice_id"),
        name=f.text("name"),
        monthly_price=parse_money(f.obj("monthly_price")),
        active_since=f.day("active_since"),
    )


class HttpOss:
    def __init__(self, client: CoreClient) -> None:
        self.client = client

    async def devices_for(self, subservice_ids: Sequence[str]) -> dict[str, list[Device]]:
        grouped: dict[str, list[Device]] = {i: [] for i in subservice_ids}
        for device in await self.client.batch("/v1/devices:batch", subservice_ids, parse_device):
            grouped.setdefault(device.subservice_id, []).append(device)
        return grouped

    async def device(self, device_id: str) -> Device:
        return parse_device(await self.client.call("GET", f"/v1/devices/{quote(device_id, safe='')}"))

    async def usage_for(
        self, subservice_ids: Sequence[str], start: date | None = None, end: date | None = None
    ) -> dict[str, Usage]:
        period: dict[str, Any] = {}
        if start is not None:
            period["from"] = start.isoformat()
        if end is not None:
            period["to"] = end.isoformat()
        items = await self.client.batch("/v1/usage:batch", subservice_ids, parse_usage, period)
        return {u.subservice_id: u for u in items}

    async def addons_for(self, subservice_ids: Sequence[str]) -> dict[str, list[AddOn]]:
        grouped: dict[str, list[AddOn]] = {i: [] for i in subservice_ids}
        for addon in await self.client.batch("/v1/addons:batch", subservice_ids, parse_addon):
            grouped.setdefault(addon.subservice_id, []).append(addon)
        return grouped
