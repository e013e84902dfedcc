"""`GenieAcsOss`: the OSS port with its devices and CPEs on GenieACS and the rest (usage, add-ons, incidents,
which an ACS does not hold) on the WISPGate core's OSS.

Devices are the ones GenieACS tags for a sub-service (`GenieAcsConfig.tag_prefix`), or — matched by serial —
the core inventory's, found in GenieACS by serial number; their Wi-Fi and hosts are read from the projected TR-181 or TR-098 tree (`adapters.tr069`); Wi-Fi changes and reboots are GenieACS tasks.
GenieACS does not tell anyone when a task has run: `on_task_queued` (set by the composition root) hears of
every task this adapter queues, so that it can be followed (`task()`) until it is done or faulted.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
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


class _Inventory:
    """The core inventory's records seen lately (devices matched by serial): a page that has just listed a
    sub-service's devices reads their Wi-Fi and tasks without asking the core for each device again. Bounded in
    size and age, so a device moved to another sub-service is seen there within `ttl_s`."""

    def __init__(self, ttl_s: float = 300.0, size: int = 10_000) -> None:
        self.ttl_s = ttl_s
        self.size = size
        self._seen: OrderedDict[str, tuple[float, Device]] = OrderedDict()

    def put(self, devices: Iterable[Device]) -> None:
        now = time.monotonic()
        for device in devices:
            self._seen[device.id] = (now, device)
            self._seen.move_to_end(device.id)
        while len(self._seen) > self.size:
            self._seen.popitem(last=False)

    def get(self, device_id: str) -> Device | None:
        seen = self._seen.get(device_id)
        if seen is None or time.monotonic() - seen[0] > self.ttl_s:
            return None
        return seen[1]


class GenieAcsOss:
    def __init__(self, nbi: Nbi, config: GenieAcsConfig, core: OssPort) -> None:
        self.nbi = nbi
        self.config = config
        self.core = core
        self.on_task_queued: Callable[[DeviceTask], None] | None = None
        self.inventory = _Inventory()

    # --- which GenieACS device is which portal device ---------------------------------------------
    #
    # "tag": the port's device id is GenieACS's `_id`, the sub-service the device's tag. "serial": the port's
    # device id is the core inventory's, and GenieACS's device is the one with that record's serial number.

    @property
    def by_serial(self) -> bool:
        return self.config.match == "serial"

    async def _core_devices(self, device_ids: Sequence[str]) -> list[Device]:
        async def one(device_id: str) -> Device | None:
            try:
                return await self.core.device(device_id)
            except NotFound:
                return None

        ids = list(dict.fromkeys(device_ids))
        known = {i: d for i in ids if (d := self.inventory.get(i)) is not None}
        fetched = [d for d in await asyncio.gather(*(one(i) for i in ids if i not in known)) if d is not None]
        self.inventory.put(fetched)
        return [*known.values(), *fetched]

    async def _by_serials(
        self, records: Sequence[Device], projection: Sequence[str]
    ) -> dict[str, dict[str, Any]]:
        """GenieACS's documents of inventory `records`, by the record's id."""
        by_serial = {r.serial: r.id for r in records if r.serial}
        found = await asyncio.gather(
            *(
                self.nbi.find(
                    "devices", {"_deviceId._SerialNumber": {"$in": chunk}}, (*projection, "_deviceId")
                )
                for chunk in _chunks(list(by_serial))
            )
        )
        return {
            by_serial[s]: doc
            for doc in (d for part in found for d in part)
            if (s := docs.serial_of(doc)) in by_serial
        }

    async def _locate(
        self, device_ids: Sequence[str], projection: Sequence[str]
    ) -> dict[str, tuple[dict[str, Any], str]]:
        """(GenieACS document, sub-service) of each of the portal's devices among `device_ids` GenieACS knows."""
        if self.by_serial:
            records = await self._core_devices(device_ids)
            found = await self._by_serials(records, projection)
            return {r.id: (found[r.id], r.subservice_id) for r in records if r.id in found}
        parts = await asyncio.gather(
            *(
                self.nbi.find("devices", {"_id": {"$in": chunk}}, ("_id", "_tags", *projection))
                for chunk in _chunks(device_ids)
            )
        )
        located = {}
        for doc in (d for part in parts for d in part):
            subservice_id = docs.subservice_of(doc, self.config.tag_prefix)
            if isinstance(doc.get("_id"), str) and subservice_id is not None:
                located[doc["_id"]] = (doc, subservice_id)
        return located

    async def _one(self, device_id: str, projection: Sequence[str]) -> tuple[dict[str, Any], str]:
        """NotFound for a device GenieACS does not know or that is not the portal's."""
        found = (await self._locate([device_id], projection)).get(device_id)
        if found is None:
            raise NotFound("oss", "device not found")
        return found

    # --- devices -----------------------------------------------------------------------------------

    async def devices_for(self, subservice_ids: Sequence[str]) -> dict[str, list[Device]]:
        projection = docs.device_projection(self.config)
        if self.by_serial:
            inventory = await self.core.devices_for(subservice_ids)
            return await self._with_live(inventory, projection)
        grouped: dict[str, list[Device]] = {i: [] for i in subservice_ids}
        prefix = self.config.tag_prefix
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

    async def _with_live(
        self, inventory: Mapping[str, list[Device]], projection: Sequence[str]
    ) -> dict[str, list[Device]]:
        """The core's inventory, each device GenieACS knows with its live facts (the others as the core has them)."""
        records = [d for devices in inventory.values() for d in devices]
        self.inventory.put(records)
        found = await self._by_serials(records, projection)
        now = _now()
        return {
            subservice_id: [
                docs.live(d, found[d.id], self.config, now) if d.id in found else d for d in devices
            ]
            for subservice_id, devices in inventory.items()
        }

    async def devices_of(self, window: SubscriberWindow) -> Covered[list[Device]]:
        """By tag, GenieACS cannot tell which sub-services a subscriber has: this covers none, and the BFF reads
        the window's devices by sub-service id (`devices_for`) once the CRM has listed them. By serial, the core's
        window, with GenieACS's live facts."""
        if not self.by_serial:
            return Covered(frozenset(), {})
        covered = await self.core.devices_of(window)
        return Covered(
            covered.subservice_ids, await self._with_live(covered.found, docs.device_projection(self.config))
        )

    async def device(self, device_id: str) -> Device:
        projection = docs.device_projection(self.config)
        if self.by_serial:
            record = await self.core.device(device_id)
            self.inventory.put([record])
            found = await self._by_serials([record], projection)
            return docs.live(record, found[record.id], self.config, _now()) if record.id in found else record
        doc, subservice_id = await self._one(device_id, projection)
        return docs.device(doc, subservice_id, self.config, _now())

    # --- the CPEs ----------------------------------------------------------------------------------

    async def cpe_for(self, device_ids: Sequence[str]) -> dict[str, CpeView]:
        located = await self._locate(device_ids, docs.WIFI_PROJECTION)
        return {
            device_id: tr069.view(device_id, docs.data_model(doc), docs.parameters(doc))
            for device_id, (doc, _) in located.items()
        }

    async def tasks_for(self, device_ids: Sequence[str]) -> dict[str, list[DeviceTask]]:
        """What GenieACS still holds: tasks not yet run, and faulted ones (a task that ran is deleted)."""
        grouped: dict[str, list[DeviceTask]] = {i: [] for i in device_ids}
        located = await self._locate(device_ids, ())
        # GenieACS's device id → (the portal's device id, sub-service)
        owners = {
            doc["_id"]: (device_id, s)
            for device_id, (doc, s) in located.items()
            if isinstance(doc.get("_id"), str)
        }
        for chunk in _chunks(list(owners)):
            tasks, faults = await asyncio.gather(
                self.nbi.find("tasks", {"device": {"$in": chunk}}),
                self.nbi.find("faults", {"device": {"$in": chunk}}),
            )
            by_id = {f.get("_id"): f for f in faults}
            now = _now()
            for task in tasks:
                task_id, acs_device = task.get("_id"), task.get("device")
                if not isinstance(task_id, str) or not docs.is_task_id(task_id):
                    continue
                if not isinstance(acs_device, str) or acs_device not in owners:
                    continue
                device_id, subservice_id = owners[acs_device]
                grouped[device_id].append(
                    docs.device_task(
                        task_id=task_id,
                        action=docs.action_of(task),
                        device_id=device_id,
                        subservice_id=subservice_id,
                        task=task,
                        fault=by_id.get(docs.fault_id(acs_device, task_id)),
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
        if self.by_serial:  # GenieACS's device id is known only once the device is found
            doc, subservice_id = await self._one(device_id, ())
            tasks, faults = await asyncio.gather(
                self.nbi.find("tasks", {"_id": acs_id}, limit=1),
                self.nbi.find("faults", {"_id": docs.fault_id(doc["_id"], acs_id)}, limit=1),
            )
        else:
            (_, subservice_id), tasks, faults = await asyncio.gather(
                self._one(device_id, ()),
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
        doc, subservice_id = await self._one(device_id, docs.WIFI_PROJECTION)
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
        return await self._queue(device_id, doc["_id"], subservice_id, "CHANGE_WIFI", task)

    async def reboot(self, device_id: str) -> DeviceTask:
        doc, subservice_id = await self._one(device_id, ())
        return await self._queue(device_id, doc["_id"], subservice_id, "REBOOT", {"name": "reboot"})

    async def _queue(
        self, device_id: str, acs_device: str, subservice_id: str, action: TaskAction, task: dict[str, Any]
    ) -> DeviceTask:
        """`device_id`: the portal's; `acs_device`: GenieACS's (the same when devices are matched by tag)."""
        wait_ms = self.config.session_wait_ms
        if wait_ms:
            posted = await self.nbi.post_task(acs_device, task, connection_request=True, timeout_ms=wait_ms)
        else:
            # Queued first, so that its id is known whatever the connection request does.
            posted = await self.nbi.post_task(acs_device, task, connection_request=False)
        task_id = str(posted.task["_id"])
        now = _now()
        fault = None
        if wait_ms and posted.status == 202:
            # Queued, or run and faulted ("Task faulted" says which, but a reason phrase does not survive
            # HTTP/2 or every proxy): the fault, if any, says.
            found = await self.nbi.find("faults", {"_id": docs.fault_id(acs_device, task_id)}, limit=1)
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
                await self.nbi.post_task(acs_device, None, connection_request=True)
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
