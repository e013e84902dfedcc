"""Changing a user's login e-mail (the CRM's `login_email.py` says why two proofs): asking needs the current
password — wrong guesses count in the sign-in guard like failed sign-ins and a wrong current password — and
completing needs the link e-mailed to the new address, with no session required (it may be opened on
another device). Once complete, the user's sessions carry the new address at once, as a team change does
(the CRM's `portal_user.updated` event applies the same update again when it arrives).
"""

from __future__ import annotations

from adapters.contact import ContactInvalid, normalize_email
from adapters.errors import Rejected
from adapters.ports.crm import PortalUser
from bff.core.auth.directory import Directory
from bff.core.auth.service import AuthFailure, AuthService, wait_text
from bff.core.auth.viewer import Viewer

MAX_PASSWORD = 1024
MAX_TOKEN = 200


class LoginEmail:
    def __init__(self, auth: AuthService) -> None:
        self.auth = auth
        self.crm = auth.crm

    async def request(
        self, viewer: Viewer, current_password: str, new_email: str, link: str, *, ip: str
    ) -> str:
        """The normalized new address the link went to. `AuthFailure` INVALID_CREDENTIALS, INVALID_EMAIL,
        EMAIL_TOO_LONG, EMAIL_UNCHANGED, EMAIL_TAKEN or RATE_LIMITED."""
        try:
            address = normalize_email(new_email, "newEmail")
        except ContactInvalid as exc:
            raise AuthFailure(exc.code, exc.message) from None
        wait = await self.auth.guard.retry_after(viewer.email.lower(), ip)
        if wait is not None:
            raise AuthFailure(
                "RATE_LIMITED", f"Too many wrong attempts. Try again in {wait_text(wait)}.", wait
            )
        if not current_password or len(current_password) > MAX_PASSWORD:
            raise AuthFailure("INVALID_CREDENTIALS", "The current password is not correct.")
        try:
            await self.crm.request_login_email_change(viewer.user_id, current_password, address, link)
        except Rejected as exc:
            if exc.code == "INVALID_CREDENTIALS":
                await self.auth.guard.failed(viewer.email.lower(), ip)
                raise AuthFailure(exc.code, "The current password is not correct.") from None
            messages = {
                "EMAIL_TAKEN": "Another login already uses this address.",
                "EMAIL_UNCHANGED": "This is already your login e-mail.",
            }
            raise AuthFailure(exc.code, messages.get(exc.code, exc.message)) from None
        return address

    async def complete(self, token: str) -> PortalUser:
        """`AuthFailure` INVALID_TOKEN or EMAIL_TAKEN."""
        if not token or len(token) > MAX_TOKEN:
            raise AuthFailure("INVALID_TOKEN", "This link is not valid: ask for a new one.")
        try:
            user = await self.crm.complete_login_email_change(token)
        except Rejected as exc:
            if exc.code == "EMAIL_TAKEN":
                raise AuthFailure(exc.code, "Another login took this address in the meantime.") from None
            raise AuthFailure(
                "INVALID_TOKEN", "This link is not valid (used, expired or unknown): ask for a new one."
            ) from None
        await Directory(self.auth.sessions).user_updated(
            {
                "user_id": user.id,
                "email": user.email,
                "name": user.name,
                "role": user.role,
                "subscriber_id": user.subscriber_id,
                "site_subservice_ids": list(user.site_subservice_ids),
                "disabled": user.disabled,
            }
        )
        return user
