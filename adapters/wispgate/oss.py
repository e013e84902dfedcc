"""`HttpOss`: the OSS port over the WISPGate core's OSS REST API. Answers decode straight into the port's
records (`adapters.decode`); CPE parameter trees are read and written through `adapters.tr069`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from urllib.parse import quote

import msgspec
from msgspec import Struct

from adapters import tr069
from adapters.errors import NotFound, Rejected
from adapters.ports.cpe import CpeView, DeviceTask, Incident, WifiChange
from adapters.ports.moment import Moment
from adapters.ports.oss import AddOn, Device, Usage
from adapters.wispgate.client import CoreClient


class _Parameter(Struct, frozen=True, gc=False):
    name: str
    value: str


class _Tree(Struct, frozen=True, gc=False):
    device_id: str
    data_model: str
    parameters: list[_Parameter]


class _Fault(Struct, frozen=True, gc=False):
    code: str
    message: str


class _Task(Struct, frozen=True, kw_only=True, gc=False):
    id: str
    device_id: str
    subservice_id: str
    name: str
    parameter_names: list[str]
    object_name: str | None = None
    status: str
    fault: _Fault | None = None
    created_at: Moment
    updated_at: Moment

    def record(self) -> DeviceTask:
        return DeviceTask(
            id=self.id,
            device_id=self.device_id,
            subservice_id=self.subservice_id,
            action=tr069.action_of(self.name, self.parameter_names, self.object_name),  # type: ignore[arg-type]
            status="FAILED" if self.status == "FAULT" else "DONE" if self.status == "DONE" else "PENDING",
            fault_code=self.fault.code if self.fault else None,
            fault_message=self.fault.message if self.fault else None,
            created_at=self.created_at,
            updated_at=self.updated_at,
        )


class HttpOss:
    def __init__(self, client: CoreClient) -> None:
        self.client = client

    async def devices_for(self, subservice_ids: Sequence[str]) -> dict[str, list[Device]]:
        grouped: dict[str, list[Device]] = {i: [] for i in subservice_ids}
        for device in await self.client.batch("/v1/devices:batch", subservice_ids, Device):
            grouped.setdefault(device.subservice_id, []).append(device)
        return grouped

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

    # --- the CPEs ----------------------------------------------------------------------------------

    async def _trees(self, device_ids: Sequence[str]) -> list[_Tree]:
        return await self.client.batch(
            "/v1/parameters:batch", device_ids, _Tree, {"prefixes": list(tr069.PREFIXES)}
        )

    async def cpe_for(self, device_ids: Sequence[str]) -> dict[str, CpeView]:
        return {
            t.device_id: tr069.view(
                t.device_id, t.data_model, [{"name": p.name, "value": p.value} for p in t.parameters]
            )
            for t in await self._trees(device_ids)
        }

    async def tasks_for(self, device_ids: Sequence[str]) -> dict[str, list[DeviceTask]]:
        grouped: dict[str, list[DeviceTask]] = {i: [] for i in device_ids}
        for task in await self.client.batch("/v1/tasks:batch", device_ids, _Task):
            grouped.setdefault(task.device_id, []).append(task.record())
        return grouped

    async def task(self, task_id: str) -> DeviceTask:
        found = await self.client.call("GET", f"/v1/tasks/{quote(task_id, safe='')}", _Task)
        return found.record()

    async def _queue(self, device_id: str, task: dict[str, Any]) -> DeviceTask:
        # Not retried: a task posted twice would run twice (the CPE applies both; harmless, but not ours to do).
        created = await self.client.call(
            "POST",
            f"/v1/devices/{quote(device_id, safe='')}/tasks",
            _Task,
            json_body=task,
            params={"connection_request": "true"},
            idempotent=False,
        )
        return created.record()

    async def change_wifi(self, device_id: str, change: WifiChange) -> DeviceTask:
        trees = await self._trees([device_id])
        if not trees:
            raise NotFound("oss", "device not found")
        tree = trees[0]
        current = tr069.view(
            device_id, tree.data_model, [{"name": p.name, "value": p.value} for p in tree.parameters]
        )
        network = next((n for n in current.wifi if n.index == change.index), None)
        if network is None:
            raise Rejected("oss", "NO_SUCH_NETWORK", "the router has no such Wi-Fi network")
        values = tr069.wifi_values(tree.data_model, network, change)
        if not values:
            raise Rejected("oss", "NOTHING_TO_CHANGE", "the change sets nothing")
        return await self._queue(device_id, {"name": "setParameterValues", "parameterValues": values})

    async def reboot(self, device_id: str) -> DeviceTask:
        return await self._queue(device_id, {"name": "reboot"})

    # --- incidents ---------------------------------------------------------------------------------

    async def incidents_for(self, subservice_ids: Sequence[str]) -> list[Incident]:
        found = await self.client.batch("/v1/incidents:batch", subservice_ids, Incident)
        merged: dict[str, Incident] = {}
        for incident in found:  # a chunk of ids each: merge an incident's affected ids across chunks
            seen = merged.get(incident.id)
            if seen is not None:
                incident = msgspec.structs.replace(
                    incident, subservice_ids=(*seen.subservice_ids, *incident.subservice_ids)
                )
            merged[incident.id] = incident
        return list(merged.values())

    async def incident(self, incident_id: str) -> Incident:
        return await self.client.call("GET", f"/v1/incidents/{quote(incident_id, safe='')}", Incident)
