"""`Viewer`: who is asking — the portal user behind this request's session — and what they may touch.

A viewer is built from the access token alone (it carries the user, the subscriber, the role, the site
scope and the session), checked against the session store; no backend is asked per request. What the CRM
says about the user reaches the BFF at login and refresh, and as signed `portal_user.updated` events in
between (`bff.core.auth.directory`), which update the sessions' `Identity` and so invalidate older tokens.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

ROLES = ("OWNER", "MANAGER", "SITE", "FINANCE", "VIEWER")
BILLING_ROLES = frozenset({"OWNER", "MANAGER", "FINANCE"})
TEAM_ROLES = frozenset({"OWNER", "MANAGER"})


class UserRecord(Protocol):
    """What the CRM tells us about a portal user (the CRM port's `PortalUser` has these fields)."""

    @property
    def id(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def subscriber_id(self) -> str: ...
    @property
    def site_subservice_ids(self) -> Iterable[str]: ...
    @property
    def disabled(self) -> bool: ...


# The most sites a SITE user's token carries (an MDU manager's apartment list fits; a user with more sites
# than this should be a MANAGER). Bounds the token and the session record.
MAX_SITES = 500


@dataclass(frozen=True, slots=True)
class Identity:
    """What authorization needs to know about a portal user, as the CRM last said: kept with each session
    and copied into each access token."""

    user_id: str
    email: str
    name: str
    role: str  # one of ROLES
    subscriber_id: str
    site_subservice_ids: frozenset[str]
    disabled: bool = False

    @classmethod
    def of(cls, user: UserRecord) -> Identity:
        sites = frozenset(user.site_subservice_ids)
        if len(sites) > MAX_SITES:
            raise ValueError(f"a portal user may be scoped to at most {MAX_SITES} sites")
        return cls(user.id, user.email, user.name, user.role, user.subscriber_id, sites, user.disabled)

    def to_json(self) -> str:
        return json.dumps(
            {
                "user_id": self.user_id,
                "email": self.email,
                "name": self.name,
                "role": self.role,
                "subscriber_id": self.subscriber_id,
                "sites": sorted(self.site_subservice_ids),
                "disabled": self.disabled,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, raw: str | bytes) -> Identity:
        data: Any = json.loads(raw)
        return cls(
            user_id=str(data["user_id"]),
            email=str(data["email"]),
            name=str(data["name"]),
            role=str(data["role"]),
            subscriber_id=str(data["subscriber_id"]),
            site_subservice_ids=frozenset(str(s) for s in data.get("sites", ())),
            disabled=bool(data.get("disabled", False)),
        )


@dataclass(frozen=True, slots=True)
class Viewer:
    user_id: str
    email: str
    name: str
    role: str  # one of ROLES
    subscriber_id: str
    site_subservice_ids: frozenset[str]  # only meaningful for SITE users
    session_id: str
    # The session's identity version this viewer was built from: a change in the CRM bumps it, and a
    # token of an older version must be refreshed before it is honoured again.
    session_version: int = 0

    @classmethod
    def of(cls, user: UserRecord, session_id: str, session_version: int = 0) -> Viewer:
        return cls.of_identity(Identity.of(user), session_id, session_version)

    @classmethod
    def of_identity(cls, identity: Identity, session_id: str, session_version: int = 0) -> Viewer:
        return cls(
            user_id=identity.user_id,
            email=identity.email,
            name=identity.name,
            role=identity.role,
            subscriber_id=identity.subscriber_id,
            site_subservice_ids=identity.site_subservice_ids,
            session_id=session_id,
            session_version=session_version,
        )

    @property
    def identity(self) -> Identity:
        return Identity(
            self.user_id, self.email, self.name, self.role, self.subscriber_id, self.site_subservice_ids
        )

    @property
    def is_site_user(self) -> bool:
        return self.role == "SITE"

    @property
    def can_manage_billing(self) -> bool:
        """Pay, top up, manage cards and autopay."""
        return self.role in BILLING_ROLES

    @property
    def can_manage_team(self) -> bool:
        """Invite, change, disable and remove the account's portal users (a MANAGER only those who are not
        owners, and never to make one)."""
        return self.role in TEAM_ROLES

    @property
    def read_only(self) -> bool:
        return self.role == "VIEWER"

    def can_see_subservice(self, subservice_id: str, *, subscriber_id: str | None = None) -> bool:
        """Whether this viewer may see the sub-service. Pass the sub-service's owner as `subscriber_id`
        unless the caller already knows it belongs to the viewer's subscriber: another subscriber's
        sub-service is never visible, whatever the role."""
        if subscriber_id is not None and subscriber_id != self.subscriber_id:
            return False
        return not self.is_site_user or subservice_id in self.site_subservice_ids

    def can_see_invoice(self, subscriber_id: str, subservice_id: str | None) -> bool:
        """Own subscriber's invoices; for SITE users only per-sub-service invoices of their sites (never a
        consolidated one, `subservice_id` None)."""
        if subscriber_id != self.subscriber_id:
            return False
        if not self.is_site_user:
            return True
        return subservice_id is not None and subservice_id in self.site_subservice_ids

    def visible_subservice_ids(self, all_ids: Iterable[str]) -> list[str]:
        """Of the subscriber's sub-services (in order), those this viewer may see."""
        return [i for i in all_ids if not self.is_site_user or i in self.site_subservice_ids]
