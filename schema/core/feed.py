"""The event feed every subscription reads: the viewer's events on this instance's bus, for as long as their
session lasts, with the objects read fresh for each event.

Each subscription listens to the viewer's subscriber on the bus (`bff.core.bus`) and, for every event,
decides whether the viewer may see it (a SITE user: only their sub-services and their invoices; never the
wallet; never another subscriber), then reads the object fresh from the backends and yields it. Fresh means
a new set of dataloaders per event: the connection's context lives as long as the socket and its cache
would otherwise serve the state of the first event forever.

A viewer whose session ended (logout, revocation, refresh-token reuse) stops receiving: the session is
checked for every event (one cheap session-store read, batched with the other subscriptions' checks of the
same event), and the stream then completes; a new subscription on the same socket is refused as
UNAUTHENTICATED.

When the session store cannot answer (Redis restarting), a stream whose session was confirmed less than an
access-token lifetime ago stays open and keeps delivering — an access token is trusted that long anyway;
past that it ends with SESSION_STORE_UNAVAILABLE and the client subscribes again.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator, Collection
from datetime import UTC, datetime
from typing import Any

from starlette.websockets import WebSocket, WebSocketState
from strawberry.types import Info

from adapters.errors import BackendError
from bff.core.auth.directory import USER_UPDATED
from bff.core.auth.viewer import Viewer
from bff.core.bus import PAYMENT_SETTLED, SESSION_REVOKED, BusEvent
from bff.core.redis_client import OUTAGES
from schema.core.context import Context
from schema.core.errors import SessionStoreUnavailable
from schema.core.loaders import Loaders

log = logging.getLogger("wispgate.subscriptions")

SETTLED = PAYMENT_SETTLED
# Events no subscription yields but every subscription checks its session on.
SESSION_EVENTS = frozenset({USER_UPDATED, SESSION_REVOKED})


def fresh_loaders(context: Context) -> Loaders:
    """A new loader set for this event, also used by the fields of the object yielded for it."""
    return context.renew_loaders()


async def _still_signed_in(context: Context, viewer: Viewer) -> bool:
    # Active, not disabled, and still the identity this viewer was built from: a role or scope change in
    # the CRM ends the stream, and the client subscribes again with a refreshed token.
    if await context.sessions.is_active(viewer.session_id, viewer.session_version):
        return True
    # Later subscribes on this socket are refused too (the client refreshes or logs in again).
    context.viewer = None
    context.credential_error = "SESSION_ENDED"
    return False


def _concerns_sites(viewer: Viewer, event: BusEvent) -> bool:
    """SITE users: an event about particular sub-services must be about one of theirs."""
    if not viewer.is_site_user or not event.subservice_ids:
        return True
    return not viewer.site_subservice_ids.isdisjoint(event.subservice_ids)


async def viewer_events(context: Context, viewer: Viewer, types: Collection[str]) -> AsyncIterator[BusEvent]:
    """The viewer's events of `types`, for as long as the session is active. A change to one of the
    subscriber's users is checked against this viewer's session even though no subscription yields it."""
    confirmed_at = time.monotonic()  # `subscribing_viewer` has just checked the session
    grace_s = context.settings.access_ttl.total_seconds()
    async for event in context.bus.listen(viewer.subscriber_id):
        if event.subscriber_id != viewer.subscriber_id:
            continue
        if event.type not in types and event.type not in SESSION_EVENTS:
            continue
        if event.type == SESSION_REVOKED and viewer.session_id in texts(event.data, "session_ids"):
            await _close_socket(context)
            return
        try:
            signed_in = await _still_signed_in(context, viewer)
        except OUTAGES as exc:
            unchecked_s = time.monotonic() - confirmed_at
            if unchecked_s > grace_s:
                log.warning("subscription of user %s ended: session store unavailable", viewer.user_id)
                raise SessionStoreUnavailable() from exc
            log.info("session store unavailable; session confirmed %.0f s ago, still delivering", unchecked_s)
            signed_in = True
        else:
            confirmed_at = time.monotonic() if signed_in else confirmed_at
        if not signed_in:
            log.info("subscription of user %s ended: session ended", viewer.user_id)
            return
        if event.type not in types or not _concerns_sites(viewer, event):
            continue
        yield event


async def _close_socket(context: Context) -> None:
    """A session ended from elsewhere (another device, the owner): its socket closes, so the client knows at
    once that it must sign in again (4401, as graphql-transport-ws closes an unauthorized connection)."""
    context.viewer = None
    context.credential_error = "SESSION_ENDED"
    socket = context.request
    if isinstance(socket, WebSocket) and socket.client_state is WebSocketState.CONNECTED:
        with contextlib.suppress(RuntimeError, OSError):
            await socket.close(code=4401, reason="Session ended")


async def subscribing_viewer(info: Info[Context, None]) -> Viewer:
    """The viewer at subscribe time (UNAUTHENTICATED without one, or when its session has ended)."""
    context = info.context
    viewer = context.require_viewer()
    if not await _still_signed_in(context, viewer):
        context.require_viewer()  # raises with SESSION_ENDED
    return viewer


def text(data: Any, key: str) -> str | None:
    value = data.get(key) if hasattr(data, "get") else None
    return value if isinstance(value, str) and value else None


def texts(data: Any, key: str) -> list[str]:
    value = data.get(key) if hasattr(data, "get") else None
    return [v for v in value if isinstance(v, str) and v] if isinstance(value, list) else []


def moment(raw: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return datetime.now(UTC)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def skipped(event: BusEvent, exc: BackendError) -> None:
    # One event that cannot be read now must not end the stream; the portal re-queries after gaps anyway.
    log.warning("subscription skipped event %s (%s): %s", event.id, event.type, exc)
