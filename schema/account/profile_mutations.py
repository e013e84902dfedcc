"""Contact details and notification preferences: `updateContactDetails` (the account's contact e-mail,
phone and billing address: OWNER and MANAGER), `updateMyContactDetails` (one's own phone: every role but
VIEWER) and `setNotificationPreferences` (one's own switches: every role). The rules live in
`bff.core.profile`; the CRM audits each change."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from bff.core.profile import AddressInput, Profile, ProfileFailure
from schema.account.profile_errors import (
    SetNotificationPreferencesError,
    SetNotificationPreferencesErrorCode,
    UpdateContactDetailsError,
    UpdateContactDetailsErrorCode,
    UpdateMyContactDetailsError,
    UpdateMyContactDetailsErrorCode,
)
from schema.account.profile_types import NotificationChannel, NotificationPreferenceKind, ViewerProfile
from schema.core.context import Context
from schema.core.errors import known_code
from schema.core.mutation import INPUT, USER_ERRORS
from schema.core.permission import CanEditContactDetails, CanEditOwnProfile, IsAuthenticated, require
from schema.subscriber.types import Subscriber


def _at(failure: ProfileFailure) -> tuple[str, ...]:
    return ("input", *failure.field) if failure.field else ()


@strawberry.input(description="A postal address; every field is checked and trimmed.")
class PostalAddressInput:
    lines: list[str] = strawberry.field(description="Street, number, apartment: one to three lines of 100.")
    city: str = strawberry.field(description="The city or town, at most 80 characters.")
    postal_code: str = strawberry.field(
        default="", description="At most 16 characters; empty where the country has none"
    )
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 code, e.g. PT or US (any case).")
    region: str | None = strawberry.field(
        default=None, description="State, province or county, at most 80 characters"
    )


@strawberry.input(
    description=(
        "The input of `updateContactDetails`: give what changes, leave out what stays. These are the "
        "account's details, not anyone's login e-mail."
    )
)
class UpdateContactDetailsInput:
    email: str | None = strawberry.field(
        default=None,
        description="The account's contact e-mail; the old address is told of the change",
    )
    phone: str | None = strawberry.field(
        default=None, description="The account's phone, with its country code; stored in E.164"
    )
    billing_address: PostalAddressInput | None = strawberry.field(
        default=None, description="The billing address, replaced as a whole"
    )


@strawberry.type(
    description="The result of `updateContactDetails`: what it changed, or why it was refused (`userErrors`)."
)
class UpdateContactDetailsPayload:
    subscriber: Subscriber | None = strawberry.field(
        default=None, description="The account as it is now; null when refused."
    )
    user_errors: list[UpdateContactDetailsError] = strawberry.field(
        default_factory=list, description=USER_ERRORS
    )


async def update_contact_details(
    info: Info[Context, None],
    input: Annotated[UpdateContactDetailsInput, strawberry.argument(description=INPUT)],
) -> UpdateContactDetailsPayload:
    viewer = info.context.require_viewer()
    ip, agent = info.context.client()
    given = input.billing_address
    address = (
        AddressInput(given.lines, given.city, given.postal_code, given.country, given.region)
        if given is not None
        else None
    )
    try:
        record = await Profile(info.context.backends.crm).update_contact(
            viewer, email=input.email, phone=input.phone, address=address, ip=ip, user_agent=agent
        )
    except ProfileFailure as failure:
        code = known_code(failure.code, UpdateContactDetailsErrorCode.REFUSED, source="crm")
        return UpdateContactDetailsPayload(
            user_errors=[UpdateContactDetailsError.of(code, failure.message, *_at(failure))]
        )
    return UpdateContactDetailsPayload(subscriber=Subscriber.of(record))


@strawberry.input(description="The input of `updateMyContactDetails`.")
class UpdateMyContactDetailsInput:
    phone: str | None = strawberry.field(
        description="Your own phone with its country code (stored in E.164); null or empty removes it"
    )


@strawberry.type(
    description=(
        "The result of `updateMyContactDetails`: what it changed, or why it was refused (`userErrors`)."
    )
)
class UpdateMyContactDetailsPayload:
    profile: ViewerProfile | None = strawberry.field(
        default=None, description="Your profile as it is now; null when refused."
    )
    user_errors: list[UpdateMyContactDetailsError] = strawberry.field(
        default_factory=list, description=USER_ERRORS
    )


async def update_my_contact_details(
    info: Info[Context, None],
    input: Annotated[UpdateMyContactDetailsInput, strawberry.argument(description=INPUT)],
) -> UpdateMyContactDetailsPayload:
    viewer = info.context.require_viewer()
    ip, agent = info.context.client()
    try:
        profile = await Profile(info.context.backends.crm).set_phone(
            viewer, input.phone, ip=ip, user_agent=agent
        )
    except ProfileFailure as failure:
        code = known_code(failure.code, UpdateMyContactDetailsErrorCode.REFUSED, source="crm")
        return UpdateMyContactDetailsPayload(
            user_errors=[UpdateMyContactDetailsError.of(code, failure.message, *_at(failure))]
        )
    return UpdateMyContactDetailsPayload(profile=ViewerProfile.of(profile))


@strawberry.input(description="One switch to set.")
class NotificationPreferenceInput:
    kind: NotificationPreferenceKind = strawberry.field(description="What the notifications are about.")
    channel: NotificationChannel = strawberry.field(description="Where they arrive.")
    enabled: bool = strawberry.field(description="Whether they arrive.")


@strawberry.input(description="The input of `setNotificationPreferences`.")
class SetNotificationPreferencesInput:
    preferences: list[NotificationPreferenceInput] = strawberry.field(
        description="The switches to set (1 to 10, each kind and channel once); the others stay as they are"
    )


@strawberry.type(
    description=(
        "The result of `setNotificationPreferences`: what it changed, or why it was refused (`userErrors`)."
    )
)
class SetNotificationPreferencesPayload:
    profile: ViewerProfile | None = strawberry.field(
        default=None, description="Your profile with every switch as it is now; null when refused."
    )
    user_errors: list[SetNotificationPreferencesError] = strawberry.field(
        default_factory=list, description=USER_ERRORS
    )


MAX_PREFERENCES = len(NotificationPreferenceKind) * len(NotificationChannel)


async def set_notification_preferences(
    info: Info[Context, None],
    input: Annotated[SetNotificationPreferencesInput, strawberry.argument(description=INPUT)],
) -> SetNotificationPreferencesPayload:
    viewer = info.context.require_viewer()
    ip, agent = info.context.client()
    changes = [(p.kind.name, p.channel.name, p.enabled) for p in input.preferences]  # names are the values
    try:
        if len(changes) > MAX_PREFERENCES:
            raise ProfileFailure("DUPLICATE", f"At most {MAX_PREFERENCES} switches.", ("preferences",))
        profile = await Profile(info.context.backends.crm).set_preferences(
            viewer, changes, ip=ip, user_agent=agent
        )
    except ProfileFailure as failure:
        code = known_code(failure.code, SetNotificationPreferencesErrorCode.REFUSED, source="crm")
        return SetNotificationPreferencesPayload(
            user_errors=[SetNotificationPreferencesError.of(code, failure.message, *_at(failure))]
        )
    return SetNotificationPreferencesPayload(profile=ViewerProfile.of(profile))


@strawberry.type
class ProfileMutation:
    update_contact_details: UpdateContactDetailsPayload = strawberry.mutation(
        resolver=update_contact_details,
        description=(
            "Change the account's contact e-mail, phone or billing address (OWNER, MANAGER; others get "
            "FORBIDDEN). Audited; a new contact e-mail is announced to the old one. Never changes a login "
            "e-mail. Refusals: `UpdateContactDetailsErrorCode`."
        ),
        extensions=require(CanEditContactDetails()),
    )
    update_my_contact_details: UpdateMyContactDetailsPayload = strawberry.mutation(
        resolver=update_my_contact_details,
        description=(
            "Set or remove your own phone (every role but VIEWER). Refusals: `UpdateMyContactDetailsErrorCode`."
        ),
        extensions=require(CanEditOwnProfile()),
    )
    set_notification_preferences: SetNotificationPreferencesPayload = strawberry.mutation(
        resolver=set_notification_preferences,
        description=(
            "Switch notification kinds on or off per channel for yourself (every role: it is your inbox). "
            "All or nothing. Refusals: `SetNotificationPreferencesErrorCode`."
        ),
        extensions=require(IsAuthenticated()),
    )
