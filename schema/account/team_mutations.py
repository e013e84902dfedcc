"""The account's people, managed by its OWNER (and a MANAGER, for everyone but owners): `inviteTeamMember`
e-mails a link to set a first password, `changeTeamMember` sets role and site scope, `disableTeamMember`
and `removeTeamMember`. The rules live in `bff.core.team`; a changed person's sessions follow at once."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from bff.core.team import Team, TeamFailure
from schema.account.links import reset_link
from schema.account.team_errors import (
    ChangeTeamMemberError,
    ChangeTeamMemberErrorCode,
    DisableTeamMemberError,
    DisableTeamMemberErrorCode,
    InviteTeamMemberError,
    InviteTeamMemberErrorCode,
    RemoveTeamMemberError,
    RemoveTeamMemberErrorCode,
)
from schema.account.types import PortalUser, Role
from schema.core.context import Context
from schema.core.errors import BadUserInput, known_code
from schema.core.mutation import INPUT, USER_ERRORS
from schema.core.node import decode_id_of
from schema.core.permission import CanManageTeam, require

MAX_EMAIL = 254
MAX_NAME = 200
MAX_SITES = 500


def _raw(global_id: str, type_name: str) -> str:
    """The raw id of a global ID of `type_name`; "" for anything else (then it is simply not found)."""
    try:
        return decode_id_of(global_id, type_name)
    except BadUserInput:
        return ""


def _sites(site_ids: list[strawberry.ID]) -> list[str]:
    if len(site_ids) > MAX_SITES:
        raise BadUserInput(f"At most {MAX_SITES} sites.")
    return [_raw(s, "SubService") or "-" for s in site_ids]


def _field(failure: TeamFailure) -> tuple[str, ...]:
    return ("input", failure.field) if failure.field else ()


@strawberry.input(description="The input of `inviteTeamMember`.")
class InviteTeamMemberInput:
    email: str = strawberry.field(
        description="Where the invitation goes; the address they will sign in with."
    )
    name: str | None = strawberry.field(
        default=None, description="Their name as the portal shows it; optional."
    )
    role: Role = strawberry.field(description="What they may see and do.")
    site_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="`SubService` IDs, required for the SITE role (ignored otherwise)"
    )


@strawberry.type(
    description="The result of `inviteTeamMember`: what it changed, or why it was refused (`userErrors`)."
)
class InviteTeamMemberPayload:
    member: PortalUser | None = strawberry.field(
        default=None, description="The invited user; null when refused."
    )
    user_errors: list[InviteTeamMemberError] = strawberry.field(default_factory=list, description=USER_ERRORS)


async def invite_team_member(
    info: Info[Context, None], input: Annotated[InviteTeamMemberInput, strawberry.argument(description=INPUT)]
) -> InviteTeamMemberPayload:
    viewer = info.context.require_viewer()
    if len(input.email) > MAX_EMAIL or len(input.name or "") > MAX_NAME:
        error = InviteTeamMemberError.of(
            InviteTeamMemberErrorCode.INVALID_EMAIL, "This is not an e-mail address.", "input", "email"
        )
        return InviteTeamMemberPayload(user_errors=[error])
    ip, agent = info.context.client()
    try:
        user = await Team(info.context.auth).invite(
            viewer,
            email=input.email,
            name=input.name,
            role=input.role.name,  # a Role's name is its value
            site_ids=_sites(input.site_ids),
            link=reset_link(info.context),
            ip=ip,
            user_agent=agent,
        )
    except TeamFailure as failure:
        code = known_code(failure.code, InviteTeamMemberErrorCode.EMAIL_TAKEN, source="team")
        return InviteTeamMemberPayload(
            user_errors=[InviteTeamMemberError.of(code, failure.message, *_field(failure))]
        )
    return InviteTeamMemberPayload(member=PortalUser.of(user))


@strawberry.input(description="The input of `changeTeamMember`.")
class ChangeTeamMemberInput:
    member_id: strawberry.ID = strawberry.field(description="A `PortalUser` ID from `viewer.team`")
    role: Role = strawberry.field(description="Their new role.")
    site_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="`SubService` IDs, required for the SITE role (ignored otherwise)"
    )


@strawberry.type(
    description="The result of `changeTeamMember`: what it changed, or why it was refused (`userErrors`)."
)
class ChangeTeamMemberPayload:
    member: PortalUser | None = strawberry.field(
        default=None, description="The user as they are now; null when refused."
    )
    user_errors: list[ChangeTeamMemberError] = strawberry.field(default_factory=list, description=USER_ERRORS)


async def change_team_member(
    info: Info[Context, None], input: Annotated[ChangeTeamMemberInput, strawberry.argument(description=INPUT)]
) -> ChangeTeamMemberPayload:
    viewer = info.context.require_viewer()
    ip, agent = info.context.client()
    try:
        user = await Team(info.context.auth).change(
            viewer,
            _raw(input.member_id, "PortalUser"),
            role=input.role.name,  # a Role's name is its value
            site_ids=_sites(input.site_ids),
            ip=ip,
            user_agent=agent,
        )
    except TeamFailure as failure:
        code = known_code(failure.code, ChangeTeamMemberErrorCode.NOT_FOUND, source="team")
        return ChangeTeamMemberPayload(
            user_errors=[ChangeTeamMemberError.of(code, failure.message, *_field(failure))]
        )
    return ChangeTeamMemberPayload(member=PortalUser.of(user))


@strawberry.input(description="The input of `disableTeamMember`.")
class DisableTeamMemberInput:
    member_id: strawberry.ID = strawberry.field(description="A `PortalUser` ID from `viewer.team`")
    disabled: bool = strawberry.field(default=True, description="false enables a disabled person again")


@strawberry.type(
    description="The result of `disableTeamMember`: what it changed, or why it was refused (`userErrors`)."
)
class DisableTeamMemberPayload:
    member: PortalUser | None = strawberry.field(
        default=None, description="The user as they are now; null when refused."
    )
    user_errors: list[DisableTeamMemberError] = strawberry.field(
        default_factory=list, description=USER_ERRORS
    )


async def disable_team_member(
    info: Info[Context, None],
    input: Annotated[DisableTeamMemberInput, strawberry.argument(description=INPUT)],
) -> DisableTeamMemberPayload:
    viewer = info.context.require_viewer()
    ip, agent = info.context.client()
    try:
        user = await Team(info.context.auth).set_disabled(
            viewer, _raw(input.member_id, "PortalUser"), input.disabled, ip=ip, user_agent=agent
        )
    except TeamFailure as failure:
        code = known_code(failure.code, DisableTeamMemberErrorCode.NOT_FOUND, source="team")
        return DisableTeamMemberPayload(
            user_errors=[DisableTeamMemberError.of(code, failure.message, *_field(failure))]
        )
    return DisableTeamMemberPayload(member=PortalUser.of(user))


@strawberry.input(description="The input of `removeTeamMember`.")
class RemoveTeamMemberInput:
    member_id: strawberry.ID = strawberry.field(description="A `PortalUser` ID from `viewer.team`")


@strawberry.type(
    description="The result of `removeTeamMember`: what it changed, or why it was refused (`userErrors`)."
)
class RemoveTeamMemberPayload:
    removed_member_id: strawberry.ID | None = strawberry.field(
        default=None, description="The ID of the user removed; null when refused."
    )
    user_errors: list[RemoveTeamMemberError] = strawberry.field(default_factory=list, description=USER_ERRORS)


async def remove_team_member(
    info: Info[Context, None], input: Annotated[RemoveTeamMemberInput, strawberry.argument(description=INPUT)]
) -> RemoveTeamMemberPayload:
    viewer = info.context.require_viewer()
    ip, agent = info.context.client()
    try:
        await Team(info.context.auth).remove(
            viewer, _raw(input.member_id, "PortalUser"), ip=ip, user_agent=agent
        )
    except TeamFailure as failure:
        code = known_code(failure.code, RemoveTeamMemberErrorCode.NOT_FOUND, source="team")
        return RemoveTeamMemberPayload(
            user_errors=[RemoveTeamMemberError.of(code, failure.message, *_field(failure))]
        )
    return RemoveTeamMemberPayload(removed_member_id=input.member_id)


@strawberry.type
class TeamMutation:
    invite_team_member: InviteTeamMemberPayload = strawberry.mutation(
        resolver=invite_team_member,
        description=(
            "Invite a person by e-mail with a role (and sites for SITE): they get a link to set their password. "
            "OWNER, or MANAGER for roles other than OWNER. Refusals: `InviteTeamMemberErrorCode`."
        ),
        extensions=require(CanManageTeam()),
    )
    change_team_member: ChangeTeamMemberPayload = strawberry.mutation(
        resolver=change_team_member,
        description=(
            "Set a person's role and site scope; their sessions follow at once. Refusals: "
            "`ChangeTeamMemberErrorCode`."
        ),
        extensions=require(CanManageTeam()),
    )
    disable_team_member: DisableTeamMemberPayload = strawberry.mutation(
        resolver=disable_team_member,
        description=(
            "Disable a person (their sessions end at once) or enable them again. Refusals: "
            "`DisableTeamMemberErrorCode`."
        ),
        extensions=require(CanManageTeam()),
    )
    remove_team_member: RemoveTeamMemberPayload = strawberry.mutation(
        resolver=remove_team_member,
        description=(
            "Remove a person from the account (their sessions end at once; the access log keeps their name). "
            "Refusals: `RemoveTeamMemberErrorCode`."
        ),
        extensions=require(CanManageTeam()),
    )
