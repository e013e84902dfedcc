"""The CRM port: who the subscriber is, what it has, who logs in for it, its support tickets, its portal
notifications and its access/audit log. Batch reads return dicts keyed by the requested ids; unknown ids are
absent. Writes raise `Rejected` with the CRM's code when a business rule refuses them. The records are frozen
`msgspec.Struct`s the adapter decodes straight from the response bytes (`adapters.decode`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal, Protocol, get_args

from msgspec import Struct

from adapters.ports.moment import Moment

SubscriberKind = Literal["RESIDENTIAL", "ENTERPRISE", "MDU"]
SubServiceKind = Literal["INTERNET", "IPTV", "VOIP"]
Role = Literal["OWNER", "MANAGER", "SITE", "FINANCE", "VIEWER"]
# The portal's languages (ISO 639-1; "pt" is written as in Brazil, pt-BR).
Locale = Literal["en", "es", "pt"]
LOCALES: tuple[Locale, ...] = get_args(Locale)
TicketCategory = Literal["CONNECTIVITY", "BILLING", "DEVICE", "INSTALLATION", "OTHER"]
TicketPriority = Literal["LOW", "NORMAL", "HIGH", "URGENT"]
TicketStatus = Literal["OPEN", "IN_PROGRESS", "WAITING_ON_CUSTOMER", "RESOLVED", "CLOSED"]
MessageAuthor = Literal["CUSTOMER", "SUPPORT"]
AttachmentType = Literal[
    "image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"
]
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
TICKET_CATEGORIES: tuple[TicketCategory, ...] = get_args(TicketCategory)
TICKET_PRIORITIES: tuple[TicketPriority, ...] = get_args(TicketPriority)
TICKET_STATUSES: tuple[TicketStatus, ...] = get_args(TicketStatus)
MESSAGE_AUTHORS: tuple[MessageAuthor, ...] = get_args(MessageAuthor)
ATTACHMENT_TYPES: tuple[AttachmentType, ...] = get_args(AttachmentType)
NOTIFICATION_KINDS: tuple[NotificationKind, ...] = get_args(NotificationKind)
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


class Subscriber(Struct, frozen=True, kw_only=True, gc=False):
    id: str
    account_number: str
    name: str
    kind: SubscriberKind
    email: str
    phone: str
    address: str
    subservice_count: int


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


class Sla(Struct, frozen=True, kw_only=True, gc=False):
    first_response_due_at: Moment
    resolution_due_at: Moment
    first_responded_at: Moment | None = None
    resolved_at: Moment | None = None
    first_response_breached: bool
    resolution_breached: bool
    first_response_met: bool = False  # the first support reply came in time
    resolution_met: bool = False  # resolved in time
    elapsed_percent: float = 0.0  # of the resolution window, until resolution or now; 0..100


class TicketRating(Struct, frozen=True, kw_only=True, gc=False):
    score: int  # 1..5
    comment: str | None = None
    rated_at: Moment


TicketEventKind = Literal[
    "CREATED", "ASSIGNED", "REPLIED", "STATUS_CHANGED", "ATTACHMENT_ADDED", "REOPENED", "RATED"
]
ActorKind = Literal["CUSTOMER", "SUPPORT", "SYSTEM"]
TICKET_EVENT_KINDS: tuple[TicketEventKind, ...] = get_args(TicketEventKind)


class TicketEvent(Struct, frozen=True, kw_only=True, gc=False):
    """One interaction in a ticket's history."""

    id: str
    kind: TicketEventKind
    actor_kind: ActorKind
    actor_name: str
    from_status: TicketStatus | None = None
    to_status: TicketStatus | None = None
    detail: str | None = None  # the queue (ASSIGNED), the message id (REPLIED), a file name, "5/5"
    created_at: Moment


class TicketCategoryInfo(Struct, frozen=True, kw_only=True, gc=False):
    """A category a customer may choose, with where it goes and what it promises."""

    category: TicketCategory
    label: str
    queue: str
    default_priority: TicketPriority
    first_response_minutes: int
    resolution_minutes: int


class TicketSummary(Struct, frozen=True, kw_only=True, gc=False):
    id: str
    number: str  # "TCK-…", what the subscriber quotes
    subject: str
    category: TicketCategory
    priority: TicketPriority
    status: TicketStatus
    queue: str  # the support team the category routes to
    subscriber_id: str
    subservice_id: str | None = None
    opened_by_user_id: str | None = None
    created_at: Moment
    updated_at: Moment
    sla: Sla
    message_count: int
    attachment_count: int
    rating: TicketRating | None = None


class TicketMessage(Struct, frozen=True, kw_only=True, gc=False):
    id: str
    author_kind: MessageAuthor
    author_name: str
    author_user_id: str | None = None  # the portal user for CUSTOMER messages
    body: str
    created_at: Moment
    attachment_ids: tuple[str, ...]


class Attachment(Struct, frozen=True, kw_only=True, gc=False):
    id: str
    ticket_id: str
    message_id: str | None = None
    filename: str  # a safe base name
    content_type: AttachmentType
    size_bytes: int
    sha256: str
    created_at: Moment


class Ticket(TicketSummary, frozen=True, kw_only=True, gc=False):
    messages: tuple[TicketMessage, ...]
    attachments: tuple[Attachment, ...]
    events: tuple[TicketEvent, ...] = ()


class TicketPage(Struct, frozen=True, kw_only=True, gc=False):
    items: list[TicketSummary]
    next_cursor: str | None = None
    total_count: int


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


class NewTicket(Struct, frozen=True):
    """What the portal sends to open a ticket (an input: built by the schema, never decoded)."""

    subscriber_id: str
    author_user_id: str
    category: str  # one of TICKET_CATEGORIES
    subject: str  # at most 200 characters
    body: str  # at most 10,000 characters
    subservice_id: str | None = None
    priority: str | None = None  # None: the category's default


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

    async def tickets_of(
        self, subscriber_id: str, statuses: Sequence[str] = (), limit: int = 50, after: str | None = None
    ) -> TicketPage:
        """Newest first; `statuses` empty means all."""
        ...

    async def tickets(self, ids: Sequence[str]) -> dict[str, Ticket]: ...

    async def ticket(self, ticket_id: str) -> Ticket: ...

    async def open_ticket(self, ticket: NewTicket) -> Ticket:
        """Rejected SUBSERVICE_MISMATCH / USER_MISMATCH / USER_DISABLED / UNKNOWN_SUBSCRIBER."""
        ...

    async def reply_to_ticket(self, ticket_id: str, author_user_id: str, body: str) -> Ticket:
        """Rejected TICKET_CLOSED for a closed ticket; a resolved one reopens."""
        ...

    async def close_ticket(self, ticket_id: str, user_id: str) -> Ticket: ...

    async def reopen_ticket(self, ticket_id: str, user_id: str, reason: str | None = None) -> Ticket:
        """Rejected TICKET_NOT_RESOLVED unless the ticket is RESOLVED or CLOSED."""
        ...

    async def rate_ticket(self, ticket_id: str, user_id: str, score: int, comment: str | None) -> Ticket:
        """Rejected TICKET_NOT_RESOLVED / ALREADY_RATED / RATING_INVALID."""
        ...

    async def ticket_categories(self) -> list[TicketCategoryInfo]: ...

    async def add_attachment(
        self, ticket_id: str, filename: str, content_type: str, data: bytes, message_id: str | None = None
    ) -> Attachment:
        """Rejected ATTACHMENT_TOO_LARGE / ATTACHMENT_TYPE_NOT_ALLOWED / ATTACHMENT_CONTENT_MISMATCH /
        TOO_MANY_ATTACHMENTS / TICKET_CLOSED."""
        ...

    async def attachments(self, ids: Sequence[str]) -> dict[str, Attachment]: ...

    async def attachment(self, attachment_id: str) -> tuple[Attachment, bytes]: ...

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
