"""The event bus: what happened to a subscriber's account (a payment settled, a service came back, a new
notification), fanned out to every open subscription of that subscriber — on every BFF instance.

`MemoryBus` serves one process (no `REDIS_URL`). `RedisBus` shares events between instances through ONE Redis
pub/sub connection per process on one channel; each process fans the messages out in-process to its listeners
by subscriber id (a Redis subscription per WebSocket would cost a connection and CPU per message each). It
reconnects and subscribes again on its own when Redis goes away and comes back.

Each event is stamped when it is published (`published_at`); delivery into an instance reports the lag to
`on_delivered` (the app's metrics), so a slow Redis or a busy process shows as bus lag.

An event id is delivered once per process: the fanout remembers the last `RECENT_IDS` ids it delivered and
drops a repeat. Publishers repeat events on purpose — a webhook redelivered after a crash, or after Redis
lost the marks, re-runs its steps, the push included, rather than risk losing one — and a subscriber must
see one push per payment, not one per attempt.

A listener's queue is bounded: a consumer that falls more than `MAX_PENDING` events behind loses the oldest
ones (logged) rather than growing without limit. Subscriptions read objects fresh for each event, so a
dropped event costs at most a stale screen until the next one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

log = logging.getLogger("wispgate.bus")

MAX_PENDING = 1000
# Event ids the fanout remembers: far more than the events of the few minutes in which a redelivery repeats
# one (a gateway retries within seconds to hours; ids cost ~100 bytes each).
RECENT_IDS = 10_000
EVENT_TYPES = (
    "payment.settled",
    "payment.failed",
    "invoice.created",
    "invoice.updated",
    "wallet.changed",
    "service.status_changed",
    "service.profile_changed",
    "notification.created",
    "ticket.created",
    "ticket.updated",
    "portal_user.updated",
    "session.revoked",
)

PAYMENT_SETTLED = "payment.settled"
# Sessions ended from elsewhere (`data.session_ids`): their open subscriptions end and their sockets close.
SESSION_REVOKED = "session.revoked"
# `data.kind` of a payment.settled event: what the payment was for.
SETTLED_INVOICE = "INVOICE"
SETTLED_WALLET_TOPUP = "WALLET_TOPUP"
SETTLED_ADD_ON = "ADD_ON"
# A sub-service's bandwidth profile changed (a plan change): AAA's core event, and the BFF's own once AAA
# confirmed an upgrade it asked for (`data.subservice_id`).
PROFILE_CHANGED = "service.profile_changed"


@dataclass(frozen=True, slots=True)
class BusEvent:
    id: str  # unique: core event id, or f"{payment ref}:settled" etc.
    type: str  # one of EVENT_TYPES
    subscriber_id: str
    subservice_ids: tuple[str, ...] = ()  # the sub-services it concerns; () = the whole account
    data: Mapping[str, Any] = field(default_factory=dict)  # JSON-safe
    occurred_at: str = ""  # ISO 8601 UTC
    # When it was put on the bus (Unix time, sub-second): the start of the lag measured at delivery. 0 = not
    # stamped (`occurred_at` is the business event's time, to the second, often long before publishing).
    # Transport metadata, not part of what the event is: equality ignores it.
    published_at: float = field(default=0.0, compare=False)

    def to_json(self) -> str:
        return json.dumps(
            {
                "id": self.id,
                "type": self.type,
                "subscriber_id": self.subscriber_id,
                "subservice_ids": list(self.subservice_ids),
                "data": dict(self.data),
                "occurred_at": self.occurred_at,
                "published_at": self.published_at,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, raw: str | bytes) -> BusEvent:
        """Raises ValueError for anything that is not a bus event."""
        body = json.loads(raw)
        if not isinstance(body, dict):
            raise ValueError("a bus event is a JSON object")
        texts = {k: body.get(k) for k in ("id", "type", "subscriber_id")}
        if not all(isinstance(v, str) and v for v in texts.values()):
            raise ValueError("a bus event needs id, type and subscriber_id")
        subservice_ids = body.get("subservice_ids", [])
        data = body.get("data", {})
        occurred_at = body.get("occurred_at", "")
        published_at = body.get("published_at", 0.0)
        if not isinstance(subservice_ids, list) or not all(isinstance(i, str) for i in subservice_ids):
            raise ValueError("subservice_ids must be a list of strings")
        if not isinstance(data, dict) or not isinstance(occurred_at, str):
            raise ValueError("data must be an object and occurred_at a string")
        if not isinstance(published_at, int | float) or isinstance(published_at, bool):
            published_at = 0.0
        return cls(
            id=str(texts["id"]),
            type=str(texts["type"]),
            subscriber_id=str(texts["subscriber_id"]),
            subservice_ids=tuple(subservice_ids),
            data=data,
            occurred_at=occurred_at,
            published_at=float(published_at),
        )


def _stamped(event: BusEvent) -> BusEvent:
    return replace(event, published_at=time.time())


def _ignore_lag(_lag_s: float) -> None:
    return None


class EventBus(Protocol):
    async def publish(self, event: BusEvent) -> None: ...

    def listen(self, subscriber_id: str) -> AsyncIterator[BusEvent]:
        """An async generator of this subscriber's events, registered when iteration starts and removed when
        the generator is closed (client unsubscribed / disconnected)."""
        ...

    async def close(self) -> None: ...


class _Closed:
    """Put in a listener's queue when the bus closes: its generator ends."""


_CLOSED = _Closed()


class _Listener:
    __slots__ = ("queue", "subscriber_id")

    def __init__(self, subscriber_id: str) -> None:
        self.subscriber_id = subscriber_id
        self.queue: asyncio.Queue[BusEvent | _Closed] = asyncio.Queue(maxsize=MAX_PENDING)

    def offer(self, item: BusEvent | _Closed) -> None:
        if self.queue.full():
            dropped = self.queue.get_nowait()
            if isinstance(dropped, BusEvent):
                log.warning(
                    "slow listener of %s: dropped event %s (%s)", self.subscriber_id, dropped.id, dropped.type
                )
        self.queue.put_nowait(item)


class _Fanout:
    """This process's listeners by subscriber id."""

    def __init__(self, on_delivered: Callable[[float], None] = _ignore_lag) -> None:
        self._listeners: dict[str, set[_Listener]] = {}
        self._recent: OrderedDict[str, None] = OrderedDict()
        self.closed = False
        self.on_delivered = on_delivered

    def deliver(self, event: BusEvent) -> None:
        if event.id in self._recent:
            log.info("bus: event %s (%s) delivered before; dropped", event.id, event.type)
            return
        self._recent[event.id] = None
        if len(self._recent) > RECENT_IDS:
            self._recent.popitem(last=False)
        if event.published_at:
            self.on_delivered(time.time() - event.published_at)
        for listener in tuple(self._listeners.get(event.subscriber_id, ())):
            listener.offer(event)

    def count(self, subscriber_id: str | None = None) -> int:
        if subscriber_id is not None:
            return len(self._listeners.get(subscriber_id, ()))
        return sum(len(s) for s in self._listeners.values())

    async def listen(self, subscriber_id: str) -> AsyncIterator[BusEvent]:
        if self.closed:
            return
        listener = _Listener(subscriber_id)
        self._listeners.setdefault(subscriber_id, set()).add(listener)
        try:
            while True:
                item = await listener.queue.get()
                if isinstance(item, _Closed):
                    return
                yield item
        finally:
            group = self._listeners.get(subscriber_id)
            if group is not None:
                group.discard(listener)
                if not group:
                    del self._listeners[subscriber_id]

    def close(self) -> None:
        self.closed = True
        for group in self._listeners.values():
            for listener in group:
                listener.offer(_CLOSED)


class MemoryBus:
    """One process's bus (the embedded default, without REDIS_URL)."""

    def __init__(self, on_delivered: Callable[[float], None] = _ignore_lag) -> None:
        self._fanout = _Fanout(on_delivered)

    async def publish(self, event: BusEvent) -> None:
        self._fanout.deliver(_stamped(event))

    def listen(self, subscriber_id: str) -> AsyncIterator[BusEvent]:
        return self._fanout.listen(subscriber_id)

    def listener_count(self, subscriber_id: str | None = None) -> int:
        return self._fanout.count(subscriber_id)

    async def close(self) -> None:
        self._fanout.close()


class RedisBus:
    """Events shared by every instance through one Redis channel; `start()` before use, `close()` after.

    One pub/sub connection per process (`subscriber`, a client of its own: `bff.core.redis_client`), read by
    one task that fans each message out in-process. When the connection breaks (Redis killed, restarted,
    failed over) the task subscribes again with a growing, jittered delay (`reconnect_delay_s` doubling up
    to `max_reconnect_delay_s`) until Redis answers, and the listeners — every open GraphQL subscription —
    never notice, except for what was published while nobody was subscribed: pub/sub keeps nothing, and
    those events are lost (a subscription reads its objects fresh at the next event)."""

    def __init__(
        self,
        redis: Redis,
        channel: str = "wg:events",
        *,
        subscriber: Redis | None = None,
        reconnect_delay_s: float = 0.1,
        max_reconnect_delay_s: float = 5.0,
        confirm_timeout_s: float = 5.0,
        on_delivered: Callable[[float], None] = _ignore_lag,
    ) -> None:
        self.redis = redis
        self.subscriber = subscriber if subscriber is not None else redis
        self.channel = channel
        self.reconnect_delay_s = reconnect_delay_s
        self.max_reconnect_delay_s = max_reconnect_delay_s
        self.confirm_timeout_s = confirm_timeout_s
        self._fanout = _Fanout(on_delivered)
        self._reader: asyncio.Task[None] | None = None
        # Set while a confirmed subscription is being read; `subscriptions` counts them (1 after `start`).
        self.subscribed = asyncio.Event()
        self.subscriptions = 0

    async def start(self) -> None:
        """Subscribe (confirmed by Redis before this returns, so nothing published afterwards is missed)
        and start the reader. Raises when Redis cannot be reached: an instance does not start without it."""
        pubsub = await self._subscribe()
        self._reader = asyncio.create_task(self._run(pubsub), name=f"bus-reader:{self.channel}")

    async def _subscribe(self) -> PubSub:
        pubsub = self.subscriber.pubsub()
        try:
            async with asyncio.timeout(self.confirm_timeout_s):
                await pubsub.subscribe(self.channel)
                while True:
                    message = await pubsub.get_message(timeout=1.0)
                    if message is not None and message.get("type") == "subscribe":
                        break
        except BaseException:
            await _discard(pubsub)
            raise
        self.subscriptions += 1
        self.subscribed.set()
        return pubsub

    async def _run(self, pubsub: PubSub | None) -> None:
        failures = 0
        while True:
            try:
                if pubsub is None:
                    pubsub = await self._subscribe()
                    log.warning(
                        "bus: subscribed to %s again after %d failed attempt(s)", self.channel, failures
                    )
                failures = 0
                await self._read(pubsub)
            except (RedisError, OSError, TimeoutError) as exc:
                if failures == 0:
                    log.warning("bus: lost the Redis subscription (%s); reconnecting", type(exc).__name__)
                failures += 1
            except Exception:  # a bug of ours must not leave the instance deaf for good
                log.exception("bus: the reader failed; subscribing again")
                failures += 1
            finally:
                self.subscribed.clear()
                if pubsub is not None:
                    await _discard(pubsub)
                    pubsub = None
            await asyncio.sleep(self._delay(failures))

    def _delay(self, failures: int) -> float:
        # Full jitter keeps many instances from reconnecting in step after a Redis restart.
        ceiling = min(self.max_reconnect_delay_s, self.reconnect_delay_s * 2 ** min(failures, 16))
        return random.uniform(ceiling / 2, ceiling)

    async def _read(self, pubsub: PubSub) -> None:
        """Deliver messages until the connection fails (raises)."""
        while True:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            if message is None or message.get("type") != "message":
                continue
            try:
                event = BusEvent.from_json(message["data"])
            except ValueError:
                log.warning("bus: ignored a malformed message on %s", self.channel)
                continue
            self._fanout.deliver(event)

    async def publish(self, event: BusEvent) -> None:
        await self.redis.publish(self.channel, _stamped(event).to_json())

    def listen(self, subscriber_id: str) -> AsyncIterator[BusEvent]:
        return self._fanout.listen(subscriber_id)

    def listener_count(self, subscriber_id: str | None = None) -> int:
        return self._fanout.count(subscriber_id)

    async def close(self) -> None:
        self._fanout.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None


async def _discard(pubsub: PubSub) -> None:
    """Close a subscription's connection (unsubscribing is implied; a broken one cannot answer anyway)."""
    with contextlib.suppress(RedisError, OSError):
        await pubsub.aclose()  # type: ignore[no-untyped-call]


@contextlib.asynccontextmanager
async def open_bus(
    redis: Redis | None,
    channel: str,
    on_delivered: Callable[[float], None] = _ignore_lag,
    *,
    subscriber: Redis | None = None,
) -> AsyncIterator[MemoryBus | RedisBus]:
    """The process's bus for the app's lifespan: Redis-backed when Redis is configured (`subscriber`: the
    client whose connection the subscription holds; by default `redis`'s)."""
    bus: MemoryBus | RedisBus
    if redis is None:
        bus = MemoryBus(on_delivered)
    else:
        bus = RedisBus(redis, channel, subscriber=subscriber, on_delivered=on_delivered)
        await bus.start()
    try:
        yield bus
    finally:
        await bus.close()
