"""`build_schema()`: the roots (`Query`, `Mutation`, `Subscription`) composed from one mixin per domain, the
extensions and the production lock-down."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from adapters.errors import BackendError
from bff.core.redis_client import is_outage
from bff.core.settings import GraphQLLimits, Settings
from bff.core.trusted import OperationPolicy

# Node fetchers register themselves on import: `node(id)` reaches every type through them.
from schema.account import nodes as _account_nodes  # noqa: F401
from schema.account.credential_mutations import CredentialMutation
from schema.account.locale_mutations import LocaleMutation
from schema.account.login_email_mutations import LoginEmailMutation
from schema.account.mutations import AccountMutation
from schema.account.profile_mutations import ProfileMutation
from schema.account.second_factor_mutations import SecondFactorMutation
from schema.account.session_mutations import SessionMutation
from schema.account.team_mutations import TeamMutation
from schema.account.types import AccountQuery, PortalUser
from schema.billing import nodes as _billing_nodes  # noqa: F401
from schema.billing.subscriptions import BillingSubscription
from schema.billing.types import Invoice
from schema.core.direct import DirectExecution, make_direct
from schema.core.document import DocumentCache
from schema.core.errors import PortalError
from schema.core.extensions import ExtensionFactory, schema_extensions
from schema.core.node import NodeQuery
from schema.core.scalars import SCALARS
from schema.payments import nodes as _payments_nodes  # noqa: F401
from schema.payments.card_mutations import CardMutation
from schema.payments.gateways import PaymentQuery
from schema.payments.many_mutations import PayInvoicesMutation
from schema.payments.mutations import PaymentMutation
from schema.payments.subscriptions import PaymentSubscription
from schema.payments.types import PaymentMethod
from schema.service import nodes as _service_nodes  # noqa: F401
from schema.service.cpe_mutations import DeviceMutation
from schema.service.incidents import DeviceSubscription
from schema.service.mutations import ServiceMutation
from schema.service.parts import Device
from schema.service.subscriptions import ServiceSubscription
from schema.service.types import SubService
from schema.subscriber import nodes as _subscriber_nodes  # noqa: F401
from schema.subscriber.types import Subscriber
from schema.support.mutations import NotificationMutation
from schema.support.nodes import SupportQuery
from schema.support.subscriptions import SupportSubscription
from schema.support.ticket_mutations import TicketMutation
from schema.support.types import Notification, Ticket
from schema.wallet.mutations import WalletMutation
from schema.wallet.subscriptions import WalletSubscription


@strawberry.type(description="What a client can read: start from `viewer`.")
class Query(AccountQuery, NodeQuery, SupportQuery, PaymentQuery):
    pass


@strawberry.type(
    description="What a client can change. Refusals a user can act on come back in each payload's `userErrors`."
)
class Mutation(
    AccountMutation,
    SessionMutation,
    CredentialMutation,
    SecondFactorMutation,
    TeamMutation,
    LocaleMutation,
    ProfileMutation,
    LoginEmailMutation,
    PaymentMutation,
    PayInvoicesMutation,
    WalletMutation,
    ServiceMutation,
    CardMutation,
    NotificationMutation,
    TicketMutation,
    DeviceMutation,
):
    pass


@strawberry.type(
    description="Live events over the WebSocket (graphql-transport-ws), each about what the viewer may see."
)
class Subscription(
    PaymentSubscription,
    BillingSubscription,
    WalletSubscription,
    ServiceSubscription,
    SupportSubscription,
    DeviceSubscription,
):
    pass


log = logging.getLogger("wispgate.graphql")

# The web portal's operations, collected at build time (`cd web && npm run trusted-documents`; a test fails
# when this copy drifts from the web's): the documents a production server runs.
TRUSTED_DOCUMENTS_PATH = Path(__file__).with_name("trusted-documents.json")


class PortalSchema(strawberry.Schema):
    """The schema, logging errors the way an operator needs them.

    strawberry's default logs every error with the excerpt of the query document it points at. Clients may
    write values inline (a password in `login(input: {…})`), so the document never reaches the log: coded
    and validation errors are logged by kind only, unexpected ones with their traceback and field path.
    """

    # Parse, budget and validation results by document text, shared with the HTTP view (`bff.server.graphql`).
    documents: DocumentCache
    # Production: no "Did you mean …?" in any message. strawberry's switch covers field names only;
    # graphql-core also suggests argument, input-field, enum-value and type names, which lets a schema be
    # recovered word by word with introspection off.
    hide_suggestions: bool = False

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        if self.hide_suggestions:
            for error in errors:
                error.message = without_suggestions(error.message)
        for error in errors:
            original = error.original_error
            if original is None:
                log.info("graphql: request refused by validation")
            elif error.path is None:
                # A bad argument or variable (a scalar that does not parse, a wrong type): the client's
                # mistake, refused before anything ran — no traceback, whoever sends it how often.
                log.info("graphql: request refused: %s", type(original).__name__)
            elif isinstance(original, PortalError):
                log.info("graphql: %s at %s", original.code, error.path)
            elif isinstance(original, BackendError):
                log.warning(
                    "graphql: %s unavailable at %s (%s)",
                    original.backend,
                    error.path,
                    type(original).__name__,
                )
            elif is_outage(original):
                log.warning(
                    "graphql: session store unavailable at %s (%s)", error.path, type(original).__name__
                )
            else:
                log.error("graphql: unexpected error at %s", error.path, exc_info=original)


def without_suggestions(message: str) -> str:
    head, found, _ = message.partition(" Did you mean ")
    return head.rstrip() if found else message


def build_schema(
    settings: Settings | None = None,
    *,
    observers: Sequence[ExtensionFactory] = (),
    policy: OperationPolicy | None = None,
) -> PortalSchema:
    """The schema; `settings` decides the limits and the production lock-down (no introspection, no field
    suggestions). Without settings: development defaults (what `wispgate schema` prints). `observers` are
    extensions that watch every operation (the app's metrics): first, so that they time parsing and
    validation too and see the errors as the client gets them, after masking. `policy`: the trusted
    documents, whose cost limit applies to documents outside them."""
    production = settings.production if settings is not None else False
    introspection = settings.introspection if settings is not None else True
    limits = settings.limits if settings is not None else GraphQLLimits()
    documents = DocumentCache(limits)
    schema = PortalSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        # Node implementations reachable only through `node(id)` must still be in the schema.
        types=[PortalUser, Subscriber, SubService, Device, Invoice, Ticket, Notification, PaymentMethod],
        extensions=[
            *observers,
            *schema_extensions(limits, introspection=introspection, documents=documents, policy=policy),
        ],
        config=StrawberryConfig(disable_field_suggestions=production, scalar_map=SCALARS),
        execution_context_class=DirectExecution,
    )
    # Resolvers of the plain shape are called directly, not through strawberry's generic chain.
    make_direct(schema)
    schema.documents = documents
    schema.hide_suggestions = production
    return schema
