"""What a user does with their own credentials: change the password, reset a forgotten one through an
e-mailed link, and turn the TOTP second factor on and off. The CRM keeps and checks the secrets; this adds
what the portal owns — who may try how often, which sessions end, and the access log.

- Changing the password needs the current one (wrong guesses count in the sign-in guard like failed
  sign-ins) and ends every other session of the user.
- Asking for a reset answers the same, after the same time, whether or not the address is a user's (at
  `RESET_ANSWER_FLOOR_S`, the CRM's work going on in the background if it takes longer; a CRM that refuses
  every request is reported alike for every address); it is limited per address and per e-mail.
  Completing one ends every session.
- Turning the second factor off needs the password or a current code.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import timedelta

import segno

from adapters.errors import BackendError, Rejected
from adapters.ports.crm import Locale, RecoveryCodes
from bff.core.auth.service import AuthFailure, AuthService, wait_text
from bff.core.auth.viewer import Viewer

log = logging.getLogger("wispgate.auth")

# Every answer to a reset request takes at least this long, so the CRM's little extra work for a known
# address (a token, an e-mail) cannot be timed.
RESET_ANSWER_FLOOR_S = 0.25
RESET_PER_EMAIL = 3
RESET_PER_ADDRESS = 10
RESET_WINDOW = timedelta(minutes=15)
COMPLETE_PER_ADDRESS = 20


@dataclass(frozen=True, slots=True)
class Enrolment:
    secret: str
    uri: str
    qr_svg: str  # an SVG image as a data: URI


def qr_data_uri(content: str) -> str:
    """The QR code of `content` as an SVG data URI — drawn here, no external service."""
    return str(segno.make(content, error="m").svg_data_uri(scale=4, border=2))


def _key(kind: str, value: str) -> str:
    return f"credentials:{kind}:" + hashlib.sha256(value.encode()).hexdigest()[:32]


class Credentials:
    def __init__(self, auth: AuthService) -> None:
        self.auth = auth
        self.crm = auth.crm

    async def _guarded(self, viewer: Viewer, ip: str) -> None:
        wait = await self.auth.guard.retry_after(viewer.email.lower(), ip)
        if wait is not None:
            raise AuthFailure(
                "RATE_LIMITED", f"Too many wrong attempts. Try again in {wait_text(wait)}.", wait
            )

    async def change_password(
        self, viewer: Viewer, current: str, new: str, *, ip: str, user_agent: str
    ) -> int:
        """Set a new password; how many other sessions ended. `AuthFailure` with the CRM's code
        (INVALID_CREDENTIALS, PASSWORD_…) or RATE_LIMITED."""
        await self._guarded(viewer, ip)
        try:
            await self.crm.change_password(viewer.user_id, current, new)
        except Rejected as exc:
            if exc.code == "INVALID_CREDENTIALS":
                await self.auth.guard.failed(viewer.email.lower(), ip)
                raise AuthFailure(exc.code, "The current password is not correct.") from None
            raise AuthFailure(exc.code, _sentence(exc.message)) from None
        ended = await self.auth.end_sessions_of(viewer.user_id, viewer.subscriber_id, keep=viewer.session_id)
        await self.auth.audit(
            "password_changed", viewer, ip=ip, user_agent=user_agent, detail=f"{ended} other session(s) ended"
        )
        return ended

    async def request_reset(self, email: str, link: str, *, ip: str, locale: Locale | None = None) -> None:
        """E-mail a reset link if `email` is an active user's. RATE_LIMITED past the limits; the same answer
        either way otherwise."""
        started = time.monotonic()
        normalized = email.strip().lower()
        for decision in (
            await self.auth.limiter.hit(
                _key("reset-address", ip or "unknown"), RESET_PER_ADDRESS, RESET_WINDOW
            ),
            await self.auth.limiter.hit(_key("reset-email", normalized), RESET_PER_EMAIL, RESET_WINDOW),
        ):
            if not decision.allowed:
                raise AuthFailure(
                    "RATE_LIMITED",
                    f"Too many reset requests. Try again in {wait_text(decision.retry_after_s)}.",
                    decision.retry_after_s,
                )
        if normalized and "@" in normalized:
            # The CRM's work (a token and an e-mail for a known address, nothing for an unknown one) is
            # waited for only up to the floor; slower work goes on in the background. The answer comes at the
            # floor either way and never depends on whether, or how, the address exists.
            work = asyncio.ensure_future(self.crm.request_password_reset(normalized, link, locale))
            _background.add(work)
            work.add_done_callback(_finished)
            remaining = RESET_ANSWER_FLOOR_S - (time.monotonic() - started)
            await asyncio.wait([work], timeout=max(0.0, remaining))
            failure = work.exception() if work.done() else None
            if isinstance(failure, BackendError):
                # The CRM could not take the request (for any address alike): say so rather than a false "sent".
                await asyncio.sleep(max(0.0, RESET_ANSWER_FLOOR_S - (time.monotonic() - started)))
                raise failure
        await asyncio.sleep(max(0.0, RESET_ANSWER_FLOOR_S - (time.monotonic() - started)))

    async def reset_password(self, token: str, new: str, *, ip: str, user_agent: str) -> int:
        """Set the password a reset (or invitation) link allows and end every session of its user; how many
        ended. `AuthFailure` INVALID_TOKEN, a policy code, or RATE_LIMITED."""
        decision = await self.auth.limiter.hit(
            _key("reset-complete", ip or "unknown"), COMPLETE_PER_ADDRESS, RESET_WINDOW
        )
        if not decision.allowed:
            raise AuthFailure(
                "RATE_LIMITED",
                f"Too many attempts. Try again in {wait_text(decision.retry_after_s)}.",
                decision.retry_after_s,
            )
        try:
            user = await self.crm.reset_password(token, new)
        except Rejected as exc:
            if exc.code == "INVALID_TOKEN":
                raise AuthFailure(
                    exc.code, "This link has expired or was already used. Ask for a new one."
                ) from None
            raise AuthFailure(exc.code, _sentence(exc.message)) from None
        ended = await self.auth.end_sessions_of(user.id, user.subscriber_id)
        await self.auth.record(
            "password_reset",
            user_id=user.id,
            subscriber_id=user.subscriber_id,
            ip=ip,
            user_agent=user_agent,
            detail=f"{ended} session(s) ended",
        )
        # A new password proves the account is the owner's again: its sign-in delays start over.
        await self.auth.guard.succeeded(user.email.lower())
        return ended

    # -- the second factor -------------------------------------------------------------------------------
    async def begin_totp(self, viewer: Viewer) -> Enrolment:
        try:
            enrolment = await self.crm.begin_totp(viewer.user_id)
        except Rejected as exc:
            raise AuthFailure(exc.code, "The second factor is already on.") from None
        return Enrolment(enrolment.secret, enrolment.uri, qr_data_uri(enrolment.uri))

    async def confirm_totp(self, viewer: Viewer, code: str, *, ip: str, user_agent: str) -> RecoveryCodes:
        await self._guarded(viewer, ip)
        try:
            codes = await self.crm.confirm_totp(viewer.user_id, code)
        except Rejected as exc:
            if exc.code == "INVALID_CODE":
                await self.auth.guard.failed(viewer.email.lower(), ip)
                raise AuthFailure(
                    exc.code, "The code is not correct. Check the time on your phone."
                ) from None
            if exc.code == "NOT_ENROLLING":
                raise AuthFailure(exc.code, "Start the set-up first.") from None
            raise AuthFailure(exc.code, "The second factor is already on.") from None
        await self.auth.audit("two_factor_enabled", viewer, ip=ip, user_agent=user_agent)
        return codes

    async def disable_totp(
        self, viewer: Viewer, *, password: str | None, code: str | None, ip: str, user_agent: str
    ) -> None:
        await self._guarded(viewer, ip)
        try:
            await self.crm.disable_totp(viewer.user_id, password=password, code=code)
        except Rejected as exc:
            if exc.code == "INVALID_CREDENTIALS":
                await self.auth.guard.failed(viewer.email.lower(), ip)
                raise AuthFailure(exc.code, "The password or code is not correct.") from None
            raise AuthFailure(exc.code, "The second factor is not on.") from None
        await self.auth.audit("two_factor_disabled", viewer, ip=ip, user_agent=user_agent)


# Reset requests still running after their answer was sent (kept referenced until they finish).
_background: set[asyncio.Future[None]] = set()


def _finished(work: asyncio.Future[None]) -> None:
    _background.discard(work)
    if not work.cancelled() and work.exception() is not None:
        log.warning("password reset request failed: %s", type(work.exception()).__name__)


def _sentence(message: str) -> str:
    text = message.strip().rstrip(".")
    return f"{text[:1].upper()}{text[1:]}." if text else "The request was refused."
