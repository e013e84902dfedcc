"""The people who use a subscriber's portal, as its OWNER (and a MANAGER, for everyone but owners) manages
them — through the CRM, which is their system of record.

The rules the portal owns:
- an OWNER may invite, change, disable and remove anyone of the account but themselves, and give any role;
- a MANAGER the same for people who are not OWNERs, and never makes anyone an OWNER;
- a SITE user needs at least one site, and every site must be one of the account's sub-services;
- a person of another account, a removed one, and an unknown id look the same (NOT_FOUND).

Every change goes into the access log (`team_changed`). The changed user's sessions follow at once, on
this and every other instance: the new identity is written to the session store (the same update the
CRM's `portal_user.updated` event makes when it arrives), a bus event makes open subscriptions re-check
their session, and disabling or removing ends the sessions outright.
"""

from __future__ import annotations

import logging
import math
import secrets
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from redis.exceptions import RedisError

from adapters.errors import NotFound, Rejected
from adapters.ports.crm import PortalUser
from bff.core.auth.directory import USER_UPDATED, Directory
from bff.core.auth.service import AuthService, wait_text
from bff.core.auth.viewer import ROLES, Viewer
from bff.core.bus import BusEvent

log = logging.getLogger("wispgate.team")

# Invitations an account may send per hour: each is an e-mail to an address of the owner's choosing.
INVITES_PER_HOUR = 20
INVITE_WINDOW = timedelta(hours=1)
MAX_EMAIL = 254


class TeamFailure(Exception):
    """A refused team change: `code` NOT_FOUND, NOT_ALLOWED, SELF, SITE_REQUIRED, SITE_NOT_FOUND,
    EMAIL_TAKEN, INVALID_EMAIL, RATE_LIMITED; `message` is for the subscriber."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


@dataclass(frozen=True, slots=True)
class Change:
    role: str
    site_ids: tuple[str, ...]


class Team:
    def __init__(self, auth: AuthService) -> None:
        self.auth = auth
        self.crm = auth.crm

    async def members(self, viewer: Viewer) -> list[PortalUser]:
        return await self.crm.users_of(viewer.subscriber_id)

    # -- the rules -----------------------------------------------------------------------------------------
    def _may_give(self, viewer: Viewer, role: str) -> None:
        if role not in ROLES:  # the schema's enum keeps this from happening
            raise ValueError(f"unknown role {role!r}")
        if role == "OWNER" and viewer.role != "OWNER":
            raise TeamFailure("NOT_ALLOWED", "Only an owner can make someone an owner.", "role")

    async def _target(self, viewer: Viewer, user_id: str) -> PortalUser:
        if user_id == viewer.user_id:
            raise TeamFailure("SELF", "You cannot do this to your own login.", "memberId")
        found = (await self.crm.users([user_id])).get(user_id) if user_id else None
        listed = {u.id for u in await self.crm.users_of(viewer.subscriber_id)} if found else set()
        if found is None or found.subscriber_id != viewer.subscriber_id or found.id not in listed:
            raise TeamFailure("NOT_FOUND", "No such person in your team.", "memberId")
        if found.role == "OWNER" and viewer.role != "OWNER":
            raise TeamFailure("NOT_ALLOWED", "Only an owner can change an owner.", "memberId")
        return found

    async def _sites(self, viewer: Viewer, role: str, site_ids: Sequence[str]) -> tuple[str, ...]:
        if role != "SITE":
            return ()
        wanted = tuple(dict.fromkeys(site_ids))
        if not wanted:
            raise TeamFailure("SITE_REQUIRED", "Choose at least one site for a site user.", "siteIds")
        found = await self.crm.subservices(wanted)
        if any(i not in found or found[i].subscriber_id != viewer.subscriber_id for i in wanted):
            raise TeamFailure("SITE_NOT_FOUND", "One of the sites is not part of this account.", "siteIds")
        return wanted

    # -- the changes ---------------------------------------------------------------------------------------
    async def invite(
        self,
        viewer: Viewer,
        *,
        email: str,
        name: str | None,
        role: str,
        site_ids: Sequence[str],
        link: str,
        ip: str,
        user_agent: str,
    ) -> PortalUser:
        self._may_give(viewer, role)
        address = email.strip()
        if "@" not in address.strip("@") or len(address) > MAX_EMAIL or any(c.isspace() for c in address):
            raise TeamFailure("INVALID_EMAIL", "This is not an e-mail address.", "email")
        sites = await self._sites(viewer, role, site_ids)
        # Only invitations that went out count: a refused one sent no e-mail, and the next answer must not
        # depend on how many were refused before it.
        sent_key = f"team:invites:{viewer.subscriber_id}"
        [sent] = await self.auth.limiter.peek([sent_key])
        if sent.count >= INVITES_PER_HOUR:
            wait = max(1, math.ceil(sent.resets_in_s))
            raise TeamFailure(
                "RATE_LIMITED", f"Too many invitations this hour. Try again in {wait_text(wait)}."
            )
        try:
            user = await self.crm.invite_user(
                viewer.subscriber_id,
                email=address,
                name=name,
                role=role,
                site_ids=sites,
                invited_by=viewer.user_id,
                link=link,
            )
        except Rejected as exc:
            if exc.code == "EMAIL_TAKEN":
                raise TeamFailure(
                    exc.code, "Someone already uses this e-mail address to sign in.", "email"
                ) from None
            if exc.code == "INVALID_EMAIL":
                raise TeamFailure(exc.code, "This is not an e-mail address.", "email") from None
            raise
        await self.auth.limiter.record(sent_key, INVITE_WINDOW)
        await self.auth.audit(
            "team_changed", viewer, ip=ip, user_agent=user_agent, detail=f"invited {user.email} as {role}"
        )
        return user

    async def change(
        self, viewer: Viewer, user_id: str, *, role: str, site_ids: Sequence[str], ip: str, user_agent: str
    ) -> PortalUser:
        self._may_give(viewer, role)
        target = await self._target(viewer, user_id)
        sites = await self._sites(viewer, role, site_ids)
        user = await self._write(self.crm.set_user_role(target.id, role, sites))
        await self._follow(user)
        await self.auth.audit(
            "team_changed",
            viewer,
            ip=ip,
            user_agent=user_agent,
            detail=f"{user.email}: {target.role} → {role}" + (f" ({len(sites)} site(s))" if sites else ""),
        )
        return user

    async def set_disabled(
        self, viewer: Viewer, user_id: str, disabled: bool, *, ip: str, user_agent: str
    ) -> PortalUser:
        target = await self._target(viewer, user_id)
        user = await self._write(self.crm.set_user_disabled(target.id, disabled))
        await self._follow(user)
        action = "disabled" if disabled else "enabled"
        await self.auth.audit(
            "team_changed", viewer, ip=ip, user_agent=user_agent, detail=f"{action} {user.email}"
        )
        return user

    async def remove(self, viewer: Viewer, user_id: str, *, ip: str, user_agent: str) -> PortalUser:
        target = await self._target(viewer, user_id)
        user = await self._write(self.crm.remove_user(target.id))
        await self._follow(user)
        await self.auth.audit(
            "team_changed", viewer, ip=ip, user_agent=user_agent, detail=f"removed {target.email}"
        )
        return user

    async def _write(self, call: Awaitable[PortalUser]) -> PortalUser:
        """The CRM's answer to a change; its refusals in the team's words (the user may have gone
        meanwhile)."""
        try:
            return await call
        except NotFound:
            raise TeamFailure("NOT_FOUND", "No such person in your team.", "memberId") from None
        except Rejected as exc:
            if exc.code == "SUBSERVICE_MISMATCH":
                raise TeamFailure(
                    "SITE_NOT_FOUND", "One of the sites is not part of this account.", "siteIds"
                ) from None
            raise

    async def _follow(self, user: PortalUser) -> None:
        """Make the user's sessions reflect `user` now: the identity in the store, a bus event for open
        subscriptions, and no sessions at all for a disabled (or removed) user."""
        data = {
            "user_id": user.id,
            "email": user.email,
            "name": user.name,
            "role": user.role,
            "subscriber_id": user.subscriber_id,
            "site_subservice_ids": list(user.site_subservice_ids),
            "disabled": user.disabled,
        }
        await Directory(self.auth.sessions).user_updated(data)
        if user.disabled:
            await self.auth.end_sessions_of(user.id, user.subscriber_id)
        elif self.auth.bus is not None:
            event = BusEvent(
                id=f"team:{secrets.token_hex(8)}",
                type=USER_UPDATED,
                subscriber_id=user.subscriber_id,
                data=data,
            )
            try:
                await self.auth.bus.publish(event)
            except (RedisError, OSError) as exc:
                # The store already holds the new identity: every request and subscription event checks it.
                log.warning("could not announce the team change: %s", type(exc).__name__)
