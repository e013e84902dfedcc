"""The records of a subscriber's contact details and a portal user's profile (own phone, notification
preferences), part of the CRM port (`adapters.ports.crm.CrmPort`).

Notification preferences are per portal user, per *preference kind* and channel. A preference kind is what
a person chooses about (payments, outages, tickets, usage, security); every notification kind the CRM posts
belongs to exactly one (`PREFERENCE_OF`), so a new notification kind cannot be added without deciding which
switch silences it (tests/adapters/test_profile_port.py checks the table is total). The CRM applies them when it posts (`notify`) and
when it lists a user's notifications: every sender is held to them without knowing they exist.
"""

from __future__ import annotations

from typing import Literal, get_args

from msgspec import Struct

PreferenceKind = Literal["PAYMENTS", "OUTAGES", "TICKETS", "USAGE", "SECURITY"]
Channel = Literal["PORTAL", "EMAIL"]
PREFERENCE_KINDS: tuple[PreferenceKind, ...] = get_args(PreferenceKind)
CHANNELS: tuple[Channel, ...] = get_args(Channel)

# Security messages (a sign-in from a new device, a changed password or address) must reach the user's
# mailbox whatever else they switched off: it is how a takeover is noticed.
LOCKED: frozenset[tuple[PreferenceKind, Channel]] = frozenset({("SECURITY", "EMAIL")})

PREFERENCE_OF: dict[str, PreferenceKind] = {
    "INVOICE_ISSUED": "PAYMENTS",
    "PAYMENT_RECEIVED": "PAYMENTS",
    "PAYMENT_FAILED": "PAYMENTS",
    "WALLET_CREDITED": "PAYMENTS",  # money in the wallet: a top-up, a gift card, a credit
    "SERVICE_STATUS": "OUTAGES",  # a service down, suspended or restricted, an incident, planned work
    "TICKET_UPDATED": "TICKETS",
    "GENERAL": "OUTAGES",  # the operator's messages: planned maintenance, network notices
}
# USAGE has no notification kind of its own yet: it is the switch for usage-cap warnings when they come.


def preference_of(notification_kind: str) -> PreferenceKind:
    return PREFERENCE_OF.get(notification_kind, "OUTAGES")


class PostalAddress(Struct, frozen=True, kw_only=True, gc=False):
    lines: tuple[str, ...]  # 1 to 3
    city: str
    region: str | None = None
    postal_code: str
    country: str  # ISO 3166-1 alpha-2


class NotificationPreference(Struct, frozen=True, kw_only=True, gc=False):
    kind: PreferenceKind
    channel: Channel
    enabled: bool
    locked: bool = False  # cannot be switched off (SECURITY e-mails)


class UserProfile(Struct, frozen=True, kw_only=True, gc=False):
    """What a portal user keeps about themselves beyond their log-in: their phone and their preferences."""

    user_id: str
    phone: str | None = None
    notification_preferences: tuple[NotificationPreference, ...]


class ContactChange(Struct, frozen=True):
    """What the portal sends to change the subscriber's contact details (an input: never decoded). None
    leaves a field as it is."""

    email: str | None = None
    phone: str | None = None
    billing_address: PostalAddress | None = None
