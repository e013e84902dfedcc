"""The task follower (`bff.core.task_follow`): what an ACS that sends no events (GenieACS) does is asked again
until it ends, and each status seen is published once as `device.task_changed`, addressed to the task's
subscriber and sub-service."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from adapters.errors import NotFound, Unavailable
from adapters.ports.cpe import DeviceTask
from bff.core.bus import BusEvent
from bff.core.task_follow import TaskFollower

T0 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
PENDING = DeviceTask(
    id="6b06b1a0e1f3a20b5c0d1e2f:W:DEV",
    device_id="DEV",
    subservice_id="SS-1001-1",
    action="CHANGE_WIFI",
    status="PENDING",
    created_at=T0,
    updated_at=T0,
)


class ScriptedOss:
    """Answers `task()` from a script: a status, or an exception to raise."""

    def __init__(self, *answers: str | Exception) -> None:
        self.answers = list(answers)
        self.asked = 0

    async def task(self, task_id: str) -> DeviceTask:
        self.asked += 1
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return msgspec.structs.replace(PENDING, status=answer)


class Crm:
    def __init__(self, *failures: Exception) -> None:
        self.failures = list(failures)

    async def subservices(self, ids: Sequence[str]) -> dict[str, Any]:
        if self.failures:
            raise self.failures.pop(0)

        class Record:
            subscriber_id = "SUB-1001"

        return {i: Record() for i in ids if i == "SS-1001-1"}


class Bus:
    def __init__(self, fail_first: int = 0) -> None:
        self.events: list[BusEvent] = []
        self.fail_first = fail_first

    async def publish(self, event: BusEvent) -> None:
        if self.fail_first:
            self.fail_first -= 1
            raise RedisConnectionError("down")
        self.events.append(event)


async def follow(oss: ScriptedOss, bus: Bus, crm: Crm | None = None, follow_s: float = 30.0) -> None:
    follower = TaskFollower(oss, crm or Crm(), bus, poll_s=0.001, follow_s=follow_s)  # type: ignore[arg-type]
    follower.follow(PENDING)
    await follower.join()


async def test_pending_then_done_each_published_once() -> None:
    bus, oss = Bus(), ScriptedOss("PENDING", "PENDING", "DONE")
    await follow(oss, bus)
    assert [e.data["status"] for e in bus.events] == ["PENDING", "DONE"]
    done = bus.events[-1]
    assert (done.type, done.subscriber_id, done.subservice_ids) == (
        "device.task_changed",
        "SUB-1001",
        ("SS-1001-1",),
    )
    assert done.data == {"task_id": PENDING.id, "device_id": "DEV", "status": "DONE"}
    assert oss.asked == 3  # and no more once it ended


async def test_outages_are_waited_out_and_a_fault_is_published() -> None:
    bus = Bus(fail_first=1)  # the PENDING event is lost to a bus outage; following goes on
    oss = ScriptedOss(Unavailable("genieacs", "down"), "FAILED")
    await follow(oss, bus, Crm(Unavailable("crm", "down")))
    assert [e.data["status"] for e in bus.events] == ["FAILED"]


async def test_a_task_whose_device_is_gone_is_no_longer_followed() -> None:
    bus, oss = Bus(), ScriptedOss(NotFound("oss", "gone"))
    await follow(oss, bus)
    assert [e.data["status"] for e in bus.events] == ["PENDING"] and oss.asked == 1


async def test_following_ends_after_its_time() -> None:
    bus, oss = Bus(), ScriptedOss("PENDING")
    await follow(oss, bus, follow_s=0.05)
    assert [e.data["status"] for e in bus.events] == ["PENDING"] and oss.asked >= 1


async def test_a_subservice_the_crm_does_not_know_publishes_nothing() -> None:
    bus, oss = Bus(), ScriptedOss("DONE")
    follower = TaskFollower(oss, Crm(), bus, poll_s=0.001, follow_s=30)  # type: ignore[arg-type]
    follower.follow(msgspec.structs.replace(PENDING, subservice_id="SS-NOPE"))
    await follower.join()
    assert bus.events == [] and oss.asked == 0


@pytest.mark.parametrize("status", ["DONE", "FAILED"])
async def test_a_task_that_already_ended_is_published_and_not_asked_again(status: str) -> None:
    bus, oss = Bus(), ScriptedOss("PENDING")
    follower = TaskFollower(oss, Crm(), bus, poll_s=0.001, follow_s=30)  # type: ignore[arg-type]
    follower.follow(msgspec.structs.replace(PENDING, status=status))
    await follower.join()
    assert [e.data["status"] for e in bus.events] == [status] and oss.asked == 0
