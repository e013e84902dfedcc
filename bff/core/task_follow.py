"""Following the tasks an ACS that sends no events runs (GenieACS): each task the adapter queues is asked
about again every `poll_s` until it is done or faulted (or `follow_s` has passed), and every status it is
seen in is published as the `device.task_changed` bus event the WISPGate core's OSS would have sent, so
`deviceTaskChanged` works the same over either backend.

A task is followed by the process that queued it, for as long as that process runs: one that restarts
forgets what it followed (the task still runs; the portal shows its state on the next read). At most
`MAX_FOLLOWED` tasks are followed at once; beyond that a task is only logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime

from redis.exceptions import RedisError

from adapters.errors import BackendError, NotFound
from adapters.ports.cpe import DeviceTask
from adapters.ports.crm import CrmPort
from adapters.ports.oss import OssPort
from bff.core.bus import BusEvent, EventBus

log = logging.getLogger("wispgate.task_follow")

TASK_CHANGED = "device.task_changed"
MAX_FOLLOWED = 1000


class TaskFollower:
    def __init__(self, oss: OssPort, crm: CrmPort, bus: EventBus, poll_s: float, follow_s: float) -> None:
        self.oss = oss
        self.crm = crm
        self.bus = bus
        self.poll_s = poll_s
        self.follow_s = follow_s
        self._running: set[asyncio.Task[None]] = set()

    def follow(self, task: DeviceTask) -> None:
        """Start following `task` (its current status is published at once)."""
        if len(self._running) >= MAX_FOLLOWED:
            log.warning("task %s not followed: %d tasks are followed already", task.id, MAX_FOLLOWED)
            return
        running = asyncio.get_running_loop().create_task(self._follow(task))
        self._running.add(running)
        running.add_done_callback(self._running.discard)

    async def _follow(self, task: DeviceTask) -> None:
        deadline = time.monotonic() + self.follow_s
        subscriber_id = await self._subscriber_of(task.subservice_id, deadline)
        if subscriber_id is None:
            return
        await self._publish(subscriber_id, task)
        status = task.status
        while status == "PENDING" and time.monotonic() < deadline:
            await asyncio.sleep(self.poll_s)
            try:
                current = await self.oss.task(task.id)
            except NotFound:
                log.info("task %s is gone (its device was deleted)", task.id)
                return
            except BackendError as exc:
                log.info("task %s: not read this time (%s)", task.id, exc.message)
                continue
            if current.status != status:
                status = current.status
                await self._publish(subscriber_id, current)
        if status == "PENDING":
            log.info("task %s still pending after %.0f s: no longer followed", task.id, self.follow_s)

    async def _subscriber_of(self, subservice_id: str, deadline: float) -> str | None:
        while time.monotonic() < deadline:
            try:
                found = await self.crm.subservices([subservice_id])
            except BackendError as exc:
                log.info("sub-service %s: not read this time (%s)", subservice_id, exc.message)
                await asyncio.sleep(self.poll_s)
                continue
            record = found.get(subservice_id)
            return record.subscriber_id if record is not None else None
        return None

    async def _publish(self, subscriber_id: str, task: DeviceTask) -> None:
        event = BusEvent(
            id=f"acs-task:{task.id}:{task.status}",
            type=TASK_CHANGED,
            subscriber_id=subscriber_id,
            subservice_ids=(task.subservice_id,),
            data={"task_id": task.id, "device_id": task.device_id, "status": task.status},
            occurred_at=datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        )
        try:
            await self.bus.publish(event)
        except (RedisError, OSError) as exc:  # a bus outage does not end the follow
            log.warning("task %s: event not published (%s)", task.id, type(exc).__name__)

    async def join(self) -> None:
        """Until every task followed now has ended (done, faulted, gone or given up)."""
        while self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    async def aclose(self) -> None:
        for running in list(self._running):
            running.cancel()
        for running in list(self._running):
            with contextlib.suppress(asyncio.CancelledError):
                await running
