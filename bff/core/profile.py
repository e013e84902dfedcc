"""Contact details and notification preferences, as the portal lets its users change them — through the
CRM, their system of record.

Who may change what (the schema attaches the role rules as permissions, `schema.core.permission`):
- the subscriber's contact e-mail, phone and billing address are the account's: OWNER and MANAGER;
- a user's own phone is theirs: every role but VIEWER, which reads only;
- a user's own notification preferences are theirs: every role, VIEWER too (it is their inbox, not the
  account's data).

The login e-mail is not a contact detail: it is the credential a user signs in with and where password
resets go, so it is never changed by these mutations (docs/architecture.md, "Contact details").

Values are checked here with the CRM's own rules (`adapters.contact`) before any call: a typo costs no round
trip and gets the code the CRM would give. The CRM audits each change and, for a new contact e-mail, writes
to the old address.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from adapters.contact import ContactInvalid, normalize_address, normalize_email, normalize_phone
from adapters.errors import Rejected
from adapters.ports.crm import CrmPort, Subscriber
from adapters.ports.profile import (
    CHANNELS,
    LOCKED,
    PREFERENCE_KINDS,
    ContactChange,
    NotificationPreference,
    PostalAddress,
    UserProfile,
)
from bff.core.auth.viewer import Viewer

ADDRESS_FIELDS = {"lines", "city", "region", "postalCode", "country"}


class ProfileFailure(Exception):
    """A refused change: `code` as `updateContactDetails` and friends answer it; `field` the input's."""

    def __init__(self, code: str, message: str, field: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


@dataclass(frozen=True, slots=True)
class AddressInput:
    lines: Sequence[str]
    city: str
    postal_code: str
    country: str
    region: str | None = None


def _failure(exc: ContactInvalid, *parent: str) -> ProfileFailure:
    field = (*parent, exc.field) if exc.field in ADDRESS_FIELDS and parent else (exc.field,)
    return ProfileFailure(exc.code, exc.message, field)


def _rejected(exc: Rejected) -> ProfileFailure:
    return ProfileFailure(exc.code, exc.message)


class Profile:
    def __init__(self, crm: CrmPort) -> None:
        self.crm = crm

    async def update_contact(
        self,
        viewer: Viewer,
        *,
        email: str | None,
        phone: str | None,
        address: AddressInput | None,
        ip: str | None = None,
        user_agent: str | None = None,
    ) -> Subscriber:
        if email is None and phone is None and address is None:
            raise ProfileFailure("NOTHING_TO_CHANGE", "Give at least one detail to change.")
        try:
            change = ContactChange(
                email=normalize_email(email) if email is not None else None,
                phone=normalize_phone(phone) if phone is not None else None,
                billing_address=_address(address) if address is not None else None,
            )
        except ContactInvalid as exc:
            raise _failure(exc, "billingAddress") from None
        try:
            return await self.crm.update_contact_details(
                viewer.subscriber_id, viewer.user_id, change, ip=ip, user_agent=user_agent
            )
        except Rejected as exc:
            raise _rejected(exc) from None

    async def set_phone(
        self, viewer: Viewer, phone: str | None, *, ip: str | None = None, user_agent: str | None = None
    ) -> UserProfile:
        try:
            value = normalize_phone(phone) if phone and phone.strip() else None
        except ContactInvalid as exc:
            raise _failure(exc) from None
        try:
            return await self.crm.set_user_phone(viewer.user_id, value, ip=ip, user_agent=user_agent)
        except Rejected as exc:
            raise _rejected(exc) from None

    async def set_preferences(
        self,
        viewer: Viewer,
        changes: Sequence[tuple[str, str, bool]],
        *,
        ip: str | None = None,
        user_agent: str | None = None,
    ) -> UserProfile:
        if not changes:
            raise ProfileFailure("NOTHING_TO_CHANGE", "Give at least one preference.", ("preferences",))
        if len({(k, c) for k, c, _ in changes}) != len(changes):
            raise ProfileFailure("DUPLICATE", "Each kind and channel at most once.", ("preferences",))
        prefs: list[NotificationPreference] = []
        for kind, channel, enabled in changes:
            if kind not in PREFERENCE_KINDS or channel not in CHANNELS:  # the schema's enums prevent this
                raise ValueError(f"unknown preference {kind}/{channel}")
            if (kind, channel) in LOCKED and not enabled:
                raise ProfileFailure(
                    "SECURITY_EMAIL_REQUIRED",
                    "Security e-mails (new sign-ins, changed passwords and addresses) cannot be switched off.",
                    ("preferences",),
                )
            prefs.append(NotificationPreference(kind=kind, channel=channel, enabled=enabled))
        try:
            return await self.crm.set_notification_preferences(
                viewer.user_id, prefs, ip=ip, user_agent=user_agent
            )
        except Rejected as exc:
            raise _rejected(exc) from None


def _address(given: AddressInput) -> PostalAddress:
    checked = normalize_address(list(given.lines), given.city, given.postal_code, given.country, given.region)
    return PostalAddress(
        lines=checked.lines,
        city=checked.city,
        region=checked.region,
        postal_code=checked.postal_code,
        country=checked.country,
    )
