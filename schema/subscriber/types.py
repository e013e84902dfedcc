"""The subscriber: the account a portal user acts for — its sub-services, money, tickets and notices."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import Enum
from typing import Annotated, Any, cast

import strawberry
from graphql import GraphQLObjectType, Undefined, value_from_ast
from strawberry.types import Info

from adapters.errors import ContractViolation, Unavailable
from adapters.ports import crm
from adapters.ports.billing import BillingAccount
from adapters.ports.window import SubscriberWindow
from bff.core.auth.viewer import Viewer as Identity
from schema.billing.activity import Payment, Statement, export_link, payment_connection, statement_of
from schema.billing.summary import FinancialSummary, financial_summary
from schema.billing.types import Document, Invoice, InvoiceStatus, declined_invoices, invoice_connection
from schema.core.connection import (
    AFTER,
    FIRST,
    Connection,
    check_first,
    connection,
    decode_cursor,
    given,
    window,
)
from schema.core.context import Context
from schema.core.errors import BadUserInput, billing_down, crm_down
from schema.core.lookahead import SelectedField, below, connection_nodes, inside, names, selected
from schema.core.money import Money
from schema.core.node import Node, decode_id_of, encode_id
from schema.core.permission import (
    CanExportFinancials,
    CanSeeWallet,
    null_unless,
    require,
    visible_subservices,
)
from schema.core.prefetch import Failed, failure
from schema.core.resolver import typed_field
from schema.payments.types import Autopay, PaymentMethod, autopay_of, manages_billing, payment_methods_of
from schema.service.cpe import ServiceIncident
from schema.service.incidents import incidents_affecting, incidents_of_subscriber
from schema.service.parts import ServiceKind, ServiceStatus
from schema.service.prefetch import Windowed, window_reads
from schema.service.types import SubService, subservice_objects
from schema.subscriber.contact import PostalAddress
from schema.support.types import (
    NotificationConnection,
    Ticket,
    TicketStatus,
    notification_connection,
    ticket_by_number,
    ticket_connection,
)
from schema.wallet.types import Wallet

FROM = "First day of the period; omitted: 90 days before `to`. A period covers at most 366 days."
TO = "Last day of the period; omitted: today."


def _either(text: str) -> str:
    # Billing keeps a copy of these (its invoices print them): the CRM's failure alone does not null them.
    end = "" if text.endswith(".") else "."
    return f"{text}{end} Billing's copy when the CRM is unavailable; null when both are."


@strawberry.enum(description="What sort of customer the subscriber is.")
class SubscriberKind(Enum):
    RESIDENTIAL = strawberry.enum_value("RESIDENTIAL", description="A household.")
    ENTERPRISE = strawberry.enum_value("ENTERPRISE", description="A company, possibly with many sites.")
    MDU = strawberry.enum_value(
        "MDU", description="A multi-dwelling unit: a building whose apartments are served under one account."
    )


def page_window(
    viewer: Identity, first: int | None, after: str | None, kind: object, status: object
) -> SubscriberWindow | None:
    """The window of the subscriber's whole list (CRM order) that a page of `subServices` shows, when the
    subscriber-keyed reads can serve it (`schema.service.prefetch`): for every role but SITE (a SITE user's
    list is the CRM's filtered by their sites, so the page's place in the whole list is known only once the
    list is in: their pages are read by id), and without a kind or status filter (the same: a kind is the
    CRM's, a status AAA's, and the page is a window of what passes). Those cost a second round."""
    if viewer.is_site_user or kind is not None or status is not None:
        return None
    try:
        start = decode_cursor(after) + 1 if after is not None else 0
        count = check_first(first, 50)
    except BadUserInput:
        return None  # the field reports it
    return SubscriberWindow(viewer.subscriber_id, start, count) if count else None


def summary_reads(context: Context, viewer: Identity, asked: list[SelectedField]) -> Windowed:
    """The financial summary's subscriber-keyed reads, started now: for its breakdown, every sub-service's
    billing and the breakdown's sub-service fields. None without a breakdown (the whole account's figures
    are Billing's account: `schema.billing.summary`; a core whose account does not sum the monthly charges
    costs the summary a second round, for every sub-service's billing by id), nor for a SITE user (their
    summary is over their sites, read by id)."""
    if viewer.is_site_user or "breakdown" not in names(asked):
        return {}
    whole = SubscriberWindow(viewer.subscriber_id)
    reads = dict(window_reads(context, whole, below(asked, "breakdown", "subService")))
    reads["summary"] = context.loaders.billing_by_window.load(whole)
    return reads


def _arguments(field: SelectedField, parent: str) -> dict[str, Any]:
    """`field`'s arguments (on the type `parent`) as its resolver will get them: typed, with variables
    (`SelectedField.arguments` leaves literals as written: `first: 24` is "24"). What is missing or cannot
    be read is left out (the field itself reports it)."""
    raw = field.info
    definition = cast(GraphQLObjectType, raw.schema.type_map[parent]).fields[field.name]
    variables = cast("dict[str, Any]", getattr(raw.variable_values, "coerced", raw.variable_values))
    found: dict[str, Any] = {}
    for node in field.node.arguments or ():
        argument = definition.args.get(node.name.value)
        if argument is not None:
            value = value_from_ast(node.value, argument.type, variables)
            if value is not Undefined:
                found[node.name.value] = value
    return found


def read_ahead(context: Context, viewer: Identity, asked: list[SelectedField]) -> None:
    """Start, with the subscriber's own read, the subscriber-keyed reads that the sub-service pages and the
    financial summary selected in `asked` (inside `subscriber`) will need: one backend round for all of it.
    Their resolvers ask again and get the same reads (the loaders cache them per request). The summary's
    first: a page then shares its reads of the whole list (`ByWindowLoader.load`)."""
    for field in sorted(asked, key=lambda f: f.name != "financialSummary"):
        if field.name == "subServices":
            args = _arguments(field, "Subscriber")
            page = page_window(
                viewer, args.get("first", 50), args.get("after"), args.get("kind"), args.get("status")
            )
            if page is not None:
                window_reads(context, page, connection_nodes([field]))
        elif field.name == "financialSummary":
            summary_reads(context, viewer, inside([field]))
        elif field.name == "serviceIncidents" and not viewer.is_site_user:
            # The banner's incidents: keyed by the subscriber too (the resolver asks again and gets this read).
            job = context.loaders.incidents_by_window.load(SubscriberWindow(viewer.subscriber_id))
            job.add_done_callback(lambda f: f.cancelled() or f.exception())
        elif field.name == "declinedInvoices":
            # The dunning notice's invoices: Billing's read by subscriber brings them whole.
            declined = context.loaders.dunning_by_subscriber_id.load(viewer.subscriber_id)
            declined.add_done_callback(lambda f: f.cancelled() or f.exception())


async def _visible_subservices(context: Context) -> list[crm.SubService]:
    viewer = context.require_viewer()
    every = await context.loaders.subservices_by_subscriber_id.load(viewer.subscriber_id)
    return visible_subservices(viewer, every)


@strawberry.type(description="The account a portal user acts for: a household, a company, a building.")
class Subscriber(Node):
    # The subscriber's id comes from the viewer's token, its details from the CRM: when the CRM fails, the
    # subscriber still resolves (and so does everything other backends feed), its CRM fields are null.
    subscriber_id: strawberry.Private[str]
    record: strawberry.Private[crm.Subscriber | Failed]

    @classmethod
    def of(cls, r: crm.Subscriber) -> Subscriber:
        return cls(id=encode_id("Subscriber", r.id), subscriber_id=r.id, record=r)

    @classmethod
    def without_crm(cls, subscriber_id: str, failed: Failed) -> Subscriber:
        return cls(id=encode_id("Subscriber", subscriber_id), subscriber_id=subscriber_id, record=failed)

    def _crm(self) -> crm.Subscriber:
        if isinstance(self.record, Failed):
            self.record.reraise()
        return self.record

    def _crm_or_billing(
        self, context: Context, value: Callable[[crm.Subscriber | BillingAccount], str]
    ) -> Any:
        """The CRM's value, or, when the CRM failed, Billing's copy (what its invoices print), asked then."""
        if not isinstance(self.record, Failed):
            return value(self.record) or None

        async def from_billing() -> str | None:
            return value(await self._billing_account(context)) or None

        return from_billing()

    @typed_field(
        graphql_type=str | None, description=_either("The account number on invoices and statements")
    )
    def account_number(self, info: Info[Context, None]) -> Any:
        return self._crm_or_billing(info.context, lambda r: r.account_number)

    @typed_field(
        graphql_type=str | None, description=_either("The household's, company's or building's name")
    )
    def name(self, info: Info[Context, None]) -> Any:
        return self._crm_or_billing(info.context, lambda r: r.name)

    @typed_field(description=crm_down("Residential, enterprise or multi-dwelling unit"))
    def kind(self) -> SubscriberKind | None:
        return SubscriberKind(self._crm().kind)

    @typed_field(
        description=crm_down(
            "The account's contact address: where its notices and invoices go (not anyone's login e-mail)"
        )
    )
    def email(self) -> str | None:
        return self._crm().email

    @typed_field(description=crm_down("Null when none is on file"))
    def phone(self) -> str | None:
        return self._crm().phone or None

    @typed_field(graphql_type=str | None, description=_either("Null when none is on file"))
    def address(self, info: Info[Context, None]) -> Any:
        return self._crm_or_billing(info.context, lambda r: r.address)

    @typed_field(
        description=crm_down(
            "The billing address, structured; null until someone gives one (`updateContactDetails`), when "
            "`address` is the only form on file"
        )
    )
    def billing_address(self) -> PostalAddress | None:
        found = self._crm().billing_address
        return PostalAddress.of(found) if found is not None else None

    @typed_field(
        description=(
            "The sub-services this viewer may see (a SITE user sees only assigned ones). The CRM's list; "
            "when the CRM is unavailable, the same list as Billing bills it (same ids, kinds, labels and "
            "locations), without an error. Null only when both are unavailable."
        )
    )
    async def sub_services(
        self,
        info: Info[Context, None],
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = 50,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = strawberry.UNSET,
        kind: Annotated[
            ServiceKind | None, strawberry.argument(description="Only services of this kind.")
        ] = strawberry.UNSET,
        status: Annotated[
            ServiceStatus | None, strawberry.argument(description="Only services in this status.")
        ] = strawberry.UNSET,
    ) -> Connection[SubService] | None:
        context = info.context
        after, kind, status = given(after), given(kind), given(status)
        window(0, first, after, 50)  # validate before calling anything
        fields = connection_nodes(selected(info))
        page_of = page_window(context.require_viewer(), first, after, kind, status)
        # In the same tick as the list (or earlier: `read_ahead`), so that both take one round.
        windowed = window_reads(context, page_of, fields) if page_of is not None else None
        records = await _visible_subservices(context)
        if kind is not None:
            records = [r for r in records if r.kind == kind.name]  # enum names are the values
        if status is not None:
            # Filter before paging, so totalCount and cursors are exact; the statuses stay in the
            # loader's cache for the page's `status` fields.
            found = await context.loaders.status_by_subservice_id.load_many([r.id for r in records])
            records = [
                r for r, s in zip(records, found, strict=True) if s is not None and s.status == status.name
            ]
        win = window(len(records), first, after, 50)
        page = await subservice_objects(context, records[win.start : win.stop], fields, windowed)
        return connection(Connection, page, win)

    @typed_field(
        description=(
            "Aggregated across the visible sub-services, with a per-sub-service breakdown. Null when Billing "
            "is unavailable."
        )
    )
    async def financial_summary(self, info: Info[Context, None]) -> FinancialSummary | None:
        viewer = info.context.require_viewer()
        # Started now, with the list: one round (`summary_reads`).
        reads = summary_reads(info.context, viewer, inside(selected(info)))

        async def listing() -> list[crm.SubService] | Failed:
            try:
                return await _visible_subservices(info.context)
            except (Unavailable, ContractViolation) as exc:
                # The account's figures are Billing's alone: they still resolve without the CRM's list.
                return failure(exc, "the sub-services of the financial summary")

        return await financial_summary(info, viewer, listing, reads)

    @typed_field(description=billing_down("Newest first, optionally of one status"))
    async def invoices(
        self,
        info: Info[Context, None],
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = 20,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = strawberry.UNSET,
        status: Annotated[
            InvoiceStatus | None, strawberry.argument(description="Only invoices in this status.")
        ] = strawberry.UNSET,
    ) -> Connection[Invoice] | None:
        return await invoice_connection(info, self.subscriber_id, first, given(after), given(status))

    @typed_field(
        description=billing_down(
            "Unpaid invoices whose automatic (autopay) charge was declined, being retried or past the last "
            "retry, oldest first: what the portal's payment notice is about (each with its `dunning`)"
        )
    )
    async def declined_invoices(self, info: Info[Context, None]) -> list[Invoice] | None:
        return await declined_invoices(info, self.subscriber_id)

    @typed_field(
        description=(
            "Consolidated statement PDF across the visible sub-services, with the last 90 days' charges, "
            "payments and credits (short-lived signed link); `statement(from, to)` for another period."
        )
    )
    async def consolidated_statement(self, info: Info[Context, None]) -> Document | None:
        context = info.context
        viewer = context.require_viewer()
        sites: list[str] | None = None
        if viewer.is_site_user:
            # The signed link carries the sites, so the statement covers exactly what this user may see.
            sites = sorted(s.id for s in await _visible_subservices(context))
        link = context.files.statement_url(self.subscriber_id, sites, await self._account_number(context))
        return Document.of(link)

    @typed_field(
        description=billing_down(
            "Payments received within a period (default: the last 90 days), newest first, each with its "
            "receipt; a SITE user sees those of their sites' invoices"
        )
    )
    async def payments(
        self,
        info: Info[Context, None],
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = 20,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = strawberry.UNSET,
        start: Annotated[date | None, strawberry.argument(name="from", description=FROM)] = strawberry.UNSET,
        end: Annotated[date | None, strawberry.argument(name="to", description=TO)] = strawberry.UNSET,
    ) -> Connection[Payment] | None:
        return await payment_connection(
            info, self.subscriber_id, first, given(after), given(start), given(end)
        )

    @typed_field(
        description=billing_down(
            "Charges, payments and credits over a period (default: the last 90 days) with opening, running "
            "and closing balances; a SITE user's covers their sub-services only"
        )
    )
    async def statement(
        self,
        info: Info[Context, None],
        start: Annotated[date | None, strawberry.argument(name="from", description=FROM)] = strawberry.UNSET,
        end: Annotated[date | None, strawberry.argument(name="to", description=TO)] = strawberry.UNSET,
    ) -> Statement | None:
        context = info.context
        sites: list[str] | None = None
        if context.require_viewer().is_site_user:
            sites = sorted(s.id for s in await _visible_subservices(context))
        return await statement_of(context, self.subscriber_id, sites, given(start), given(end))

    @typed_field(
        description=(
            "CSV of the invoices issued within [from, to] (at most 366 days): a short-lived signed link. "
            "OWNER, MANAGER and FINANCE only (FORBIDDEN otherwise)"
        ),
        extensions=require(CanExportFinancials()),
    )
    def invoices_csv(
        self,
        info: Info[Context, None],
        start: Annotated[date, strawberry.argument(name="from", description="First day (issue date).")],
        end: Annotated[date, strawberry.argument(name="to", description="Last day (issue date).")],
    ) -> Document:
        return export_link(info.context, "invoices", self.subscriber_id, start, end)

    @typed_field(
        description=(
            "CSV of the wallet's entries within [from, to] (at most 366 days): a short-lived signed link. "
            "OWNER, MANAGER and FINANCE only (FORBIDDEN otherwise)"
        ),
        extensions=require(CanExportFinancials()),
    )
    def wallet_history_csv(
        self,
        info: Info[Context, None],
        start: Annotated[date, strawberry.argument(name="from", description="First day.")],
        end: Annotated[date, strawberry.argument(name="to", description="Last day.")],
    ) -> Document:
        return export_link(info.context, "wallet", self.subscriber_id, start, end)

    @typed_field(
        description=billing_down("The subscriber's wallet; null for roles that may not see it (SITE)"),
        extensions=null_unless(CanSeeWallet()),
    )
    async def wallet(self, info: Info[Context, None]) -> Wallet | None:
        account = await info.context.loaders.account_by_subscriber_id.load(self.subscriber_id)
        if account is None:
            raise ContractViolation("billing", f"no account for subscriber {self.subscriber_id}")
        return Wallet(subscriber_id=self.subscriber_id, balance=Money.of(account.wallet_balance))

    @typed_field(description=crm_down("Support tickets, newest first"))
    async def tickets(
        self,
        info: Info[Context, None],
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = 20,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = strawberry.UNSET,
        status: Annotated[
            TicketStatus | None, strawberry.argument(description="Only tickets in this status.")
        ] = strawberry.UNSET,
        active: Annotated[
            bool | None,
            strawberry.argument(
                description="true: only tickets still being worked on; false: only closed or resolved ones."
            ),
        ] = strawberry.UNSET,
        sub_service_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only tickets about this sub-service (its global ID)."),
        ] = strawberry.UNSET,
    ) -> Connection[Ticket] | None:
        wanted = given(sub_service_id)
        subservice = decode_id_of(wanted, "SubService") if wanted is not None else None
        return await ticket_connection(
            info, self.subscriber_id, first, given(after), given(status), given(active), subservice
        )

    @typed_field(
        description=crm_down("One ticket by its number (TCK-…); null when there is none the viewer may see")
    )
    async def ticket(
        self,
        info: Info[Context, None],
        number: Annotated[str, strawberry.argument(description="The ticket's number, e.g. TCK-1042.")],
    ) -> Ticket | None:
        return await ticket_by_number(info, self.subscriber_id, number)

    @typed_field(description=crm_down("Messages to this portal user, newest first"))
    async def notifications(
        self,
        info: Info[Context, None],
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = 20,
        unread_only: Annotated[
            bool | None, strawberry.argument(description="true: only unread notifications.")
        ] = False,
    ) -> NotificationConnection | None:
        return await notification_connection(info, first, unread_only)

    @typed_field(
        description=(
            "Saved cards (tokens at the gateway: brand, last 4 digits, expiry — never the card number). "
            "Null for roles that may not manage billing (SITE, VIEWER). Null when Billing is unavailable."
        )
    )
    async def payment_methods(self, info: Info[Context, None]) -> list[PaymentMethod] | None:
        # Null rather than an empty list ("you may not know"), which a fail-silent permission extension
        # cannot express for a list.
        if not manages_billing(info):
            return None
        return await payment_methods_of(info.context, self.subscriber_id)

    @typed_field(description=billing_down("Null for roles that may not manage billing (SITE, VIEWER)"))
    async def autopay(self, info: Info[Context, None]) -> Autopay | None:
        if not manages_billing(info):
            return None
        return await autopay_of(info.context, self.subscriber_id)

    @typed_field(
        description=(
            "Outages and planned maintenance in the network that affect the sub-services the viewer may see, "
            "under way first. Null when OSS is unavailable, or when neither the CRM nor Billing can list the "
            "sub-services."
        )
    )
    async def service_incidents(self, info: Info[Context, None]) -> list[ServiceIncident] | None:
        context = info.context
        if not context.require_viewer().is_site_user:
            return await incidents_of_subscriber(context, self.subscriber_id)
        return await incidents_affecting(context, await _visible_subservices(context))

    async def _account_number(self, context: Context) -> str:
        """For the statement's file name: the CRM's, or Billing's when the CRM is unavailable."""
        if not isinstance(self.record, Failed):
            return self.record.account_number
        return (await self._billing_account(context)).account_number

    async def _billing_account(self, context: Context) -> BillingAccount:
        account = await context.loaders.account_by_subscriber_id.load(self.subscriber_id)
        if account is None:
            raise ContractViolation("billing", f"no account for subscriber {self.subscriber_id}")
        return account


async def own_subscriber(context: Context, identity: Identity) -> Subscriber:
    """The viewer's subscriber. Resolves whatever the CRM answers: when it fails, only the fields it feeds
    fail (the id is the viewer's own, and Billing, AAA and OSS are keyed by it)."""
    try:
        record = await context.loaders.subscriber_by_id.load(identity.subscriber_id)
        if record is None:
            raise ContractViolation("crm", f"the viewer's subscriber {identity.subscriber_id} is unknown")
    except (Unavailable, ContractViolation) as exc:
        return Subscriber.without_crm(identity.subscriber_id, failure(exc, "the subscriber"))
    return Subscriber.of(record)
