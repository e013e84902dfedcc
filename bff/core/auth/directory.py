"""The CRM's word on a portal user between logins: a signed `portal_user.updated` core event (role, site scope,
name, e-mail, disabled) updates the identity kept with each of the user's sessions.

That is what lets a request be authorized without asking the CRM: a disabled user's next request is refused
(USER_DISABLED) and a token minted before a role or scope change is refused until it is refreshed
(TOKEN_EXPIRED), as soon as the event arrives — the access token's short lifetime bounds anything the event
could miss. Open subscriptions re-check their session on the bus event that follows (`schema.core.feed`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from bff.core.auth.sessions import SessionStore
from bff.core.auth.viewer import MAX_SITES, ROLES, Identity

log = logging.getLogger("wispgate.auth")

USER_UPDATED = "portal_user.updated"


class NotAUserEvent(ValueError):
    """The event's data does not describe a portal user."""


def identity_of(data: Mapping[str, Any]) -> Identity:
    """The identity a `portal_user.updated` event's data describes; `NotAUserEvent` when it is malformed."""
    texts = {k: data.get(k) for k in ("user_id", "email", "name", "role", "subscriber_id")}
    sites = data.get("site_subservice_ids", [])
    disabled = data.get("disabled", False)
    if not all(isinstance(v, str) for v in texts.values()) or not texts["user_id"]:
        raise NotAUserEvent("a portal user needs an id, e-mail, name, role and subscriber")
    if texts["role"] not in ROLES or not isinstance(disabled, bool):
        raise NotAUserEvent("unknown role or disabled flag")
    if not isinstance(sites, list) or len(sites) > MAX_SITES or not all(isinstance(s, str) for s in sites):
        raise NotAUserEvent("site_subservice_ids must be a list of ids")
    return Identity(
        user_id=str(texts["user_id"]),
        email=str(texts["email"]),
        name=str(texts["name"]),
        role=str(texts["role"]),
        subscriber_id=str(texts["subscriber_id"]),
        site_subservice_ids=frozenset(sites),
        disabled=disabled,
    )


class Directory:
    def __init__(self, sessions: SessionStore) -> None:
        self.sessions = sessions

    async def user_updated(self, data: Mapping[str, Any]) -> int:
        """Apply the event to every session of the user; how many sessions changed. Safe to repeat."""
        identity = identity_of(data)
        changed = await self.sessions.update_identity(identity)
        log.info(
            "portal user %s updated by the CRM (role %s, disabled %s): %d session(s)",
            identity.user_id,
            identity.role,
            identity.disabled,
            changed,
        )
        return changed
