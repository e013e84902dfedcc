"""Each portal user's notification preferences, per preference kind and channel, and the two questions the
notices ask of them: which notification kinds a user's portal list leaves out, and whether an e-mail of a
kind may go to an address.

Only departures from the default are stored (everything on), so a new user, a new kind or a new channel
needs no migration. SECURITY e-mails cannot be switched off (`adapters.ports.profile.LOCKED`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from adapters.ports.profile import CHANNELS, LOCKED, PREFERENCE_KINDS, PREFERENCE_OF, preference_of
from sandbox.common import clock
from sandbox.common.db import Database, placeholders
from sandbox.common.http import invalid


class Preferences:
    def __init__(self, db: Database) -> None:
        self.db = db

    def _off(self, user_ids: Sequence[str]) -> set[tuple[str, str, str]]:
        """(user_id, kind, channel) switched off."""
        if not user_ids:
            return set()
        rows = self.db.all(
            "SELECT user_id, kind, channel FROM notification_preferences WHERE enabled = 0"
            f" AND user_id IN ({placeholders(user_ids)})",
            list(user_ids),
        )
        return {(r["user_id"], r["kind"], r["channel"]) for r in rows}

    def of(self, user_id: str) -> list[dict[str, Any]]:
        off = self._off([user_id])
        return [
            {
                "kind": kind,
                "channel": channel,
                "enabled": (kind, channel) in LOCKED or (user_id, kind, channel) not in off,
                "locked": (kind, channel) in LOCKED,
            }
            for kind in PREFERENCE_KINDS
            for channel in CHANNELS
        ]

    def set(self, user_id: str, changes: Sequence[tuple[str, str, bool]]) -> None:
        """Apply (kind, channel, enabled) changes at once, or none of them (in the caller's transaction)."""
        for kind, channel, enabled in changes:
            if kind not in PREFERENCE_KINDS or channel not in CHANNELS:
                raise invalid("unknown preference kind or channel")
            if (kind, channel) in LOCKED and not enabled:
                raise invalid("security e-mails cannot be switched off", "SECURITY_EMAIL_REQUIRED")
        now = clock.iso(clock.now())
        self.db.executemany(
            "INSERT INTO notification_preferences (user_id, kind, channel, enabled, updated_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, kind, channel)"
            " DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at",
            [(user_id, kind, channel, int(enabled), now) for kind, channel, enabled in changes],
        )

    def hidden_kinds(self, user_id: str) -> list[str]:
        """The notification kinds the user switched off for the portal: their list leaves them out."""
        off = {kind for (_, kind, channel) in self._off([user_id]) if channel == "PORTAL"}
        return [n for n, kind in PREFERENCE_OF.items() if kind in off]

    def email_wanted(self, subscriber_id: str, notification_kind: str, to: str) -> bool:
        """Whether an e-mail of `notification_kind` to `to` may go. The addressee decides: the account's user
        who signs in with that address (a ticket's opener), or else — the account's contact address — its
        active OWNERs, the account holders, any one of whom keeping it on is enough. An address nobody of the
        account answers for (no active OWNER) gets its e-mail as before preferences existed."""
        kind = preference_of(notification_kind)
        if (kind, "EMAIL") in LOCKED:
            return True
        users = self.db.all(
            "SELECT id, email_key, role FROM users WHERE subscriber_id = ? AND disabled = 0"
            " AND id NOT IN (SELECT user_id FROM removed_users)",
            (subscriber_id,),
        )
        deciders = [u["id"] for u in users if u["email_key"] == to.strip().lower()] or [
            u["id"] for u in users if u["role"] == "OWNER"
        ]
        if not deciders:
            return True
        off = self._off(deciders)
        return any((d, kind, "EMAIL") not in off for d in deciders)
