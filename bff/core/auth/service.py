"""Logging in, refreshing, logging out, and turning a request's access token into a `Viewer`.

The GraphQL mutations are thin wrappers over this; the checks live here so that every entry point (HTTP,
WebSocket, file links) applies the same rules: a valid token, and a session that is still active, not
disabled, and at the identity version the token was issued for.

Only logging in needs the CRM (it checks the password). A request is authorized from the token and the
session store alone, so the CRM being down signs nobody out. Refreshing asks the CRM for the user when it
answers and otherwise goes on with the identity the session already holds, which the CRM's
`portal_user.updated` events keep current (`bff.core.auth.directory`).
"""

from __future__ import annotations

import asyncio
import logging
import math
import secrets
from dataclasses import dataclass
from datetime import timedelta

from redis.exceptions import RedisError

from adapters.errors import BackendError, ContractViolation, NotFound, Rejected, Unavailable
from adapters.ports.crm import CrmPort, PortalUser
from bff.core.auth.challenge import Challenge, ChallengeError, ChallengeSigner
from bff.core.auth.devices import describe, device_key
from bff.core.auth.guard import GuardPolicy, SignInGuard
from bff.core.auth.ratelimit import RateLimiter
from bff.core.auth.sessions import RefreshError, RefreshTokenReused, Session, SessionStore, session_id_of
from bff.core.auth.tokens import AccessToken, TokenError, TokenService
from bff.core.auth.viewer import Identity, Viewer
from bff.core.bus import SESSION_REVOKED, BusEvent, EventBus
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
    session: Session
    access: AccessToken
    refresh_token: str


@dataclass(frozen=True, slots=True)
class SecondFactorRequired:
    """The password was right and the user has a second factor: no session yet, a challenge to answer with
    `verify_second_factor`."""

    challenge: Challenge


# Wrong codes one challenge may take before it is dead (the sign-in guard slows the account down as well).
CHALLENGE_ATTEMPTS = 5
CHALLENGE_WINDOW = timedelta(minutes=10)  # longer than a challenge lives


class AuthService:
    def __init__(
        self,
        settings: Settings,
        tokens: TokenService,
        sessions: SessionStore,
        limiter: RateLimiter,
        crm: CrmPort,
        bus: EventBus | None = None,
    ) -> None:
        self.settings = settings
        self.tokens = tokens
        self.sessions = sessions
        self.limiter = limiter
        self.guard = SignInGuard(
            limiter,
            GuardPolicy(
                free=settings.login_free_attempts,
                max_delay_s=int(settings.login_max_delay.total_seconds()),
                per_address=settings.login_address_failures,
                window=settings.login_window,
                global_budget=settings.login_global_failures_per_minute,
            ),
        )
        self.crm = crm
        self.bus = bus
        self.challenges = ChallengeSigner(
            settings.jwt_secret, issuer=settings.jwt_issuer, audience=settings.jwt_audience
        )

    async def login(
        self, email: str, password: str, *, user_agent: str, ip: str
    ) -> SignedIn | SecondFactorRequired:
        """A session, or — for a user with a second factor — a challenge for `verify_second_factor`.
        Raises `AuthFailure` (INVALID_CREDENTIALS, USER_DISABLED, RATE_LIMITED); backend outages propagate."""
        normalized = email.strip().lower()
        wait = await self.guard.retry_after(normalized, ip)
        if wait is not None:
            await self._audit("login_rate_limited", ip=ip, user_agent=user_agent, detail=normalized)
            raise AuthFailure(
                "RATE_LIMITED", f"Too many failed sign-ins. Try again in {_wait_text(wait)}.", wait
            )
        if not normalized or not password:
            raise AuthFailure("INVALID_CREDENTIALS", "The e-mail or password is not correct.")
        try:
            user = await self.crm.verify_credentials(
                normalized, password, ip=ip or None, user_agent=user_agent[:300] or None
            )
        except Rejected as exc:
            # The CRM puts a known user's failed sign-in into their access log itself.
            log.info("login refused: %s", exc.code)
            await self.guard.failed(normalized, ip)
            if exc.code == "USER_DISABLED":
                raise AuthFailure(
                    "USER_DISABLED", "This login has been disabled. Contact your account owner."
                ) from None
            raise AuthFailure("INVALID_CREDENTIALS", "The e-mail or password is not correct.") from None
        if user.disabled:
            raise AuthFailure("USER_DISABLED", "This login has been disabled. Contact your account owner.")
        if user.two_factor_enabled:
            # The account's failure count is not reset by the password alone: a thief who has it must not
            # win a fresh set of free code guesses with every correct password.
            return SecondFactorRequired(self.challenges.issue(user.id, normalized))
        await self.guard.succeeded(normalized)
        return await self._start_session(user, user_agent=user_agent, ip=ip)

    async def verify_second_factor(
        self, token: str, *, code: str | None, recovery_code: str | None, user_agent: str, ip: str
    ) -> SignedIn:
        """Finish a sign-in that answered `SecondFactorRequired`. Raises `AuthFailure`:
        INVALID_CHALLENGE (expired, forged or already used), INVALID_CODE, RATE_LIMITED, USER_DISABLED."""
        try:
            challenge = self.challenges.decode(token)
        except ChallengeError:
            raise AuthFailure(
                "INVALID_CHALLENGE", "The sign-in took too long. Please enter your password again."
            ) from None
        wait = await self.guard.retry_after(challenge.email, ip)
        if wait is not None:
            raise AuthFailure(
                "RATE_LIMITED", f"Too many failed sign-ins. Try again in {_wait_text(wait)}.", wait
            )
        done_key = f"2fa:done:{challenge.challenge_id}"
        [done] = await self.limiter.peek([done_key])
        if done.count:
            # Refused before the CRM sees the code: a replayed challenge never burns a recovery code.
            raise AuthFailure("INVALID_CHALLENGE", "This sign-in was already completed.")
        tries = await self.limiter.hit(
            f"2fa:tries:{challenge.challenge_id}", CHALLENGE_ATTEMPTS, CHALLENGE_WINDOW
        )
        if not tries.allowed:
            raise AuthFailure("INVALID_CHALLENGE", "Too many wrong codes. Please enter your password again.")
        try:
            await self.crm.verify_second_factor(challenge.user_id, code=code, recovery_code=recovery_code)
        except Rejected as exc:
            log.info("second factor refused: %s", exc.code)
            if exc.code == "UNKNOWN_USER":  # disabled or removed since the password step
                raise AuthFailure(
                    "USER_DISABLED", "This login has been disabled. Contact your account owner."
                ) from None
            await self.guard.failed(challenge.email, ip)
            await self._audit(
                "second_factor_failed",
                user_id=challenge.user_id,
                ip=ip,
                user_agent=user_agent,
                detail=exc.code,
            )
            raise AuthFailure("INVALID_CODE", "The code is not correct.") from None
        # One session per challenge, even when two correct codes race.
        used = await self.limiter.hit(f"2fa:used:{challenge.challenge_id}", 1, CHALLENGE_WINDOW)
        if not used.allowed:
            raise AuthFailure("INVALID_CHALLENGE", "This sign-in was already completed.")
        await self.limiter.record(done_key, CHALLENGE_WINDOW)
        try:
            user = await self.crm.user(challenge.user_id)
        except NotFound:  # removed from the team since the password step
            user = None
        if user is None or user.disabled:
            raise AuthFailure("USER_DISABLED", "This login has been disabled. Contact your account owner.")
        await self.guard.succeeded(challenge.email)
        return await self._start_session(
            user, user_agent=user_agent, ip=ip, detail="with a recovery code" if recovery_code else None
        )

    async def _start_session(
        self, user: PortalUser, *, user_agent: str, ip: str, detail: str | None = None
    ) -> SignedIn:
        identity = Identity.of(user)
        session, refresh_token = await self.sessions.create(user.id, user_agent[:300], ip, identity)
        viewer = Viewer.of_identity(identity, session.id, session.version)
        access = self.tokens.issue(viewer)
        # Both are best effort and independent: one round trip's time, not two.
        await asyncio.gather(
            self._audit(
                "login",
                user_id=user.id,
                subscriber_id=user.subscriber_id,
                ip=ip,
                user_agent=user_agent,
                detail=detail,
            ),
            self._note_device(user.id, user_agent, ip),
        )
        return SignedIn(viewer, session, access, refresh_token)

    async def _note_device(self, user_id: str, user_agent: str, ip: str) -> None:
        """Tell the CRM where the user signed in from; it e-mails an alert for a device not seen before.
        Best effort: the sign-in does not wait on a failure."""
        try:
            await self.crm.device_seen(
                user_id, device_key(user_agent, ip), describe(user_agent).label, ip or None
            )
        except BackendError as exc:
            log.warning("could not check the sign-in device: %s", exc)

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
        identity, version = await self._current_identity(session)
        if identity is None or identity.disabled:
            await self.sessions.revoke(session.id)
            raise AuthFailure("USER_DISABLED", "This login has been disabled. Contact your account owner.")
        viewer = Viewer.of_identity(identity, session.id, version)
        return SignedIn(viewer, session, self.tokens.issue(viewer), new_token)

    async def _current_identity(self, session: Session) -> tuple[Identity | None, int]:
        """The user as the CRM says now (stored on the session when it changed), or — when the CRM cannot
        answer — as the session last heard. (None, _) when the CRM no longer knows the user."""
        try:
            user = (await self.crm.users([session.user_id])).get(session.user_id)
        except (Unavailable, ContractViolation) as exc:
            if session.identity is None:
                raise
            log.warning("refreshing with the session's identity: the CRM did not answer (%s)", exc)
            return session.identity, session.version
        if user is None:
            return None, session.version
        fresh = Identity.of(user)
        if fresh == session.identity:
            return fresh, session.version
        version = await self.sessions.set_identity(session.id, fresh)
        if version is None:  # ended meanwhile
            raise AuthFailure("INVALID_REFRESH_TOKEN", "Your session has ended. Please log in again.")
        return fresh, version

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

    async def sessions_of(self, viewer: Viewer) -> list[Session]:
        """The viewer's own active sessions, newest first."""
        return await self.sessions.list_for_user(viewer.user_id)

    async def revoke_session(
        self, viewer: Viewer, session_id: str, *, ip: str = "", user_agent: str = ""
    ) -> bool:
        """End one of the viewer's own sessions (another user's, or an unknown one: False, nothing done).
        Its next request is refused and its open subscriptions end (`SESSION_REVOKED` on the bus)."""
        mine = {s.id for s in await self.sessions.list_for_user(viewer.user_id)}
        if session_id not in mine or not await self.sessions.revoke(session_id):
            return False
        await self._revoked(viewer, [session_id])
        await self._audit(
            "session_revoked",
            user_id=viewer.user_id,
            subscriber_id=viewer.subscriber_id,
            ip=ip,
            user_agent=user_agent,
            detail="this session" if session_id == viewer.session_id else "another session",
        )
        return True

    async def sign_out_everywhere(
        self, viewer: Viewer, *, keep_current: bool, ip: str = "", user_agent: str = ""
    ) -> int:
        """End every session of the viewer's user (but this one, with `keep_current`); how many ended."""
        ended = [
            s.id
            for s in await self.sessions.list_for_user(viewer.user_id)
            if not (keep_current and s.id == viewer.session_id) and await self.sessions.revoke(s.id)
        ]
        if ended:
            await self._revoked(viewer, ended)
        await self._audit(
            "signed_out_everywhere",
            user_id=viewer.user_id,
            subscriber_id=viewer.subscriber_id,
            ip=ip,
            user_agent=user_agent,
            detail=f"{len(ended)} session(s) ended" + (", this one kept" if keep_current else ""),
        )
        return len(ended)

    async def end_sessions_of(self, user_id: str, subscriber_id: str, *, keep: str | None = None) -> int:
        """End every session of a user (but `keep`), as a password reset or a removal from the team does;
        how many ended. Their open subscriptions end too."""
        ended = [
            s.id
            for s in await self.sessions.list_for_user(user_id)
            if s.id != keep and await self.sessions.revoke(s.id)
        ]
        if ended:
            await self._announce_revoked(user_id, subscriber_id, ended)
        return len(ended)

    async def _revoked(self, viewer: Viewer, session_ids: list[str]) -> None:
        await self._announce_revoked(viewer.user_id, viewer.subscriber_id, session_ids)

    async def _announce_revoked(self, user_id: str, subscriber_id: str, session_ids: list[str]) -> None:
        if self.bus is None:
            return
        event = BusEvent(
            id=f"revoked:{secrets.token_hex(8)}",
            type=SESSION_REVOKED,
            subscriber_id=subscriber_id,
            data={"user_id": user_id, "session_ids": session_ids},
        )
        try:
            await self.bus.publish(event)
        except (RedisError, OSError) as exc:
            # The sessions are gone either way: every request and subscription event re-checks them.
            log.warning("could not announce revoked sessions: %s", type(exc).__name__)

    async def audit(
        self, action: str, viewer: Viewer, *, ip: str = "", user_agent: str = "", detail: str | None = None
    ) -> None:
        """Record something the viewer did in the access log (a failed write is logged, never raised)."""
        await self._audit(
            action,
            user_id=viewer.user_id,
            subscriber_id=viewer.subscriber_id,
            ip=ip,
            user_agent=user_agent,
            detail=detail,
        )

    async def record(
        self,
        action: str,
        *,
        user_id: str | None = None,
        subscriber_id: str | None = None,
        ip: str = "",
        user_agent: str = "",
        detail: str | None = None,
    ) -> None:
        """Record an action of a user who is not the request's viewer (a password reset by link) in the
        access log (a failed write is logged, never raised)."""
        await self._audit(
            action, user_id=user_id, subscriber_id=subscriber_id, ip=ip, user_agent=user_agent, detail=detail
        )

    async def viewer_for(self, access_token: str) -> Viewer:
        """The viewer an access token stands for, from the token and the session store only; raises
        `CredentialError`: TOKEN_EXPIRED also when the user's identity changed since the token was issued
        (the client refreshes and gets a token with the new role or scope). Session-store outages
        propagate."""
        try:
            claims = self.tokens.decode(access_token)
        except TokenError as exc:
            raise CredentialError(exc.code) from None
        state = await self.sessions.state(claims.session_id)
        if state is None:
            raise CredentialError("SESSION_ENDED")
        if state.disabled:
            raise CredentialError("USER_DISABLED")
        if state.version != claims.viewer.session_version:
            raise CredentialError("TOKEN_EXPIRED")
        return claims.viewer

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


def wait_text(seconds: int) -> str:
    """ "45 seconds", "3 minutes": how long to wait, in words."""
    return _wait_text(seconds)


def _wait_text(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _short(refresh_token: str) -> str:
    try:
        return session_id_of(refresh_token)[:8]
    except RefreshError:
        return "?"
