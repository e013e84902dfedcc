"""Logging in, refreshing, logging out, and turning a request's access token into a `Viewer`.

The GraphQL mutations are thin wrappers over this; the checks live here so that every entry point (HTTP,
WebSocket, file links later) applies the same rules: a valid token, a session that is still active, and a
portal user the CRM still knows and has not disabled.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from adapters.errors import BackendError, Rejected
from adapters.ports.crm import CrmPort, PortalUser
from bff.core.auth.ratelimit import RateLimiter
from bff.core.auth.sessions import RefreshError, RefreshTokenReused, Session, SessionStore, session_id_of
from bff.core.auth.tokens import AccessToken, TokenError, TokenService
from bff.core.auth.viewer import Viewer
from bff.core.settings import Settings

log = logging.getLogger("wispgate.auth")


class AuthFailure(Exception):
    """A login or refresh the client gets back as a `userError` (code + safe message)."""

    def __init__(self, code: str, message: str, retry_after_s: int = 0) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after_s = retry_after_s


class CredentialError(Exception):
    """The request's access token does not give access; `code` is TOKEN_EXPIRED, TOKEN_INVALID,
    SESSION_ENDED or USER_DISABLED."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class SignedIn:
    viewer: Viewer
    user: PortalUser
    session: Session
    access: AccessToken
    refresh_token: str


class AuthService:
    def __init__(
        self,
        settings: Settings,
        tokens: TokenService,
        sessions: SessionStore,
        limiter: RateLimiter,
        crm: CrmPort,
    ) -> None:
        self.settings = settings
        self.tokens = tokens
        self.sessions = sessions
        self.limiter = limiter
        self.crm = crm

    async def login(self, email: str, password: str, *, user_agent: str, ip: str) -> SignedIn:
        """Raises `AuthFailure` (INVALID_CREDENTIALS, USER_DISABLED, RATE_LIMITED); backend outages propagate."""
        normalized = email.strip().lower()
        # Keyed by e-mail and address together: one attacker cannot lock a user out from everywhere, and one
        # address cannot try a password on an e-mail more than the budget allows.
        key = "login:" + hashlib.sha256(f"{normalized}|{ip}".encode()).hexdigest()
        decision = await self.limiter.hit(key, self.settings.login_attempts, self.settings.login_window)
        if not decision.allowed:
            await self._audit("login_rate_limited", ip=ip, user_agent=user_agent, detail=normalized)
            raise AuthFailure(
                "RATE_LIMITED",
                f"Too many login attempts. Try again in {max(1, decision.retry_after_s // 60)} minute(s).",
                decision.retry_after_s,
            )
        if not normalized or not password:
            raise AuthFailure("INVALID_CREDENTIALS", "The e-mail or password is not correct.")
        try:
            user = await self.crm.verify_credentials(normalized, password)
        except Rejected as exc:
            await self._audit(
                "login_failed", ip=ip, user_agent=user_agent, detail=f"{exc.code} {normalized}"[:200]
            )
            if exc.code == "USER_DISABLED":
                raise AuthFailure(
                    "USER_DISABLED", "This login has been disabled. Contact your account owner."
                ) from None
            raise AuthFailure("INVALID_CREDENTIALS", "The e-mail or password is not correct.") from None
        if user.disabled:
            raise AuthFailure("USER_DISABLED", "This login has been disabled. Contact your account owner.")
        await self.limiter.reset(key)
        session, refresh_token = await self.sessions.create(user.id, user_agent[:300], ip)
        access = self.tokens.issue(user.id, session.id)
        await self._audit(
            "login", user_id=user.id, subscriber_id=user.subscriber_id, ip=ip, user_agent=user_agent
        )
        return SignedIn(Viewer.of(user, session.id), user, session, access, refresh_token)

    async def refresh(self, refresh_token: str) -> SignedIn:
        """Rotate the refresh token; raises `AuthFailure` INVALID_REFRESH_TOKEN (unknown, expired or
        reused — a reuse also ends the session) or USER_DISABLED."""
        try:
            session, new_token = await self.sessions.rotate(refresh_token)
        except RefreshTokenReused:
            log.warning("refresh token reuse detected; session %s revoked", _short(refresh_token))
            await self._audit("session_reuse_revoked", detail=_short(refresh_token))
            raise AuthFailure(
                "INVALID_REFRESH_TOKEN", "Your session has ended. Please log in again."
            ) from None
        except RefreshError:
            raise AuthFailure(
                "INVALID_REFRESH_TOKEN", "Your session has ended. Please log in again."
            ) from None
        user = await self._active_user(session.user_id)
        if user is None:
            await self.sessions.revoke(session.id)
            raise AuthFailure("USER_DISABLED", "This login has been disabled. Contact your account owner.")
        access = self.tokens.issue(user.id, session.id)
        return SignedIn(Viewer.of(user, session.id), user, session, access, new_token)

    async def logout(self, viewer: Viewer | None, refresh_token: str | None) -> bool:
        """End the session of the access token, or else the one the refresh token names. True when one
        ended."""
        session_id = viewer.session_id if viewer else None
        if session_id is None and refresh_token:
            try:
                # Only a holder of the live token may end a session by refresh token alone.
                session, _ = await self.sessions.rotate(refresh_token)
                session_id = session.id
            except RefreshError:
                return False
        if session_id is None:
            return False
        ended = await self.sessions.revoke(session_id)
        if viewer is not None:
            await self._audit("logout", user_id=viewer.user_id, subscriber_id=viewer.subscriber_id)
        return ended

    async def viewer_for(self, access_token: str) -> Viewer:
        """The viewer an access token stands for; raises `CredentialError`. Backend outages propagate."""
        try:
            claims = self.tokens.decode(access_token)
        except TokenError as exc:
            raise CredentialError(exc.code) from None
        if not await self.sessions.is_active(claims.session_id):
            raise CredentialError("SESSION_ENDED")
        user = await self._active_user(claims.user_id)
        if user is None:
            raise CredentialError("USER_DISABLED")
        return Viewer.of(user, claims.session_id)

    async def _active_user(self, user_id: str) -> PortalUser | None:
        user = (await self.crm.users([user_id])).get(user_id)
        return user if user is not None and not user.disabled else None

    async def _audit(
        self,
        action: str,
        *,
        user_id: str | None = None,
        subscriber_id: str | None = None,
        ip: str | None = None,
        user_agent: str | None = None,
        detail: str | None = None,
    ) -> None:
        # The access log matters, but not more than letting the subscriber in: a failed write is logged.
        try:
            await self.crm.record_audit(
                action,
                user_id=user_id,
                subscriber_id=subscriber_id,
                ip=ip or None,
                user_agent=(user_agent or "")[:300] or None,
                detail=detail,
            )
        except BackendError as exc:
            log.warning("could not record audit entry %s: %s", action, exc)


def _short(refresh_token: str) -> str:
    try:
        return session_id_of(refresh_token)[:8]
    except RefreshError:
        return "?"
