"""`MemoryBus` and `RedisBus` pass the same suite (RedisBus over a real Redis); two RedisBus instances stand in
for two BFF processes sharing one Redis."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from redis.asyncio import Redis

from bff.core.bus import MAX_PENDING, RECENT_IDS, BusEvent, MemoryBus, RedisBus, open_bus

Bus = MemoryBus | RedisBus
MakeBus = Callable[[], Awaitable[Bus]]


def event(n: int = 1, subscriber_id: str = "SUB-1", type_: str = "invoice.updated") -> BusEvent:
    return BusEvent(
        id=f"evt-{n}",
        type=type_,
        subscriber_id=subscriber_id,
        subservice_ids=("SS-1",),
        data={"invoice_id": f"INV-{n}"},
        occurred_at="2026-11-25T10:00:00Z",
    )


@pytest.fixture(params=["memory", "redis"])
async def make_bus(request: pytest.FixtureRequest) -> AsyncIterator[MakeBus]:
    """`await make_bus()`: another bus on the same channel ("another process" for Redis)."""
    buses: list[Bus] = []
    clients: list[Redis] = []
    channel = f"wgtest-{uuid.uuid4().hex[:12]}:events"
    shared_memory = MemoryBus()

    async def make() -> Bus:
        if request.param == "memory":
            return shared_memory
        redis = Redis.from_url(request.getfixturevalue("redis_url"))
        clients.append(redis)
        bus = RedisBus(redis, channel)
        await bus.start()
        buses.append(bus)
        return bus

    yield make
    for bus in buses:
        await bus.close()
    await shared_memory.close()
    for client in clients:
        await client.aclose()


async def until(condition: Callable[[], bool], within_s: float = 5.0) -> None:
    async with asyncio.timeout(within_s):
        while not condition():  # noqa: ASYNC110 - polling a plain condition in a test
            await asyncio.sleep(0.002)


class Collector:
    def __init__(self, bus: Bus, subscriber_id: str) -> None:
        self.bus = bus
        self.subscriber_id = subscriber_id
        self.events: list[BusEvent] = []
        self.stream = bus.listen(subscriber_id)
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> Collector:
        before = self.bus.listener_count(self.subscriber_id)

        async def run() -> None:
            async for item in self.stream:
                self.events.append(item)

        self.task = asyncio.create_task(run())
        await until(lambda: self.bus.listener_count(self.subscriber_id) > before)
        return self

    async def until(self, count: int) -> list[BusEvent]:
        await until(lambda: len(self.events) >= count)
        return self.events

    async def stop(self) -> None:
        assert self.task is not None
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


def test_events_round_trip_through_json() -> None:
    original = event(7)
    assert BusEvent.from_json(original.to_json()) == original
    assert BusEvent.from_json(original.to_json().encode()) == original
    assert BusEvent.from_json('{"id": "e", "type": "wallet.changed", "subscriber_id": "S"}') == BusEvent(
        "e", "wallet.changed", "S"
    )


@pytest.mark.parametrize(
    "raw",
    [
        "[]",
        "{}",
        '{"id": "", "type": "t", "subscriber_id": "s"}',
        '{"id": "e", "type": "t", "subscriber_id": "s", "subservice_ids": "SS-1"}',
        '{"id": "e", "type": "t", "subscriber_id": "s", "data": []}',
        "not json",
    ],
)
def test_malformed_events_are_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        BusEvent.from_json(raw)


async def test_a_listener_receives_its_subscribers_events_in_order(make_bus: MakeBus) -> None:
    bus = await make_bus()
    mine = await Collector(bus, "SUB-1").start()
    theirs = await Collector(bus, "SUB-2").start()
    for n in range(1, 4):
        await bus.publish(event(n))
    await bus.publish(event(9, subscriber_id="SUB-2"))
    assert [e.id for e in await mine.until(3)] == ["evt-1", "evt-2", "evt-3"]
    assert [e.id for e in await theirs.until(1)] == ["evt-9"]
    assert mine.events[0] == event(1)
    await asyncio.sleep(0.05)
    assert len(mine.events) == 3
    await mine.stop()
    await theirs.stop()


async def test_every_listener_of_a_subscriber_gets_every_event(make_bus: MakeBus) -> None:
    bus = await make_bus()
    tabs = [await Collector(bus, "SUB-1").start() for _ in range(3)]
    await bus.publish(event(1))
    for tab in tabs:
        assert [e.id for e in await tab.until(1)] == ["evt-1"]
        await tab.stop()


async def test_a_closed_listener_is_removed(make_bus: MakeBus) -> None:
    bus = await make_bus()
    stream = bus.listen("SUB-1")
    assert bus.listener_count("SUB-1") == 0  # registered when iteration starts, not before
    pending = asyncio.ensure_future(anext(stream))
    await until(lambda: bus.listener_count("SUB-1") == 1)
    await bus.publish(event(1))
    assert (await pending).id == "evt-1"
    await stream.aclose()  # type: ignore[attr-defined]
    assert bus.listener_count("SUB-1") == 0
    assert bus.listener_count() == 0


async def test_a_cancelled_subscription_is_removed(make_bus: MakeBus) -> None:
    bus = await make_bus()
    collector = await Collector(bus, "SUB-1").start()
    await collector.stop()
    assert bus.listener_count("SUB-1") == 0


async def test_a_slow_listener_loses_the_oldest_events_not_the_newest(
    make_bus: MakeBus, caplog: pytest.LogCaptureFixture
) -> None:
    bus = await make_bus()
    stream = bus.listen("SUB-1")
    first = asyncio.ensure_future(anext(stream))
    await until(lambda: bus.listener_count("SUB-1") == 1)
    total = MAX_PENDING + 50

    def drops() -> int:
        return sum("dropped event" in r.getMessage() for r in caplog.records)

    with caplog.at_level(logging.WARNING, logger="wispgate.bus"):
        for n in range(total):
            await bus.publish(event(n))
        # Nobody reads while they arrive: all but the newest MAX_PENDING (and the one the waiting reader
        # may have taken) are dropped, each with a log line.
        await until(lambda: drops() >= total - MAX_PENDING - 1)
        received = [await first]
        while len(received) < total - drops():
            async with asyncio.timeout(2):
                received.append(await anext(stream))
    await stream.aclose()  # type: ignore[attr-defined]
    numbers = [int(e.id.removeprefix("evt-")) for e in received]
    assert numbers == sorted(numbers)
    assert numbers[-1] == total - 1  # the newest are kept
    assert MAX_PENDING <= len(numbers) <= MAX_PENDING + 1
    assert drops() == total - len(numbers)


async def test_closing_the_bus_ends_its_listeners(make_bus: MakeBus) -> None:
    bus = await make_bus()
    collector = await Collector(bus, "SUB-1").start()
    await bus.close()
    assert collector.task is not None
    async with asyncio.timeout(2):
        await collector.task
    assert collector.task.done() and not collector.task.cancelled()


async def test_a_publish_on_one_process_reaches_a_listener_on_another(make_bus: MakeBus) -> None:
    one, other = await make_bus(), await make_bus()
    on_other = await Collector(other, "SUB-1").start()
    on_one = await Collector(one, "SUB-1").start()
    await one.publish(event(1))
    assert [e.id for e in await on_other.until(1)] == ["evt-1"]
    assert [e.id for e in await on_one.until(1)] == ["evt-1"]
    await on_other.stop()
    await on_one.stop()


async def test_redis_bus_uses_one_subscription_and_skips_garbage(redis_url: str) -> None:
    channel = f"wgtest-{uuid.uuid4().hex[:12]}:events"
    redis: Any = Redis.from_url(redis_url)
    try:
        async with open_bus(redis, channel) as bus:
            assert isinstance(bus, RedisBus)
            collectors = [await Collector(bus, f"SUB-{i}").start() for i in range(5)]
            # Five listeners, one Redis subscriber on the channel.
            assert (await redis.pubsub_numsub(channel))[0][1] == 1
            await redis.publish(channel, b"not an event")
            await bus.publish(event(1, subscriber_id="SUB-3"))
            assert [e.id for e in await collectors[3].until(1)] == ["evt-1"]
            for collector in collectors:
                await collector.stop()
        assert (await redis.pubsub_numsub(channel))[0][1] == 0
    finally:
        await redis.aclose()


async def test_memory_bus_is_the_default_without_redis() -> None:
    async with open_bus(None, "unused") as bus:
        assert isinstance(bus, MemoryBus)


async def test_an_event_id_is_delivered_once_however_often_it_is_published(make_bus: MakeBus) -> None:
    # A webhook redelivered after a crash publishes its push again; the subscriber sees it once.
    publisher, receiver = await make_bus(), await make_bus()
    collector = await Collector(receiver, "SUB-1").start()
    await publisher.publish(event(1))
    await receiver.publish(event(1))
    await publisher.publish(event(2))
    await publisher.publish(event(1))
    await collector.until(2)
    await publisher.publish(event(3))  # after the repeats: once it is in, they were dropped
    assert [e.id for e in await collector.until(3)] == ["evt-1", "evt-2", "evt-3"]
    await asyncio.sleep(0.05)
    assert len(collector.events) == 3
    await collector.stop()


async def test_the_fanout_forgets_the_oldest_ids_beyond_its_bound() -> None:
    bus = MemoryBus()
    collector = await Collector(bus, "SUB-1").start()
    for n in range(RECENT_IDS + 1):
        await bus.publish(event(n))
        if n % 500 == 0:
            await collector.until(n + 1)  # let it read: the queue holds only MAX_PENDING
    await bus.publish(event(0))  # forgotten by now: delivered again
    await bus.publish(event(RECENT_IDS))  # remembered: dropped
    await collector.until(RECENT_IDS + 2)
    await asyncio.sleep(0.01)
    assert len(collector.events) == RECENT_IDS + 2
    await collector.stop()
    await bus.close()
