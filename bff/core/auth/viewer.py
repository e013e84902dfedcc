"""`Viewer`: who is asking — the portal user behind this request's session — and what they may touch."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

ROLES = ("OWNER", "MANAGER", "SITE", "FINANCE", "VIEWER")
BILLING_ROLES = frozenset({"OWNER", "MANAGER", "FINANCE"})


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


@dataclass(frozen=True, slots=True)
class Viewer:
    user_id: str
    email: str
    name: str
    role: str  # one of ROLES
    subscriber_id: str
    site_subservice_ids: frozenset[str]  # only meaningful for SITE users
    session_id: str

    @classmethod
    def of(cls, user: UserRecord, session_id: str) -> Viewer:
        return cls(
            user_id=user.id,
            email=user.email,
            name=user.name,
            role=user.role,
            subscriber_id=user.subscriber_id,
            site_subservice_ids=frozenset(user.site_subservice_ids),
            session_id=session_id,
        )

    @property
    def is_site_user(self) -> bool:
        return self.role == "SITE"

    @property
    def can_manage_billing(self) -> bool:
        """Pay, top up, manage cards and autopay."""
        return self.role in BILLING_ROLES

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

    def visible_subservice_ids(self, all_ids: Iterable[str]) -> list[str]:
        """Of the subscriber's sub-services (in order), those this viewer may see."""
        return [i for i in all_ids if not self.is_site_user or i in self.site_subservice_ids]
