"""Delivering a sandbox system's core events to an in-process BFF, as its delivery loop would over HTTP.

In-process tests run the sandbox without an events URL, so what a system emits waits in its outbox (HELD).
`deliver_core_events` signs and posts those events to the app's `/hooks/core` through the test client, once.
"""

from __future__ import annotations

from bff.core.settings import SANDBOX_EVENTS_SECRET
from sandbox.common.events import EventTarget
from sandbox.common.system import System
from tests.harness.portal import BASE_URL, Portal


async def deliver_core_events(system: System, portal: Portal, secret: str = SANDBOX_EVENTS_SECRET) -> int:
    """Post every event `system` has not delivered yet to the portal's `/hooks/core`; how many it took."""
    outbox = system.outbox
    previous = outbox.target
    outbox.target = EventTarget(f"{BASE_URL}/hooks/core", secret)
    system.db.execute("UPDATE event_outbox SET status = 'PENDING' WHERE status = 'HELD'")
    try:
        return await outbox.deliver_due(portal.client)
    finally:
        outbox.target = previous
