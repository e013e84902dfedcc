"""An open subscription whose session cannot be checked (the session store is down) keeps delivering for up to
an access-token lifetime since its last successful check, then ends with SESSION_STORE_UNAVAILABLE; a session
the store says has ended still ends the stream at once."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from bff.core.auth.viewer import Identity, Viewer
from bff.core.bus import PAYMENT_SETTLED, BusEvent, MemoryBus
from bff.core.settings import Settings
from schema.core.context import Context
from schema.core.errors import SessionStoreUnavailable
from schema.core.feed import viewer_events
from tests.harness.portal import portal_settings

OWNER = Identity("U-1", "owner@example.net", "Owner", "OWNER", "SUB-1", frozenset())
VIEWER = Viewer.of_identity(OWNER, "S-1", 1)


class Sessions:
    """A session store that is down (`down`), or says the session is active (`active`)."""

    def __init__(self) -> None:
        self.down = False
        self.active = True

    async def is_active(self, session_id: str, version: int | None = None) -> bool:
        if self.down:
            raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        return self.active


@dataclass
class FeedContext:
    """What `viewer_events` reads of a `Context`."""

    settings: Settings
    bus: MemoryBus
    sessions: Sessions
    viewer: Viewer | None = VIEWER
    credential_error: str | None = None
    request: Any = None


def settled(n: int) -> BusEvent:
    return BusEvent(id=f"evt-{n}", type=PAYMENT_SETTLED, subscriber_id="SUB-1", data={"n": n})


async def test_an_outage_is_tolerated_for_an_access_token_lifetime_then_ends_the_stream(
    tmp_path: Path,
) -> None:
    bus = MemoryBus()
    sessions = Sessions()
    context = FeedContext(portal_settings(tmp_path, ACCESS_TOKEN_TTL_S="1"), bus, sessions)
    received: list[str] = []

    async def consume() -> None:
        async for event in viewer_events(cast(Context, context), VIEWER, {PAYMENT_SETTLED}):
            received.append(event.id)

    task = asyncio.create_task(consume())
    try:
        async with asyncio.timeout(10):
            while bus.listener_count("SUB-1") == 0:  # noqa: ASYNC110 - a plain condition
                await asyncio.sleep(0.001)
            sessions.down = True
            await bus.publish(settled(1))  # just confirmed at subscribe time: delivered
            while len(received) < 1:  # noqa: ASYNC110 - a plain condition
                await asyncio.sleep(0.001)
            await asyncio.sleep(1.2)  # longer than the access-token lifetime without a successful check
            await bus.publish(settled(2))
            with pytest.raises(SessionStoreUnavailable):
                await task
        assert received == ["evt-1"]
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, SessionStoreUnavailable):
            await task
        await bus.close()


async def test_a_successful_check_restarts_the_grace_and_an_ended_session_still_ends_it(
    tmp_path: Path,
) -> None:
    bus = MemoryBus()
    sessions = Sessions()
    context = FeedContext(portal_settings(tmp_path, ACCESS_TOKEN_TTL_S="1"), bus, sessions)
    received: list[str] = []

    async def consume() -> None:
        async for event in viewer_events(cast(Context, context), VIEWER, {PAYMENT_SETTLED}):
            received.append(event.id)

    task = asyncio.create_task(consume())
    try:
        async with asyncio.timeout(10):
            while bus.listener_count("SUB-1") == 0:  # noqa: ASYNC110 - a plain condition
                await asyncio.sleep(0.001)
            await asyncio.sleep(1.2)
            await bus.publish(settled(1))  # store up: checked, delivered, grace starts again
            while len(received) < 1:  # noqa: ASYNC110 - a plain condition
                await asyncio.sleep(0.001)
            sessions.down = True
            await bus.publish(settled(2))  # within the renewed grace: delivered
            while len(received) < 2:  # noqa: ASYNC110 - a plain condition
                await asyncio.sleep(0.001)
            sessions.down, sessions.active = False, False
            await bus.publish(settled(3))  # the store says the session ended: the stream completes
            await task
        assert received == ["evt-1", "evt-2"]
        assert context.credential_error == "SESSION_ENDED"
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await bus.close()
