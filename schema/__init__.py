"""The GraphQL contract. `build_schema()` composes the root types from one mixin per domain."""

from __future__ import annotations

import copy

import strawberry
from strawberry.schema.config import StrawberryConfig

from bff.settings import GraphQLLimits, Settings
from schema.account import AccountMutation, AccountQuery, PortalUser, Viewer
from schema.billing import Invoice
from schema.cards import CardMutation, PaymentMethod, SubscriberCards
from schema.extensions import schema_extensions
from schema.node import NodeQuery
from schema.payments import PaymentMutation
from schema.scalars import SCALARS
from schema.service import Device, SubService
from schema.subscriber import Subscriber, ViewerSubscriber
from schema.subscription import Subscription
from schema.support import Notification, NotificationMutation, Ticket
from schema.wallet_mutations import WalletMutation


def _merge_fields(target: type, extension: type) -> None:
    """Add `extension`'s GraphQL fields to the already-defined `target` type (idempotent): `Viewer` lives
    in the account domain, its `subscriber` field in the subscriber domain."""
    definition = target.__strawberry_definition__  # type: ignore[attr-defined]
    present = {f.python_name for f in definition.fields}
    for field in extension.__strawberry_definition__.fields:  # type: ignore[attr-defined]
        if field.python_name not in present:
            added = copy.copy(field)
            added.origin = target
            definition.fields.append(added)


_merge_fields(Viewer, ViewerSubscriber)
_merge_fields(Subscriber, SubscriberCards)


@strawberry.type
class Query(AccountQuery, NodeQuery):
    pass


@strawberry.type
class Mutation(AccountMutation, PaymentMutation, WalletMutation, CardMutation, NotificationMutation):
    pass


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    """The schema; `settings` decides the limits and the production lock-down (no introspection, no field
    suggestions). Without settings: development defaults (what `wispgate schema` prints)."""
    production = settings.production if settings is not None else False
    limits = settings.limits if settings is not None else GraphQLLimits()
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        # Node implementations reachable only through `node(id)` must still be in the schema.
        types=[PortalUser, Subscriber, SubService, Device, Invoice, Ticket, Notification, PaymentMethod],
        extensions=schema_extensions(limits, introspection=not production),
        config=StrawberryConfig(disable_field_suggestions=production, scalar_map=SCALARS),
    )
