"""Who may see what (DESIGN §5), in one place.

Two kinds of rule live here:
- permission classes attached to fields (`extensions=[...]`): a field a role may not see resolves to null
  (`fail_silently`) or to a coded error;
- visibility predicates that node fetchers and list resolvers apply to every object they hand out, so a
  foreign object, an unknown one and one a SITE user may not see are all simply absent.

A viewer sees only their own subscriber. SITE users see only their assigned sub-services, the invoices of
those (never consolidated ones), their tickets, and no wallet. VIEWER and FINANCE read like MANAGER.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from strawberry.extensions.field_extension import FieldExtension
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.types import Info

from adapters.ports.billing import Invoice, PaymentRecord
from adapters.ports.crm import Notification, SubService
from adapters.ports.tickets import TicketSummary
from bff.core.auth.viewer import Viewer
from schema.core.context import Context
from schema.core.errors import Forbidden, Unauthenticated


def _viewer(info: Info[Context, Any]) -> Viewer | None:
    return info.context.viewer


class IsAuthenticated(BasePermission):
    """The request carries a valid session; otherwise UNAUTHENTICATED (saying why, e.g. TOKEN_EXPIRED)."""

    message = "You need to log in."

    def has_permission(self, source: Any, info: Info[Context, Any], **kwargs: Any) -> bool:
        info.context.require_viewer()  # raises the coded error with the reason
        return True

    def on_unauthorized(self) -> None:
        raise Unauthenticated()


def can_see_wallet(viewer: Viewer | None) -> bool:
    """Wallets are for everyone but SITE users (an apartment or branch does not spend the account's credit).
    The one rule behind the `wallet` fields, the wallet's events and the notifications about the wallet."""
    return viewer is not None and not viewer.is_site_user


class CanSeeWallet(BasePermission):
    """`can_see_wallet` on a field. Used with `fail_silently`: the field is null for those who may not."""

    message = "Your role cannot see the wallet."

    def has_permission(self, source: Any, info: Info[Context, Any], **kwargs: Any) -> bool:
        return can_see_wallet(_viewer(info))


class _RoleRule(BasePermission):
    """A rule on what the viewer's role may do: refused with FORBIDDEN and the rule's message (without a
    session, `require_viewer` has already raised UNAUTHENTICATED with its reason)."""

    def on_unauthorized(self) -> None:
        raise Forbidden(self.message)


class CanManageBilling(_RoleRule):
    """Pay, top up, manage cards and autopay: OWNER, MANAGER and FINANCE. Without a session the error is
    UNAUTHENTICATED (with its reason); VIEWER and SITE users get FORBIDDEN."""

    message = "Your role cannot manage billing."

    def has_permission(self, source: Any, info: Info[Context, Any], **kwargs: Any) -> bool:
        return info.context.require_viewer().can_manage_billing


class CanExportFinancials(_RoleRule):
    """CSV exports of invoices and wallet history: the roles that keep the account's books, the same as
    `CanManageBilling` (OWNER, MANAGER, FINANCE). VIEWER reads every invoice and the wallet on screen but is
    not a finance user; a SITE user sees neither the wallet nor the account's invoices: both get FORBIDDEN."""

    message = "Your role cannot export the account's financial records."

    def has_permission(self, source: Any, info: Info[Context, Any], **kwargs: Any) -> bool:
        return info.context.require_viewer().can_manage_billing


class CanWriteTickets(_RoleRule):
    """Open, answer, close, reopen and rate tickets: every role but VIEWER, which reads only (FORBIDDEN).
    Which tickets a SITE user may touch is a visibility rule (`can_see_ticket`), applied per ticket."""

    message = "Your role can read tickets but not open or answer them."

    def has_permission(self, source: Any, info: Info[Context, Any], **kwargs: Any) -> bool:
        return not info.context.require_viewer().read_only


class CanChangeServices(_RoleRule):
    """Change a sub-service's plan: every role but VIEWER, which reads only (FORBIDDEN). Which sub-services a
    SITE user may change is a visibility rule (`can_see_subservice`), applied per sub-service."""

    message = "Your role can see services but not change them."

    def has_permission(self, source: Any, info: Info[Context, Any], **kwargs: Any) -> bool:
        return not info.context.require_viewer().read_only


DEVICE_ROLES = frozenset({"OWNER", "MANAGER", "SITE"})


def can_manage_devices(viewer: Viewer) -> bool:
    """Change a router's Wi-Fi, restart a device: OWNER, MANAGER and SITE users (SITE: their sites' devices)."""
    return viewer.role in DEVICE_ROLES


class CanManageDevices(_RoleRule):
    """Change a router's Wi-Fi, reboot a device: OWNER, MANAGER and SITE users (which devices a SITE user may
    touch is a visibility rule, applied per device). VIEWER reads only and FINANCE looks after billing: both
    get FORBIDDEN."""

    message = "Your role can see devices but not change or restart them."

    def has_permission(self, source: Any, info: Info[Context, Any], **kwargs: Any) -> bool:
        return can_manage_devices(info.context.require_viewer())


class CanManageTeam(_RoleRule):
    """Invite, change, disable and remove the account's people: OWNER and MANAGER. Without a session the
    error is UNAUTHENTICATED; other roles get FORBIDDEN."""

    message = "Your role cannot manage the team."

    def has_permission(self, source: Any, info: Info[Context, Any], **kwargs: Any) -> bool:
        return info.context.require_viewer().can_manage_team


CONTACT_ROLES = frozenset({"OWNER", "MANAGER"})


class CanEditContactDetails(_RoleRule):
    """Change the subscriber's contact e-mail, phone and billing address: OWNER and MANAGER (the account's
    data; `bff.core.profile`). Other roles get FORBIDDEN."""

    message = "Your role cannot change the account's contact details."

    def has_permission(self, source: Any, info: Info[Context, Any], **kwargs: Any) -> bool:
        return info.context.require_viewer().role in CONTACT_ROLES


class CanEditOwnProfile(_RoleRule):
    """Change one's own phone: every role but VIEWER, which reads only (FORBIDDEN)."""

    message = "Your role can read your details but not change them."

    def has_permission(self, source: Any, info: Info[Context, Any], **kwargs: Any) -> bool:
        return not info.context.require_viewer().read_only


class LinksSubService(Protocol):
    @property
    def linked_subservice_id(self) -> str | None: ...


class CanSeeLinkedSubService(BasePermission):
    """For `subService` fields of objects already authorized for the viewer's subscriber (an invoice line,
    a ticket, a notification): the sub-service shows only if the viewer may see it; otherwise null."""

    message = "You cannot see this sub-service."

    def has_permission(self, source: LinksSubService, info: Info[Context, Any], **kwargs: Any) -> bool:
        viewer = _viewer(info)
        linked = source.linked_subservice_id
        return viewer is not None and linked is not None and viewer.can_see_subservice(linked)


def null_unless(permission: BasePermission) -> list[FieldExtension]:
    """Field extensions: resolve to null (or []) when `permission` is not granted, without an error and
    without a schema directive (the SDL stays the contract the clients were written against)."""
    return [PermissionExtension(permissions=[permission], fail_silently=True, use_directives=False)]


def require(permission: BasePermission) -> list[FieldExtension]:
    """Field extensions: raise `permission`'s coded error when it is not granted."""
    return [PermissionExtension(permissions=[permission], use_directives=False)]


# ------------------------------------------------------------------------------------ visibility predicates


def can_see_subservice(viewer: Viewer, subservice: SubService) -> bool:
    return viewer.can_see_subservice(subservice.id, subscriber_id=subservice.subscriber_id)


def visible_subservices(viewer: Viewer, subservices: list[SubService]) -> list[SubService]:
    return [s for s in subservices if can_see_subservice(viewer, s)]


def can_see_invoice(viewer: Viewer, invoice: Invoice) -> bool:
    """Own subscriber's invoices; for SITE users only per-sub-service invoices of their sites."""
    return viewer.can_see_invoice(invoice.subscriber_id, invoice.subservice_id)


def can_see_payment(viewer: Viewer, payment: PaymentRecord) -> bool:
    """As its invoice: own subscriber's, and for SITE users only payments of their sites' invoices."""
    return viewer.can_see_invoice(payment.subscriber_id, payment.invoice_subservice_id)


def can_see_ticket(viewer: Viewer, ticket: TicketSummary) -> bool:
    """Own subscriber's tickets; for SITE users those about their sites or opened by themselves."""
    if ticket.subscriber_id != viewer.subscriber_id:
        return False
    if not viewer.is_site_user:
        return True
    if ticket.opened_by_user_id == viewer.user_id:
        return True
    return ticket.subservice_id is not None and ticket.subservice_id in viewer.site_subservice_ids


def _wallet_notice(viewer: Viewer, notification: Notification) -> bool:
    return can_see_wallet(viewer)


def _invoice_notice(viewer: Viewer, notification: Notification) -> bool:
    """Like `can_see_invoice`: a SITE user sees the invoices of their sites only, never an account-wide
    (consolidated) one, which is what a notice about an invoice without a sub-service is about. The same holds
    for an account-wide service notice."""
    return not viewer.is_site_user or notification.subservice_id is not None


# A notification's text repeats data that some fields hide: such a notification is shown only to whom the
# field's rule shows it — a wallet credit and the balance it left to who may see `wallet`, an invoice's
# amounts to who may see the invoice. Kinds not listed say nothing beyond what their sub-service (or the
# subscriber) already shows.
NOTIFICATION_RULES: dict[str, Callable[[Viewer, Notification], bool]] = {
    "WALLET_CREDITED": _wallet_notice,
    "INVOICE_ISSUED": _invoice_notice,
    "PAYMENT_RECEIVED": _invoice_notice,
    "PAYMENT_FAILED": _invoice_notice,
    # Without a sub-service, a service notice speaks for several of the account's services (an outage):
    # SITE users get the notices of their own sites instead.
    "SERVICE_STATUS": _invoice_notice,
}


def can_see_notification(viewer: Viewer, notification: Notification) -> bool:
    """The CRM should list only what the user may see; this applies the portal's own rules whatever the
    CRM did: the subscriber boundary, the sub-service's visibility and the rule of the data the text is about."""
    if notification.subscriber_id != viewer.subscriber_id:
        return False
    rule = NOTIFICATION_RULES.get(notification.kind)
    if rule is not None and not rule(viewer, notification):
        return False
    linked = notification.subservice_id
    return linked is None or viewer.can_see_subservice(linked)
