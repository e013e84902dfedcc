"""`node(id)` for sub-services and devices."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from adapters.errors import NotFound
from adapters.ports import oss
from schema.core.context import Context
from schema.core.node import node_fetcher
from schema.core.permission import can_see_subservice
from schema.service.parts import Device
from schema.service.types import SubService


@node_fetcher("SubService")
async def fetch_subservices(context: Context, ids: Sequence[str]) -> dict[str, SubService]:
    viewer = context.require_viewer()
    found = await context.loaders.subservice_by_id.load_many(ids)
    return {r.id: SubService.of(r) for r in found if r is not None and can_see_subservice(viewer, r)}


@node_fetcher("Device")
async def fetch_devices(context: Context, ids: Sequence[str]) -> dict[str, Device]:
    viewer = context.require_viewer()

    async def one(device_id: str) -> oss.Device | None:
        try:
            return await context.backends.oss.device(device_id)
        except NotFound:
            return None

    devices = [d for d in await asyncio.gather(*(one(i) for i in ids)) if d is not None]
    owners = await context.loaders.subservice_by_id.load_many([d.subservice_id for d in devices])
    return {
        d.id: Device.of(d)
        for d, owner in zip(devices, owners, strict=True)
        if owner is not None and can_see_subservice(viewer, owner)
    }
