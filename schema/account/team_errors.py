"""Why a team change fails: one error type and one code enum per mutation (`inviteTeamMember`,
`changeTeamMember`, `disableTeamMember`, `removeTeamMember`)."""

from __future__ import annotations

from enum import Enum

import strawberry

from schema.core.errors import CodedError

_NOT_FOUND = (
    "No person of the viewer's account has this ID (another account's person, a removed one and an unknown ID "
    "look the same). Also the answer to a failure this enum does not list."
)
_NOT_ALLOWED = "A MANAGER cannot change an OWNER or make anyone an OWNER."
_SELF = "The ID is the viewer's own: nobody changes, disables or removes their own login here."
_SITE_REQUIRED = "A SITE user needs at least one site."
_SITE_NOT_FOUND = "A site ID is not one of the account's sub-services."


@strawberry.enum(description="Why `inviteTeamMember` failed.")
class InviteTeamMemberErrorCode(Enum):
    EMAIL_TAKEN = strawberry.enum_value(
        "EMAIL_TAKEN",
        description=(
            "A portal user (of this or another account) already signs in with this address. Also the answer to "
            "a failure this enum does not list."
        ),
    )
    INVALID_EMAIL = strawberry.enum_value("INVALID_EMAIL", description="Not an e-mail address.")
    NOT_ALLOWED = strawberry.enum_value("NOT_ALLOWED", description=_NOT_ALLOWED)
    SITE_REQUIRED = strawberry.enum_value("SITE_REQUIRED", description=_SITE_REQUIRED)
    SITE_NOT_FOUND = strawberry.enum_value("SITE_NOT_FOUND", description=_SITE_NOT_FOUND)
    RATE_LIMITED = strawberry.enum_value(
        "RATE_LIMITED",
        description="The account sent 20 invitations within the hour; the message says when to retry.",
    )


@strawberry.type(description="A refusal of `inviteTeamMember`.")
class InviteTeamMemberError(CodedError[InviteTeamMemberErrorCode]):
    pass


@strawberry.enum(description="Why `changeTeamMember` failed.")
class ChangeTeamMemberErrorCode(Enum):
    NOT_FOUND = strawberry.enum_value("NOT_FOUND", description=_NOT_FOUND)
    NOT_ALLOWED = strawberry.enum_value("NOT_ALLOWED", description=_NOT_ALLOWED)
    SELF = strawberry.enum_value("SELF", description=_SELF)
    SITE_REQUIRED = strawberry.enum_value("SITE_REQUIRED", description=_SITE_REQUIRED)
    SITE_NOT_FOUND = strawberry.enum_value("SITE_NOT_FOUND", description=_SITE_NOT_FOUND)


@strawberry.type(description="A refusal of `changeTeamMember`.")
class ChangeTeamMemberError(CodedError[ChangeTeamMemberErrorCode]):
    pass


@strawberry.enum(description="Why `disableTeamMember` failed.")
class DisableTeamMemberErrorCode(Enum):
    NOT_FOUND = strawberry.enum_value("NOT_FOUND", description=_NOT_FOUND)
    NOT_ALLOWED = strawberry.enum_value("NOT_ALLOWED", description=_NOT_ALLOWED)
    SELF = strawberry.enum_value("SELF", description=_SELF)


@strawberry.type(description="A refusal of `disableTeamMember`.")
class DisableTeamMemberError(CodedError[DisableTeamMemberErrorCode]):
    pass


@strawberry.enum(description="Why `removeTeamMember` failed.")
class RemoveTeamMemberErrorCode(Enum):
    NOT_FOUND = strawberry.enum_value("NOT_FOUND", description=_NOT_FOUND)
    NOT_ALLOWED = strawberry.enum_value("NOT_ALLOWED", description=_NOT_ALLOWED)
    SELF = strawberry.enum_value("SELF", description=_SELF)


@strawberry.type(description="A refusal of `removeTeamMember`.")
class RemoveTeamMemberError(CodedError[RemoveTeamMemberErrorCode]):
    pass
