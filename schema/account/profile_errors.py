"""Why a contact or preference change fails: one error type and one code enum per mutation
(`updateContactDetails`, `updateMyContactDetails`, `setNotificationPreferences`)."""

from __future__ import annotations

from enum import Enum

import strawberry

from schema.core.errors import CodedError

_INVALID_PHONE = (
    "Not a phone number in international form: a country code and 8 to 15 digits in all (+351 912 345 678; "
    "spaces, dots, dashes and parentheses are fine, 00 counts as +). A national number is refused."
)
_REFUSED = "The CRM refused the change for a reason this enum does not list; the message says why."


@strawberry.enum(description="Why `updateContactDetails` failed.")
class UpdateContactDetailsErrorCode(Enum):
    INVALID_EMAIL = strawberry.enum_value("INVALID_EMAIL", description="Not an e-mail address.")
    EMAIL_TOO_LONG = strawberry.enum_value(
        "EMAIL_TOO_LONG", description="An e-mail address has at most 254 characters."
    )
    INVALID_PHONE = strawberry.enum_value("INVALID_PHONE", description=_INVALID_PHONE)
    INVALID_COUNTRY = strawberry.enum_value(
        "INVALID_COUNTRY", description="The country is not an ISO 3166-1 alpha-2 code (PT, US, GB…)."
    )
    REQUIRED = strawberry.enum_value(
        "REQUIRED", description="A billing address needs a street line and a city."
    )
    TOO_LONG = strawberry.enum_value(
        "TOO_LONG",
        description="An address field is too long: 3 lines of 100, city and region 80, postal code 16.",
    )
    NOTHING_TO_CHANGE = strawberry.enum_value(
        "NOTHING_TO_CHANGE", description="The input gave no detail to change."
    )
    REFUSED = strawberry.enum_value("REFUSED", description=_REFUSED)


@strawberry.type(description="A refusal of `updateContactDetails`.")
class UpdateContactDetailsError(CodedError[UpdateContactDetailsErrorCode]):
    pass


@strawberry.enum(description="Why `updateMyContactDetails` failed.")
class UpdateMyContactDetailsErrorCode(Enum):
    INVALID_PHONE = strawberry.enum_value("INVALID_PHONE", description=_INVALID_PHONE)
    REFUSED = strawberry.enum_value("REFUSED", description=_REFUSED)


@strawberry.type(description="A refusal of `updateMyContactDetails`.")
class UpdateMyContactDetailsError(CodedError[UpdateMyContactDetailsErrorCode]):
    pass


@strawberry.enum(description="Why `setNotificationPreferences` failed.")
class SetNotificationPreferencesErrorCode(Enum):
    SECURITY_EMAIL_REQUIRED = strawberry.enum_value(
        "SECURITY_EMAIL_REQUIRED", description="SECURITY e-mail cannot be switched off. Nothing was changed."
    )
    DUPLICATE = strawberry.enum_value(
        "DUPLICATE", description="A kind and channel appear twice in the input. Nothing was changed."
    )
    NOTHING_TO_CHANGE = strawberry.enum_value(
        "NOTHING_TO_CHANGE", description="The input listed no preference."
    )
    REFUSED = strawberry.enum_value("REFUSED", description=_REFUSED)


@strawberry.type(description="A refusal of `setNotificationPreferences`.")
class SetNotificationPreferencesError(CodedError[SetNotificationPreferencesErrorCode]):
    pass
