"""Ending sessions: one from the list (`revokeSession`), or all of them (`signOutEverywhere`). The ended
sessions' next requests are refused and their open subscriptions end with their sockets closed."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from schema.account.errors import RevokeSessionError, RevokeSessionErrorCode
from schema.account.security import PortalSession, sessions_of
from schema.core.context import Context
from schema.core.errors import BadUserInput
from schema.core.mutation import INPUT, USER_ERRORS
from schema.core.node import decode_id_of
from schema.core.permission import IsAuthenticated, require


@strawberry.input(description="The input of `revokeSession`.")
class RevokeSessionInput:
    session_id: strawberry.ID = strawberry.field(description="A `PortalSession.id` from `viewer.sessions`")


@strawberry.type(
    description="The result of `revokeSession`: what it changed, or why it was refused (`userErrors`)."
)
class RevokeSessionPayload:
    revoked_session_id: strawberry.ID | None = strawberry.field(
        default=None, description="The ID of the session ended; null when refused."
    )
    sessions: list[PortalSession] | None = strawberry.field(
        default=None, description="The viewer's sessions after the change (empty when this one was ended)"
    )
    user_errors: list[RevokeSessionError] = strawberry.field(default_factory=list, description=USER_ERRORS)


async def revoke_session(
    info: Info[Context, None], input: Annotated[RevokeSessionInput, strawberry.argument(description=INPUT)]
) -> RevokeSessionPayload:
    viewer = info.context.require_viewer()
    try:
        session_id = decode_id_of(input.session_id, "PortalSession")
    except BadUserInput:
        session_id = ""
    ip, agent = info.context.client()
    ended = bool(session_id) and await info.context.auth.revoke_session(
        viewer, session_id, ip=ip, user_agent=agent
    )
    if not ended:
        error = RevokeSessionError.of(
            RevokeSessionErrorCode.NOT_FOUND, "No such session.", "input", "sessionId"
        )
        return RevokeSessionPayload(user_errors=[error])
    remaining = [] if session_id == viewer.session_id else await sessions_of(info, viewer)
    return RevokeSessionPayload(revoked_session_id=input.session_id, sessions=remaining)


@strawberry.input(description="The input of `signOutEverywhere`.")
class SignOutEverywhereInput:
    keep_current: bool = strawberry.field(
        default=True, description="Keep the session making this request (the default) or end it too"
    )


@strawberry.type(description="The result of `signOutEverywhere`.")
class SignOutEverywherePayload:
    ended_count: int = strawberry.field(description="How many sessions were ended")
    sessions: list[PortalSession] = strawberry.field(description="The viewer's sessions afterwards")


async def sign_out_everywhere(
    info: Info[Context, None],
    input: Annotated[SignOutEverywhereInput | None, strawberry.argument(description=INPUT)] = None,
) -> SignOutEverywherePayload:
    viewer = info.context.require_viewer()
    keep = input.keep_current if input is not None else True
    ip, agent = info.context.client()
    ended = await info.context.auth.sign_out_everywhere(viewer, keep_current=keep, ip=ip, user_agent=agent)
    remaining = await sessions_of(info, viewer) if keep else []
    return SignOutEverywherePayload(ended_count=ended, sessions=remaining)


@strawberry.type
class SessionMutation:
    revoke_session: RevokeSessionPayload = strawberry.mutation(
        resolver=revoke_session,
        description="End one of the viewer's sessions. Refusals: `RevokeSessionErrorCode`.",
        extensions=require(IsAuthenticated()),
    )
    sign_out_everywhere: SignOutEverywherePayload = strawberry.mutation(
        resolver=sign_out_everywhere,
        description="End every session of the viewer (but this one, unless `keepCurrent: false`).",
        extensions=require(IsAuthenticated()),
    )
