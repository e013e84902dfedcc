"""The CRM port: who the subscriber is, what it has, who logs in for it, its portal notifications and its
access/audit log (support tickets have a port of their own, `adapters.ports.tickets`). Batch reads return
dicts keyed by the requested ids; unknown ids are absent. Writes raise `Rejected` with the CRM's code when a
business rule refuses them. The records are frozen `msgspec.Struct`s the adapter decodes straight from the
response bytes (`adapters.decode`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal, Protocol, get_args

from msgspec import Struct

from adapters.ports.moment import Moment
from adapters.ports.profile import ContactChange, NotificationPreference, PostalAddress, UserProfile

SubscriberKind = Literal["RESIDENTIAL", "ENTERPRISE", "MDU"]
SubServiceKind = Literal["INTERNET", "IPTV", "VOIP"]
Role = Literal["OWNER", "MANAGER", "SITE", "FINANCE", "VIEWER"]
# The portal's languages (ISO 639-1; "pt" is written as in Brazil, pt-BR).
Locale = Literal["en", "es", "pt"]
LOCALES: tuple[Locale, ...] = get_args(Locale)
NotificationKind = Literal[
    "INVOICE_ISSUED",
    "PAYMENT_RECEIVED",
    "PAYMENT_FAILED",
    "WALLET_CREDITED",
    "SERVICE_STATUS",
    "TICKET_UPDATED",
    "GENERAL",
]

SUBSCRIBER_KINDS: tuple[SubscriberKind, ...] = get_args(SubscriberKind)
SUBSERVICE_KINDS: tuple[SubServiceKind, ...] = get_args(SubServiceKind)
ROLES: tuple[Role, ...] = get_args(Role)
NOTIFICATION_KINDS: tuple[NotificationKind, ...] = get_args(NotificationKind)


class Subscriber(Struct, frozen=True, kw_only=True, gc=False):
    id: str
    account_number: str
    name: str
    kind: SubscriberKind
    email: str  # the contact address: the account's notices and invoices go there
    phone: str  # E.164 once changed through the portal; older records as they were typed
    address: str  # one line
    subservice_count: int
    billing_address: PostalAddress | None = None  # structured, once someone gave it


class SubService(Struct, frozen=True, kw_only=True, gc=False):
    id: str
    subscriber_id: str
    kind: SubServiceKind
    label: str  # in the subscriber's words: "Internet – Apt 101"
    location: str
    activated_on: date


class SubServicePage(Struct, frozen=True, kw_only=True, gc=False):
    items: list[SubService]
    next_cursor: str | None = None  # None on the last page
    total_count: int


class PortalUser(Struct, frozen=True, kw_only=True, gc=False):
    id: str
    email: str
    name: str
    role: Role
    subscriber_id: str
    site_subservice_ids: tuple[str, ...]  # the sites a SITE user may see; empty for other roles
    disabled: bool
    last_login_at: Moment | None = None
    two_factor_enabled: bool = False  # the TOTP second factor is on: signing in needs a code too
    locale: Locale | None = None  # the language the user chose; None: follow the browser


LinkKind = Literal["TICKET", "INVOICE", "PAYMENT", "SERVICE", "WALLET"]
LINK_KINDS: tuple[LinkKind, ...] = get_args(LinkKind)


class NotificationLink(Struct, frozen=True, kw_only=True, gc=False):
    """What a notification is about: a ticket, an invoice, a payment, a sub-service, the wallet."""

    kind: LinkKind
    id: str | None = None


class Notification(Struct, frozen=True, kw_only=True, gc=False):
    id: str
    subscriber_id: str
    subservice_id: str | None = None
    kind: NotificationKind
    title: str
    body: str
    link: NotificationLink | None = None
    created_at: Moment
    read: bool  # by the user the list was asked for


class NotificationPage(Struct, frozen=True, kw_only=True, gc=False):
    items: list[Notification]
    unread_count: int  # over everything the user can see, not just this page
    next_cursor: str | None = None


class MarkReadResult(Struct, frozen=True, kw_only=True, gc=False):
    marked_ids: tuple[str, ...]  # the ids that were the user's to mark
    unread_count: int


class AuditEntry(Struct, frozen=True, kw_only=True, gc=False):
    id: str
    user_id: str | None = None
    subscriber_id: str | None = None
    action: str  # e.g. "login", "login_failed", "ticket.open"
    ip: str | None = None
    user_agent: str | None = None
    detail: str | None = None
    created_at: Moment


class TotpEnrolment(Struct, frozen=True, kw_only=True, gc=False):
    secret: str  # base32, for typing into an authenticator app by hand
    uri: str  # otpauth://totp/…, what the QR code holds


class RecoveryCodes(Struct, frozen=True, kw_only=True, gc=False):
    recovery_codes: tuple[str, ...]  # shown once: the CRM keeps only their hashes


class SecondFactorCheck(Struct, frozen=True, kw_only=True, gc=False):
    method: Literal["TOTP", "RECOVERY_CODE"]
    recovery_codes_left: int


class DeviceSeen(Struct, frozen=True, kw_only=True, gc=False):
    new: bool
    alerted: bool  # a new-sign-in e-mail went out


class Accepted(Struct, frozen=True, kw_only=True, gc=False):
    accepted: bool


class CrmPort(Protocol):
    async def subscribers(self, ids: Sequence[str]) -> dict[str, Subscriber]: ...

    async def subscriber(self, subscriber_id: str) -> Subscriber:
        """Raises NotFound for an unknown subscriber."""
        ...

    async def subservices_of(
        self, subscriber_id: str, limit: int = 100, after: str | None = None
    ) -> SubServicePage:
        """One page (limit 1..1000) in a stable order; pass `next_cursor` as `after` for the next."""
        ...

    async def all_subservices_of(self, subscriber_id: str) -> list[SubService]:
        """Every sub-service, following cursors (one call up to 1,000)."""
        ...

    async def subservices(self, ids: Sequence[str]) -> dict[str, SubService]: ...

    async def verify_credentials(
        self, email: str, password: str, *, ip: str | None = None, user_agent: str | None = None
    ) -> PortalUser:
        """The user for a correct e-mail and password; raises Rejected INVALID_CREDENTIALS (unknown e-mail
        and wrong password alike) or USER_DISABLED. A failure for a known user goes into that user's access
        log with `ip` and `user_agent`."""
        ...

    async def users(self, ids: Sequence[str]) -> dict[str, PortalUser]: ...

    async def user(self, user_id: str) -> PortalUser: ...

    async def users_of(self, subscriber_id: str) -> list[PortalUser]: ...

    async def notifications(
        self,
        subscriber_id: str,
        user_id: str,
        unread_only: bool = False,
        limit: int = 50,
        after: str | None = None,
    ) -> NotificationPage: ...

    async def notify(
        self,
        subscriber_id: str,
        kind: str,
        title: str,
        body: str,
        subservice_id: str | None = None,
        email: bool = False,
        link: NotificationLink | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> Notification:
        """Post a notification; with `email` the CRM also e-mails the subscriber's contact address (in the
        same transaction), linking to what it is about (`link`: the portal opens it too). With an
        `idempotency_key`, a repeat of the key posts and e-mails nothing and answers the first notification;
        the same key with other content is Rejected IDEMPOTENCY_CONFLICT."""
        ...

    async def mark_notifications_read(self, user_id: str, ids: Sequence[str]) -> MarkReadResult: ...

    async def record_audit(
        self,
        action: str,
        *,
        user_id: str | None = None,
        subscriber_id: str | None = None,
        ip: str | None = None,
        user_agent: str | None = None,
        detail: str | None = None,
    ) -> AuditEntry: ...

    async def audit_of_user(self, user_id: str, limit: int = 50) -> list[AuditEntry]: ...

    # -- a user's credentials (Rejected codes as the contract lists them) ----------------------------------
    async def change_password(self, user_id: str, current: str, new: str) -> PortalUser:
        """Rejected INVALID_CREDENTIALS, PASSWORD_UNCHANGED, PASSWORD_TOO_SHORT / _TOO_LONG / _IS_EMAIL /
        _TOO_COMMON, UNKNOWN_USER."""
        ...

    async def request_password_reset(self, email: str, link: str, locale: Locale | None = None) -> None:
        """E-mail a reset link (`link?token=…`) if an active user has `email`; the same answer otherwise. The
        e-mail is in the user's own language, else `locale` (the asking page's), else English."""
        ...

    async def reset_password(self, token: str, new: str) -> PortalUser:
        """Rejected INVALID_TOKEN or a policy code."""
        ...

    async def begin_totp(self, user_id: str) -> TotpEnrolment:
        """Rejected ALREADY_ENABLED."""
        ...

    async def confirm_totp(self, user_id: str, code: str) -> RecoveryCodes:
        """Rejected INVALID_CODE, NOT_ENROLLING, ALREADY_ENABLED."""
        ...

    async def verify_second_factor(
        self, user_id: str, *, code: str | None = None, recovery_code: str | None = None
    ) -> SecondFactorCheck:
        """Rejected INVALID_CODE, NOT_ENABLED."""
        ...

    async def disable_totp(
        self, user_id: str, *, password: str | None = None, code: str | None = None
    ) -> PortalUser:
        """Rejected INVALID_CREDENTIALS, NOT_ENABLED."""
        ...

    async def device_seen(self, user_id: str, device_key: str, label: str, ip: str | None) -> DeviceSeen: ...

    # -- the team --------------------------------------------------------------------------------------------
    async def invite_user(
        self,
        subscriber_id: str,
        *,
        email: str,
        name: str | None,
        role: str,
        site_ids: Sequence[str],
        invited_by: str,
        link: str,
    ) -> PortalUser:
        """Rejected EMAIL_TAKEN, INVALID_EMAIL, SUBSERVICE_MISMATCH, …"""
        ...

    async def set_user_role(self, user_id: str, role: str, site_ids: Sequence[str] = ()) -> PortalUser: ...

    async def set_user_disabled(self, user_id: str, disabled: bool) -> PortalUser: ...

    async def remove_user(self, user_id: str) -> PortalUser: ...

    async def set_user_locale(self, user_id: str, locale: Locale | None) -> PortalUser: ...

    async def audit_of_subscriber(self, subscriber_id: str, limit: int = 50) -> list[AuditEntry]: ...

    # -- contact details and a user's profile (adapters.ports.profile) -------------------------------------
    async def update_contact_details(
        self,
        subscriber_id: str,
        changed_by: str,
        change: ContactChange,
        *,
        ip: str | None = None,
        user_agent: str | None = None,
    ) -> Subscriber:
        """Rejected INVALID_EMAIL, EMAIL_TOO_LONG, INVALID_PHONE, INVALID_COUNTRY, REQUIRED, TOO_LONG,
        USER_MISMATCH. Audited; a changed e-mail is announced to the old address."""
        ...

    async def user_profile(self, user_id: str) -> UserProfile: ...

    async def set_user_phone(
        self, user_id: str, phone: str | None, *, ip: str | None = None, user_agent: str | None = None
    ) -> UserProfile:
        """Rejected INVALID_PHONE; None removes the phone."""
        ...

    async def request_login_email_change(
        self, user_id: str, current_password: str, new_email: str, link: str
    ) -> None:
        """E-mail `link?token=…` to the new address (and a notice to the old). Rejected INVALID_CREDENTIALS,
        INVALID_EMAIL, EMAIL_TOO_LONG, EMAIL_UNCHANGED, EMAIL_TAKEN."""
        ...

    async def complete_login_email_change(self, token: str) -> PortalUser:
        """The user signing in with the new address. Rejected INVALID_TOKEN, EMAIL_TAKEN."""
        ...

    async def set_notification_preferences(
        self,
        user_id: str,
        changes: Sequence[NotificationPreference],
        *,
        ip: str | None = None,
        user_agent: str | None = None,
    ) -> UserProfile:
        """All or none; Rejected SECURITY_EMAIL_REQUIRED for SECURITY e-mail switched off."""
        ...
