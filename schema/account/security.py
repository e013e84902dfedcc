"""What a portal user can see of their own account's security: the sessions signed in as them, and the
access log (sign-ins, failed sign-ins, sign-outs, revocations, payments, card and autopay changes, …).

The sessions come from the BFF's session store; the access log from the CRM, which is its system of record.
An owner sees the whole account's log; everyone else their own entries.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import Enum

import strawberry
from strawberry.types import Info

from adapters.ports.crm import AuditEntry
from bff.core.auth.devices import describe
from bff.core.auth.sessions import Session
from bff.core.auth.viewer import Viewer as Identity
from schema.core.connection import Connection, connection, window
from schema.core.context import Context
from schema.core.node import encode_id

MAX_LOG = 200  # the most recent entries the log shows (the CRM keeps more)


@strawberry.type(description="A browser or app signed in as the viewer.")
class PortalSession:
    id: strawberry.ID = strawberry.field(description="Pass to `revokeSession` to end this session.")
    browser: str = strawberry.field(description='From the user agent, e.g. "Chrome 126"; "Unknown" if unsure')
    operating_system: str = strawberry.field(description='e.g. "Windows 10", "iOS 17.2"')
    device: str = strawberry.field(description='e.g. "iPhone", "Desktop"')
    ip_address: str | None = strawberry.field(description="The address it signed in from")
    signed_in_at: datetime = strawberry.field(description="When it signed in.")
    last_active_at: datetime = strawberry.field(
        description="When it last renewed its access (at most one access-token lifetime ago while in use)"
    )
    expires_at: datetime = strawberry.field(
        description="When it ends unless it is used (its refresh token expires)."
    )
    current: bool = strawberry.field(description="Is this the session making this request?")

    @classmethod
    def of(cls, session: Session, current_id: str) -> PortalSession:
        described = describe(session.user_agent)
        return cls(
            id=encode_id("PortalSession", session.id),
            browser=described.browser,
            operating_system=described.os,
            device=described.device,
            ip_address=session.ip or None,
            signed_in_at=session.created_at,
            last_active_at=session.last_used_at,
            expires_at=session.expires_at,
            current=session.id == current_id,
        )


@strawberry.enum(description="What an access-log entry records.")
class AccessLogAction(Enum):
    SIGNED_IN = strawberry.enum_value("SIGNED_IN", description="Signed in.")
    SIGN_IN_FAILED = strawberry.enum_value("SIGN_IN_FAILED", description="A wrong password for this user")
    SIGN_IN_THROTTLED = strawberry.enum_value(
        "SIGN_IN_THROTTLED", description="Sign-in attempts were slowed down after repeated failures"
    )
    SIGNED_OUT = strawberry.enum_value("SIGNED_OUT", description="Signed out (`logout`).")
    SESSION_REVOKED = strawberry.enum_value(
        "SESSION_REVOKED",
        description="A session was ended from the sessions list (or a stolen token was seen)",
    )
    SIGNED_OUT_EVERYWHERE = strawberry.enum_value(
        "SIGNED_OUT_EVERYWHERE", description="Ended all of the user's sessions (`signOutEverywhere`)."
    )
    PASSWORD_CHANGED = strawberry.enum_value(
        "PASSWORD_CHANGED", description="Changed the password (`changePassword`)."
    )
    PASSWORD_RESET = strawberry.enum_value(
        "PASSWORD_RESET", description="Set a new password through an e-mailed link (`resetPassword`)."
    )
    TWO_FACTOR_ENABLED = strawberry.enum_value(
        "TWO_FACTOR_ENABLED", description="Turned on the second factor."
    )
    TWO_FACTOR_DISABLED = strawberry.enum_value(
        "TWO_FACTOR_DISABLED", description="Turned off the second factor."
    )
    PAYMENT_STARTED = strawberry.enum_value(
        "PAYMENT_STARTED", description="An invoice payment or a wallet top-up was started at the gateway"
    )
    CARD_ADDED = strawberry.enum_value("CARD_ADDED", description="Saving a card was started at the gateway")
    CARD_REMOVED = strawberry.enum_value("CARD_REMOVED", description="Removed a saved card.")
    DEFAULT_CARD_CHANGED = strawberry.enum_value(
        "DEFAULT_CARD_CHANGED", description="Made another card the default."
    )
    AUTOPAY_CHANGED = strawberry.enum_value("AUTOPAY_CHANGED", description="Turned autopay on or off.")
    TEAM_CHANGED = strawberry.enum_value(
        "TEAM_CHANGED", description="A person was invited, changed, disabled or removed"
    )
    CONTACT_DETAILS_CHANGED = strawberry.enum_value(
        "CONTACT_DETAILS_CHANGED",
        description="Changed the account's contact e-mail, phone or billing address (`updateContactDetails`)",
    )
    PHONE_CHANGED = strawberry.enum_value(
        "PHONE_CHANGED", description="Changed their own phone (`updateMyContactDetails`)."
    )
    NOTIFICATION_PREFERENCES_CHANGED = strawberry.enum_value(
        "NOTIFICATION_PREFERENCES_CHANGED",
        description="Switched notifications on or off (`setNotificationPreferences`).",
    )
    LOGIN_EMAIL_CHANGE_REQUESTED = strawberry.enum_value(
        "LOGIN_EMAIL_CHANGE_REQUESTED",
        description="Asked to sign in with another e-mail; a link went there (`requestLoginEmailChange`)",
    )
    LOGIN_EMAIL_CHANGED = strawberry.enum_value(
        "LOGIN_EMAIL_CHANGED", description="The login e-mail was changed (`confirmLoginEmailChange`)."
    )
    OTHER = strawberry.enum_value("OTHER", description="An action this version of the portal does not name")


# The CRM's action names (as the BFF and the CRM record them) → what the portal shows.
ACTIONS: dict[str, AccessLogAction] = {
    "login": AccessLogAction.SIGNED_IN,
    "login_failed": AccessLogAction.SIGN_IN_FAILED,
    "second_factor_failed": AccessLogAction.SIGN_IN_FAILED,  # a wrong code after the right password
    "login_rate_limited": AccessLogAction.SIGN_IN_THROTTLED,
    "logout": AccessLogAction.SIGNED_OUT,
    "session_revoked": AccessLogAction.SESSION_REVOKED,
    "session_reuse_revoked": AccessLogAction.SESSION_REVOKED,
    "signed_out_everywhere": AccessLogAction.SIGNED_OUT_EVERYWHERE,
    "password_changed": AccessLogAction.PASSWORD_CHANGED,
    "password_reset": AccessLogAction.PASSWORD_RESET,
    "two_factor_enabled": AccessLogAction.TWO_FACTOR_ENABLED,
    "two_factor_disabled": AccessLogAction.TWO_FACTOR_DISABLED,
    "payment_started": AccessLogAction.PAYMENT_STARTED,
    "card_added": AccessLogAction.CARD_ADDED,
    "card_removed": AccessLogAction.CARD_REMOVED,
    "default_card_changed": AccessLogAction.DEFAULT_CARD_CHANGED,
    "autopay_changed": AccessLogAction.AUTOPAY_CHANGED,
    "team_changed": AccessLogAction.TEAM_CHANGED,
    "contact_details_changed": AccessLogAction.CONTACT_DETAILS_CHANGED,
    "phone_changed": AccessLogAction.PHONE_CHANGED,
    "notification_preferences_changed": AccessLogAction.NOTIFICATION_PREFERENCES_CHANGED,
    "login_email_change_requested": AccessLogAction.LOGIN_EMAIL_CHANGE_REQUESTED,
    "login_email_changed": AccessLogAction.LOGIN_EMAIL_CHANGED,
}


# Entries whose detail the portal writes in words for people (others carry codes for the operator).
DETAILED = frozenset(
    {
        "team_changed",
        "contact_details_changed",  # which details: "email,phone,billing_address"
        "login_email_change_requested",  # the new address
        "login_email_changed",  # "old → new"
        "password_changed",
        "password_reset",
        "signed_out_everywhere",
        "session_revoked",
        "login",
    }
)


@strawberry.type(description="One entry of the access log.")
class AccessLogEntry:
    id: strawberry.ID = strawberry.field(description="The entry's id in the log.")
    action: AccessLogAction = strawberry.field(description="What happened.")
    at: datetime = strawberry.field(description="When it happened.")
    ip_address: str | None = strawberry.field(description="The address it came from; null when unknown.")
    device: str | None = strawberry.field(description='From the user agent, e.g. "Chrome 126 on Windows 10"')
    user_name: str | None = strawberry.field(
        description="Who did it (owners see the whole account's log); null when the user is unknown"
    )
    detail: str | None = strawberry.field(
        description=(
            'What it changed, in words, for team and password changes and sign-outs (e.g. "invited '
            'x@example.com as FINANCE", "2 other session(s) ended"); null for other entries'
        )
    )

    @classmethod
    def of(cls, entry: AuditEntry, names: dict[str, str]) -> AccessLogEntry:
        return cls(
            detail=entry.detail if entry.action in DETAILED else None,
            id=encode_id("AccessLogEntry", entry.id),
            action=ACTIONS.get(entry.action, AccessLogAction.OTHER),
            at=entry.created_at,
            ip_address=entry.ip or None,
            device=describe(entry.user_agent).label if entry.user_agent else None,
            user_name=names.get(entry.user_id) if entry.user_id else None,
        )


async def sessions_of(info: Info[Context, None], viewer: Identity) -> list[PortalSession]:
    found = await info.context.auth.sessions_of(viewer)
    return [PortalSession.of(s, viewer.session_id) for s in found]


async def access_log(
    info: Info[Context, None], viewer: Identity, first: int | None, after: str | None
) -> Connection[AccessLogEntry]:
    window(0, first, after, 20)  # validate before calling anything
    crm = info.context.backends.crm
    if viewer.role == "OWNER":
        entries: Sequence[AuditEntry] = await crm.audit_of_subscriber(viewer.subscriber_id, MAX_LOG)
    else:
        entries = await crm.audit_of_user(viewer.user_id, MAX_LOG)
    win = window(len(entries), first, after, 20)
    page = entries[win.start : win.stop]
    names = await _names(info, viewer, {e.user_id for e in page if e.user_id})
    return connection(Connection, [AccessLogEntry.of(e, names) for e in page], win)


async def _names(info: Info[Context, None], viewer: Identity, ids: set[str]) -> dict[str, str]:
    names = {viewer.user_id: viewer.name}
    others = sorted(ids - set(names))
    if others:
        users = await info.context.backends.crm.users(others)
        names.update({i: u.name for i, u in users.items() if u.subscriber_id == viewer.subscriber_id})
    return names
