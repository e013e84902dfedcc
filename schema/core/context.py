"""The per-request GraphQL context: who is asking and how to reach the backends, the bus and the stores.
Built whole, for every HTTP request and WebSocket connection, by one `get_context` (`bff.server.graphql`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from bff.core.auth.service import AuthService
from bff.core.auth.sessions import SessionStore
from bff.core.auth.viewer import Viewer
from bff.core.backends import Backends
from bff.core.bus import EventBus
from bff.core.files import FileLinks
from bff.core.redis_client import STORE_UNAVAILABLE
from bff.core.settings import Settings
from schema.core.errors import SessionStoreUnavailable, Unauthenticated
from schema.core.loaders import Loaders


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | WebSocket  # where resolvers set cookies (the WebSocket itself for subscriptions)
    settings: Settings
    backends: Backends
    auth: AuthService
    sessions: SessionStore
    files: FileLinks
    # The process's event bus (`bff.core.bus`); subscriptions listen on it.
    bus: EventBus
    viewer: Viewer | None
    # Why `viewer` is None although credentials were sent: TOKEN_EXPIRED, TOKEN_INVALID, SESSION_ENDED,
    # USER_DISABLED (clients refresh on TOKEN_EXPIRED); None when none were sent.
    credential_error: str | None = None
    # Per-request dataloaders (`schema.core.loaders`), built on first use inside the request's event loop so
    # that batches and caches never outlive the request or mix viewers.
    _loaders: Loaders | None = field(default=None, init=False, repr=False)

    @property
    def loaders(self) -> Loaders:
        if self._loaders is None:
            self._loaders = Loaders(self.backends)
        return self._loaders

    def renew_loaders(self) -> Loaders:
        """A new loader set (a subscription reads each event fresh: the socket's context outlives a cache)."""
        self._loaders = Loaders(self.backends)
        return self._loaders

    def client(self) -> tuple[str, str]:
        """(address, user agent) of the caller, for the access log: the address as the server resolved it
        (behind a proxy: from `X-Forwarded-For` of a trusted proxy only, see docs/deployment.md)."""
        client = self.request.client
        return (client.host if client is not None else ""), self.request.headers.get("user-agent", "")[:300]

    async def audit(self, action: str, detail: str | None = None) -> None:
        """Record an action of the viewer in the access log (never fails the request)."""
        if self.viewer is not None:
            ip, agent = self.client()
            await self.auth.audit(action, self.viewer, ip=ip, user_agent=agent, detail=detail)

    def require_viewer(self) -> Viewer:
        """The viewer, or an UNAUTHENTICATED error saying why there is none."""
        if self.viewer is None:
            if self.credential_error == STORE_UNAVAILABLE:
                raise SessionStoreUnavailable()
            if self.credential_error == "TOKEN_EXPIRED":
                raise Unauthenticated("Your session token has expired; refresh it.", reason="TOKEN_EXPIRED")
            if self.credential_error is not None:
                raise Unauthenticated(reason=self.credential_error)
            raise Unauthenticated()
        return self.viewer
