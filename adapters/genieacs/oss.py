"""`GenieAcsOss`: the OSS port with its devices and CPEs on GenieACS and the rest (usage, add-ons, incidents,
which an ACS does not hold) on the WISPGate core's OSS.

Devices are the ones GenieACS tags for a sub-service (`GenieAcsConfig.tag_prefix`); their Wi-Fi and hosts are
read from the projected TR-181 or TR-098 tree (`adapters.tr069`); Wi-Fi changes and reboots are GenieACS tasks.
GenieACS does not tell anyone when a task has run: `on_task_queued` (set by the composition root) hears of
every task this adapter queues, so that it can be followed (`task()`) until it is done or faulted.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from adapters import tr069
from adapters.errors import BackendError, NotFound, Rejected
from adapters.genieacs import documents as docs
from adapters.genieacs.config import GenieAcsConfig
from adapters.genieacs.nbi import Nbi
from adapters.ports.cpe import CpeView, DeviceTask, Incident, TaskAction, WifiChange
from adapters.ports.oss import AddOn, Device, OssPort, Usage
from adapters.ports.window import Covered, SubscriberWindow

log = logging.getLogger("wispgate.genieacs")

CHUNK = 100  # ids per NBI search (`$in` lists stay short in the query string)
RECENT_TASKS = 5


def _chunks(ids: Sequence[str]) -> list[list[str]]:
    unique = list(dict.fromkeys(ids))
    return [unique[i : i + CHUNK] for i in range(0, len(unique), CHUNK)]


def _now() -> datetime:
    return datetime.now(UTC)


class GenieAcsOss:
    def __init__(self, nbi: Nbi, config: GenieAcsConfig, core: OssPort) -> None:
        self.nbi = nbi
        self.config = config
        self.core = core
        self.on_task_queued: Callable[[DeviceTask], None] | None = None

    # --- devices -----------------------------------------------------------------------------------

    async def devices_for(self, subservice_ids: Sequence[str]) -> dict[str, list[Device]]:
        grouped: dict[str, list[Device]] = {i: [] for i in subservice_ids}
        prefix = self.config.tag_prefix
        projection = docs.device_projection(self.config)
        found = await asyncio.gather(
            *(
                self.nbi.find("devices", {"_tags": {"$in": [prefix + i for i in chunk]}}, projection)
                for chunk in _chunks(subservice_ids)
            )
        )
        now = _now()
        for doc in (d for part in found for d in part):
            tags = doc.get("_tags") if isinstance(doc.get("_tags"), list) else []
            for tag in tags or ():
                if isinstance(tag, str) and tag.startswith(prefix) and tag[len(prefix) :] in grouped:
                    subservice_id = tag[len(prefix) :]
                    grouped[subservice_id].append(docs.device(doc, subservice_id, self.config, now))
        for devices in grouped.values():
            devices.sort(key=lambda d: d.id)
        return grouped

    async def devices_of(self, window: SubscriberWindow) -> Covered[list[Device]]:
        """GenieACS cannot tell which sub-services a subscriber has: this covers none, and the BFF reads the
        window's devices by sub-service id (`devices_for`) once the CRM has listed them."""
        return Covered(frozenset(), {})

    async def _device_doc(self, device_id: str, projection: Sequence[str]) -> tuple[dict[str, Any], str]:
        """The device's document and sub-service; NotFound for an unknown device or one without the tag."""
        found = await self.nbi.find("devices", {"_id": device_id}, projection, limit=1)
        subservice_id = docs.subservice_of(found[0], self.config.tag_prefix) if found else None
        if not found or subservice_id is None:
            raise NotFound("oss", "device not found")
        return found[0], subservice_id

    async def device(self, device_id: str) -> Device:
        doc, subservice_id = await self._device_doc(device_id, docs.device_projection(self.config))
        return docs.device(doc, subservice_id, self.config, _now())

    # --- the CPEs ----------------------------------------------------------------------------------

    async def cpe_for(self, device_ids: Sequence[str]) -> dict[str, CpeView]:
        projection = ("_id", "_tags", *docs.WIFI_PROJECTION)
        found = await asyncio.gather(
            *(self.nbi.find("devices", {"_id": {"$in": chunk}}, projection) for chunk in _chunks(device_ids))
        )
        views: dict[str, CpeView] = {}
        for doc in (d for part in found for d in part):
            device_id = doc.get("_id")
            if isinstance(device_id, str) and docs.subservice_of(doc, self.config.tag_prefix) is not None:
                views[device_id] = tr069.view(device_id, docs.data_model(doc), docs.parameters(doc))
        return views

    async def tasks_for(self, device_ids: Sequence[str]) -> dict[str, list[DeviceTask]]:
        """What GenieACS still holds: tasks not yet run, and faulted ones (a task that ran is deleted)."""
        grouped: dict[str, list[DeviceTask]] = {i: [] for i in device_ids}
        for chunk in _chunks(device_ids):
            devices, tasks, faults = await asyncio.gather(
                self.nbi.find("devices", {"_id": {"$in": chunk}}, ("_id", "_tags")),
                self.nbi.find("tasks", {"device": {"$in": chunk}}),
                self.nbi.find("faults", {"device": {"$in": chunk}}),
            )
            owners = {
                d["_id"]: s
                for d in devices
                if isinstance(d.get("_id"), str) and (s := docs.subservice_of(d, self.config.tag_prefix))
            }
            by_id = {f.get("_id"): f for f in faults}
            now = _now()
            for task in tasks:
                task_id, device_id = task.get("_id"), task.get("device")
                if not isinstance(task_id, str) or not docs.is_task_id(task_id):
                    continue
                if not isinstance(device_id, str) or device_id not in owners:
                    continue
                grouped[device_id].append(
                    docs.device_task(
                        task_id=task_id,
                        action=docs.action_of(task),
                        device_id=device_id,
                        subservice_id=owners[device_id],
                        task=task,
                        fault=by_id.get(docs.fault_id(device_id, task_id)),
                        now=now,
                    )
                )
        for listed in grouped.values():
            listed.sort(key=lambda t: t.created_at, reverse=True)
            del listed[RECENT_TASKS:]
        return grouped

    async def task(self, task_id: str) -> DeviceTask:
        parsed = docs.parse_ref(task_id)
        if parsed is None:
            raise NotFound("oss", "task not found")
        acs_id, action, device_id = parsed
        (_, subservice_id), tasks, faults = await asyncio.gather(
            self._device_doc(device_id, ("_id", "_tags")),
            self.nbi.find("tasks", {"_id": acs_id}, limit=1),
            self.nbi.find("faults", {"_id": docs.fault_id(device_id, acs_id)}, limit=1),
        )
        return docs.device_task(
            task_id=acs_id,
            action=action,
            device_id=device_id,
            subservice_id=subservice_id,
            task=tasks[0] if tasks else None,
            fault=faults[0] if faults else None,
            now=_now(),
        )

    async def change_wifi(self, device_id: str, change: WifiChange) -> DeviceTask:
        doc, subservice_id = await self._device_doc(device_id, ("_id", "_tags", *docs.WIFI_PROJECTION))
        model, params = docs.data_model(doc), docs.parameters(doc)
        current = tr069.view(device_id, model, params)
        network = next((n for n in current.wifi if n.index == change.index), None)
        if network is None:
            raise Rejected("oss", "NO_SUCH_NETWORK", "the router has no such Wi-Fi network")
        values = tr069.wifi_values(model, network, change)
        if not values:
            raise Rejected("oss", "NOTHING_TO_CHANGE", "the change sets nothing")
        # GenieACS sends each value with the type it is given: the type the CPE reported for it.
        types = {p["name"]: p["type"] for p in params}
        typed = [[name, value, types.get(name, "xsd:string")] for name, value in values]
        task = {"name": "setParameterValues", "parameterValues": typed}
        return await self._queue(device_id, subservice_id, "CHANGE_WIFI", task)

    async def reboot(self, device_id: str) -> DeviceTask:
        _, subservice_id = await self._device_doc(device_id, ("_id", "_tags"))
        return await self._queue(device_id, subservice_id, "REBOOT", {"name": "reboot"})

    async def _queue(
        self, device_id: str, subservice_id: str, action: TaskAction, task: dict[str, Any]
    ) -> DeviceTask:
        wait_ms = self.config.session_wait_ms
        if wait_ms:
            posted = await self.nbi.post_task(device_id, task, connection_request=True, timeout_ms=wait_ms)
        else:
            # Queued first, so that its id is known whatever the connection request does.
            posted = await self.nbi.post_task(device_id, task, connection_request=False)
        task_id = str(posted.task["_id"])
        now = _now()
        fault = None
        if wait_ms and posted.status == 202:
            # Queued, or run and faulted ("Task faulted" says which, but a reason phrase does not survive
            # HTTP/2 or every proxy): the fault, if any, says.
            found = await self.nbi.find("faults", {"_id": docs.fault_id(device_id, task_id)}, limit=1)
            fault = found[0] if found else None
        queued = docs.device_task(
            task_id=task_id,
            action=action,
            device_id=device_id,
            subservice_id=subservice_id,
            task=None if posted.status == 200 and fault is None else posted.task,
            fault=fault,
            now=now,
        )
        if not wait_ms:
            try:
                await self.nbi.post_task(device_id, None, connection_request=True)
            except BackendError as exc:
                # The task stays queued: the CPE runs it at its next periodic inform.
                log.info(
                    "connection request to %s failed (%s); the task waits for its next inform",
                    device_id,
                    exc.message,
                )
        if self.on_task_queued is not None:
            self.on_task_queued(queued)
        return queued

    # --- what GenieACS does not hold: the WISPGate core's OSS -------------------------------------

    async def usage_for(
        self, subservice_ids: Sequence[str], start: date | None = None, end: date | None = None
    ) -> dict[str, Usage]:
        return await self.core.usage_for(subservice_ids, start, end)

    async def addons_for(self, subservice_ids: Sequence[str]) -> dict[str, list[AddOn]]:
        return await self.core.addons_for(subservice_ids)

    async def incidents_for(self, subservice_ids: Sequence[str]) -> list[Incident]:
        return await self.core.incidents_for(subservice_ids)

    async def incidents_of(self, window: SubscriberWindow) -> Covered[list[Incident]]:
        return await self.core.incidents_of(window)

    async def incident(self, incident_id: str) -> Incident:
        return await self.core.incident(incident_id)
