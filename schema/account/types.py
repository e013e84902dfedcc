"""The account domain: the viewer and the portal users. Signing in and out: `schema.account.mutations`."""

from __future__ import annotations

import asyncio
from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from adapters.ports.crm import Locale as LocaleCode
from adapters.ports.crm import PortalUser as PortalUserRecord
from bff.core.auth.viewer import Viewer as Identity
from schema.account.profile_types import ViewerProfile
from schema.account.security import AccessLogEntry, PortalSession, access_log, sessions_of
from schema.core.connection import AFTER, FIRST, Connection, given
from schema.core.context import Context
from schema.core.lookahead import below, connection_nodes, inside, names, selected
from schema.core.node import Node, encode_id
from schema.core.permission import (
    CanManageTeam,
    IsAuthenticated,
    can_manage_devices,
    can_see_wallet,
    null_unless,
    require,
)
from schema.core.resolver import typed_field
from schema.subscriber.types import Subscriber, own_subscriber, read_ahead


@strawberry.enum(description="What a portal user may do for their subscriber.")
class Role(Enum):
    OWNER = strawberry.enum_value(
        "OWNER", description="Everything: all sub-services, billing, the team and the account's access log."
    )
    MANAGER = strawberry.enum_value(
        "MANAGER", description="All sub-services and their support; not the team."
    )
    SITE = strawberry.enum_value(
        "SITE",
        description="Only the sub-services assigned to the user (a branch, an apartment), and their bills.",
    )
    FINANCE = strawberry.enum_value("FINANCE", description="Billing, the wallet and the saved cards.")
    VIEWER = strawberry.enum_value("VIEWER", description="Read only.")


@strawberry.enum(
    description=(
        "A language of the portal, its e-mails and PDFs. Each value stands for a BCP 47 tag: map the device's "
        "language to it by its primary subtag (es-MX → ES, pt-PT → PT) and fall back to EN."
    )
)
class Locale(Enum):
    EN = strawberry.enum_value("en", description="English (BCP 47 `en`; dates and money as en-US).")
    ES = strawberry.enum_value("es", description="Spanish (BCP 47 `es`; neutral Latin American wording).")
    PT = strawberry.enum_value("pt", description="Portuguese (BCP 47 `pt-BR`: written as in Brazil).")


def locale_code(locale: Locale | None) -> LocaleCode | None:
    """The CRM's code of a `Locale` ("en", "es", "pt")."""
    return None if locale is None else _LOCALE_CODES[locale]


_LOCALE_CODES: dict[Locale, LocaleCode] = {Locale.EN: "en", Locale.ES: "es", Locale.PT: "pt"}


@strawberry.enum(description="How a sign-in hands over its tokens.")
class TokenDelivery(Enum):
    COOKIE = strawberry.enum_value(
        "COOKIE", description="httpOnly cookies (web); the payload carries no tokens"
    )
    BODY = strawberry.enum_value(
        "BODY", description="tokens in the payload, for a bearer Authorization header (mobile apps)"
    )


@strawberry.type(description="A person who logs in to the portal for a subscriber.")
class PortalUser(Node):
    email: str = strawberry.field(description="The address the user signs in with.")
    name: str = strawberry.field(description="The user's name as shown in the portal.")
    role: Role = strawberry.field(description="What the user may see and do.")
    site_ids: list[strawberry.ID] = strawberry.field(
        description="The `SubService` IDs a SITE user may see (empty for every other role)"
    )
    disabled: bool = strawberry.field(description="Disabled by an owner or the operator: cannot sign in")
    two_factor_enabled: bool | None = strawberry.field(
        description="Is a second factor on? Null where the portal did not ask the CRM (the viewer's own `user`)"
    )
    last_signed_in_at: datetime | None = strawberry.field(
        description="When the user last signed in; null if never."
    )

    @classmethod
    def of(cls, user: PortalUserRecord | Identity) -> PortalUser:
        if isinstance(user, Identity):
            return cls(
                id=encode_id("PortalUser", user.user_id),
                email=user.email,
                name=user.name,
                role=Role(user.role),
                site_ids=[encode_id("SubService", s) for s in sorted(user.site_subservice_ids)],
                disabled=False,  # a viewer is signed in, so not disabled
                two_factor_enabled=None,
                last_signed_in_at=None,
            )
        return cls(
            id=encode_id("PortalUser", user.id),
            email=user.email,
            name=user.name,
            role=Role(user.role),
            site_ids=[encode_id("SubService", s) for s in user.site_subservice_ids],
            disabled=user.disabled,
            two_factor_enabled=user.two_factor_enabled,
            last_signed_in_at=user.last_login_at,
        )


def _can_manage_billing(root: Viewer) -> bool:
    return root.identity.can_manage_billing


def _can_manage_team(root: Viewer) -> bool:
    return root.identity.can_manage_team


def _can_manage_devices(root: Viewer) -> bool:
    return can_manage_devices(root.identity)


def _can_see_wallet(root: Viewer) -> bool:
    return can_see_wallet(root.identity)


@strawberry.type(description="The logged-in portal user and what they may do.")
class Viewer:
    identity: strawberry.Private[Identity]

    @typed_field(description="The signed-in portal user.")
    def user(self) -> PortalUser:
        return PortalUser.of(self.identity)

    @typed_field(description="What the signed-in user may see and do.")
    def role(self) -> Role:
        return Role(self.identity.role)

    can_manage_billing: bool = strawberry.field(
        resolver=_can_manage_billing,
        description="Can this user pay, top up and manage cards (OWNER, MANAGER, FINANCE)?",
    )

    @typed_field(
        description="Is the viewer's TOTP second factor on? Null when the CRM is unavailable.",
    )
    async def two_factor_enabled(self, info: Info[Context, None]) -> bool | None:
        user = (await info.context.backends.crm.users([self.identity.user_id])).get(self.identity.user_id)
        return user.two_factor_enabled if user is not None else None

    @typed_field(
        description=(
            "The language the viewer chose (`setLocale`); null when they have not chosen (follow the device's "
            "language) or the CRM is unavailable."
        ),
    )
    async def locale(self, info: Info[Context, None]) -> Locale | None:
        user = (await info.context.backends.crm.users([self.identity.user_id])).get(self.identity.user_id)
        return Locale(user.locale) if user is not None and user.locale is not None else None

    @typed_field(
        description=("The viewer's own phone and notification preferences. Null when the CRM is unavailable.")
    )
    async def profile(self, info: Info[Context, None]) -> ViewerProfile | None:
        return ViewerProfile.of(await info.context.backends.crm.user_profile(self.identity.user_id))

    can_manage_team: bool = strawberry.field(
        resolver=_can_manage_team,
        description="Can this user invite and manage the account's people (OWNER, MANAGER)?",
    )

    can_manage_devices: bool = strawberry.field(
        resolver=_can_manage_devices,
        description=(
            "Can this user change a router's Wi-Fi and restart devices (OWNER, MANAGER; SITE users on their "
            "sites)? VIEWER and FINANCE read them only."
        ),
    )

    can_see_wallet: bool = strawberry.field(
        resolver=_can_see_wallet,
        description=(
            "Can this user see the account's wallet (every role but SITE)? When false, `Subscriber.wallet` "
            "and `FinancialSummary.walletBalance` are null and the wallet's events are not delivered."
        ),
    )

    @typed_field(
        description=(
            "The account's people, in the order they were added: for OWNER and MANAGER (empty for other "
            "roles; null when the CRM is unavailable)."
        ),
        extensions=null_unless(CanManageTeam()),
    )
    async def team(self, info: Info[Context, None]) -> list[PortalUser] | None:
        return [
            PortalUser.of(u) for u in await info.context.backends.crm.users_of(self.identity.subscriber_id)
        ]

    @typed_field(description="Where this user is signed in, newest first; end one with `revokeSession`.")
    async def sessions(self, info: Info[Context, None]) -> list[PortalSession]:
        return await sessions_of(info, self.identity)

    @typed_field(
        description=(
            "Sign-ins, failed sign-ins, sign-outs, revocations, payments, card, password and team changes, "
            "newest first (the latest 200). Owners see the whole account's log; others their own. Null when "
            "the CRM is unavailable."
        )
    )
    async def access_log(
        self,
        info: Info[Context, None],
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = 20,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = strawberry.UNSET,
    ) -> Connection[AccessLogEntry] | None:
        return await access_log(info, self.identity, first, given(after))

    @typed_field(description="The account the user acts for.", extensions=require(IsAuthenticated()))
    async def subscriber(self, info: Info[Context, None]) -> Subscriber:
        asked = inside(selected(info))
        wanted = names(asked)
        loaders = info.context.loaders
        subscriber_id = self.identity.subscriber_id
        early: list[asyncio.Future[Any]] = []
        summary_lists = self.identity.is_site_user or "breakdown" in names(below(asked, "financialSummary"))
        if "subServices" in wanted or ("financialSummary" in wanted and summary_lists):
            # The list only needs the subscriber id, which the viewer already has: ask for it in the same
            # tick as the subscriber record so the two CRM reads overlap instead of taking two rounds.
            early.append(loaders.subservices_by_subscriber_id.load(subscriber_id))
        listed = connection_nodes([f for f in asked if f.name == "subServices"])
        if "financialSummary" in wanted or names(listed) & NEEDS_ACCOUNT_ON_NODES:
            # So is the billing account (the summary's figures, the cards' cycle): in the first round too,
            # instead of after the list (bench/ratio.py). Identical reads in flight are shared.
            early.append(loaders.account_by_subscriber_id.load(subscriber_id))
        for job in early:
            # The fields that need it await the same cached future; this only keeps an early failure from
            # being reported as "never retrieved" when the subscriber read fails first.
            job.add_done_callback(lambda f: f.cancelled() or f.exception())
        # And what the pages of sub-services and the summary read by subscriber (status, devices, billing…).
        read_ahead(info.context, self.identity, asked)
        return await own_subscriber(info.context, self.identity)


# Sub-service fields that need the subscriber's billing account (`schema.service.prefetch`).
NEEDS_ACCOUNT_ON_NODES = frozenset({"billing", "renewable"})


def resolve_viewer(info: Info[Context, None]) -> Viewer | None:
    identity = info.context.viewer
    return Viewer(identity=identity) if identity is not None else None


@strawberry.type
class AccountQuery:
    viewer: Viewer | None = strawberry.field(
        resolver=resolve_viewer,
        description="The logged-in portal user; null when the request carries no valid session.",
    )
