"""The GraphQL contract. `build_schema()` composes the root types from one mixin per domain."""

from __future__ import annotations

import copy
import logging

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from adapters.errors import BackendError
from bff.core.settings import GraphQLLimits, Settings
from schema.account.types import AccountMutation, AccountQuery, PortalUser, Viewer
from schema.billing.types import Invoice
from schema.payments.types import CardMutation, PaymentMethod, SubscriberCards
from schema.core.errors import PortalError
from schema.core.extensions import schema_extensions
from schema.core.node import NodeQuery
from schema.payments.mutations import PaymentMutation
from schema.core.scalars import SCALARS
from schema.service.types import Device, SubService
from schema.subscriber.types import Subscriber, ViewerSubscriber
from schema.subscriptions import Subscription
from schema.support.types import Notification, NotificationMutation, Ticket
from schema.wallet.mutations import WalletMutation


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


log = logging.getLogger("wispgate.graphql")


class PortalSchema(strawberry.Schema):
    """The schema, logging errors the way an operator needs them.

    strawberry's default logs every error with the excerpt of the query document it points at. Clients may
    write values inline (a password in `login(input: {…})`), so the document never reaches the log: coded
    and validation errors are logged by kind only, unexpected ones with their traceback and field path.
    """

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            original = error.original_error
            if original is None:
                log.info("graphql: request refused by validation")
            elif isinstance(original, PortalError):
                log.info("graphql: %s at %s", original.code, error.path)
            elif isinstance(original, BackendError):
                log.warning(
                    "graphql: %s unavailable at %s (%s)",
                    original.backend,
                    error.path,
                    type(original).__name__,
                )
            else:
                log.error("graphql: unexpected error at %s", error.path, exc_info=original)


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    """The schema; `settings` decides the limits and the production lock-down (no introspection, no field
    suggestions). Without settings: development defaults (what `wispgate schema` prints)."""
    production = settings.production if settings is not None else False
    limits = settings.limits if settings is not None else GraphQLLimits()
    return PortalSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        # Node implementations reachable only through `node(id)` must still be in the schema.
        types=[PortalUser, Subscriber, SubService, Device, Invoice, Ticket, Notification, PaymentMethod],
        extensions=schema_extensions(limits, introspection=not production),
        config=StrawberryConfig(disable_field_suggestions=production, scalar_map=SCALARS),
    )
