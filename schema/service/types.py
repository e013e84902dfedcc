"""Sub-services: what the subscriber buys (Internet, IPTV, VoIP at a location) and everything live about
each one — status and profile from AAA, devices, usage and add-ons from OSS, charges, cycle, open invoices
and installments from Billing.

Fields read data that the list resolving the sub-services pre-loaded for the whole page (`prefetch`);
a field whose data was not pre-loaded falls back to its dataloader, which still batches.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import strawberry
from strawberry.types import Info

from adapters.errors import ContractViolation, NotFound
from adapters.ports import aaa, crm, oss
from adapters.ports import billing as billing_port
from schema.core.connection import given
from schema.core.context import Context
from schema.core.loaders import UsageKey
from schema.core.errors import BadUserInput
from schema.core.lookahead import SelectedField, below, names
from schema.core.money import Money
from schema.core.node import Node, encode_id, node_fetcher
from schema.core.permission import can_see_invoice, can_see_subservice
from schema.core.resolver import typed_field
from schema.core.scalars import parse_date

if TYPE_CHECKING:
    from schema.billing.types import Invoice

T = TypeVar("T")
R = TypeVar("R")

MAX_USAGE_DAYS = oss.MAX_USAGE_DAYS


@strawberry.enum
class ServiceKind(Enum):
    INTERNET = "INTERNET"
    IPTV = "IPTV"
    VOIP = "VOIP"


@strawberry.enum
class ServiceStatus(Enum):
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    RESTRICTED = "RESTRICTED"


@strawberry.enum
class StatusReason(Enum):
    NON_PAYMENT = "NON_PAYMENT"
    ADMINISTRATIVE = "ADMINISTRATIVE"
    FRAUD = "FRAUD"
    USAGE_CAP = "USAGE_CAP"
    CUSTOMER_REQUEST = "CUSTOMER_REQUEST"


@strawberry.enum
class DeviceKind(Enum):
    ONT = "ONT"
    ROUTER = "ROUTER"
    STB = "STB"
    ATA = "ATA"
    GATEWAY = "GATEWAY"
    OTHER = "OTHER"


# ------------------------------------------------------------------------------------------ leaf types


@strawberry.type
class BandwidthProfile:
    plan_name: str
    down_mbps: int | None
    up_mbps: int | None

    @classmethod
    def of(cls, p: aaa.BandwidthProfile) -> BandwidthProfile:
        return cls(plan_name=p.plan, down_mbps=p.down_mbps, up_mbps=p.up_mbps)


@strawberry.type
class UsageDay:
    date: date
    download_bytes: float
    upload_bytes: float


@strawberry.type
class Usage:
    from_: date = strawberry.field(name="from")
    to: date
    download_bytes: float = strawberry.field(
        description="Bytes (Float: exceeds 32-bit Int; exact up to 2^53)"
    )
    upload_bytes: float
    days: list[UsageDay]

    @classmethod
    def of(cls, u: oss.Usage) -> Usage:
        return cls(
            from_=u.start,
            to=u.end,
            download_bytes=float(u.download_bytes),
            upload_bytes=float(u.upload_bytes),
            days=[
                UsageDay(
                    date=d.day, download_bytes=float(d.download_bytes), upload_bytes=float(d.upload_bytes)
                )
                for d in u.days
            ],
        )


@strawberry.type
class LiveSession:
    online: bool
    ip_address: str | None
    nas: str | None
    since: datetime | None
    bytes_in: float | None
    bytes_out: float | None

    @classmethod
    def of(cls, s: aaa.LiveSession) -> LiveSession:
        return cls(
            online=s.online,
            ip_address=s.ip,
            nas=s.nas,
            since=s.started_at,
            bytes_in=float(s.bytes_in),
            bytes_out=float(s.bytes_out),
        )


@strawberry.type(description="A customer-premises device: ONT, router, set-top box, ATA, gateway.")
class Device(Node):
    kind: DeviceKind
    model: str
    serial: str
    mac: str
    firmware: str
    online: bool
    last_seen: datetime | None
    signal_dbm: float | None = strawberry.field(description="Optical receive power for ONTs, dBm")

    @classmethod
    def of(cls, d: oss.Device) -> Device:
        kind = DeviceKind[d.kind] if d.kind in DeviceKind.__members__ else DeviceKind.OTHER
        return cls(
            id=encode_id("Device", d.id),
            kind=kind,
            model=d.model,
            serial=d.serial,
            mac=d.mac,
            firmware=d.firmware,
            online=d.online,
            last_seen=d.last_seen,
            signal_dbm=d.signal_dbm,
        )


@strawberry.type
class AddOn:
    name: str
    monthly_price: Money
    active_since: date | None

    @classmethod
    def of(cls, a: oss.AddOn) -> AddOn:
        return cls(name=a.name, monthly_price=Money.of(a.monthly_price), active_since=a.active_since)


@strawberry.type
class InstallmentPlan:
    description: str
    total: Money
    paid: Money
    remaining: Money
    amount_each: Money
    installments_total: int
    installments_paid: int
    next_due_on: date | None
    progress: float = strawberry.field(description="0..1")

    @classmethod
    def of(cls, p: billing_port.InstallmentPlan) -> InstallmentPlan:
        return cls(
            description=p.description,
            total=Money.of(p.total),
            paid=Money.of(p.paid_amount),
            remaining=Money.of(p.remaining),
            amount_each=Money.of(p.amount_each),
            installments_total=p.installments_total,
            installments_paid=p.installments_paid,
            next_due_on=p.next_due_on,
            progress=float(p.progress),
        )


@strawberry.type
class BillingCycle:
    billing_day: int
    period_start: date
    period_end: date
    next_invoice_on: date | None


# ------------------------------------------------------------------------------------------ pre-loading


class _Missing:
    """Not pre-loaded: the field falls back to its loader."""


MISSING = _Missing()


@dataclass(slots=True)
class Prefetched:
    """What the resolver of a page loaded for one sub-service, ahead of its fields."""

    status: aaa.ServiceStatus | _Missing | None = MISSING
    profile: aaa.BandwidthProfile | _Missing | None = MISSING
    session: aaa.LiveSession | _Missing | None = MISSING
    devices: list[oss.Device] | _Missing = MISSING
    addons: list[oss.AddOn] | _Missing = MISSING
    installments: list[billing_port.InstallmentPlan] | _Missing = MISSING
    billing: billing_port.SubServiceBilling | _Missing | None = MISSING
    account: billing_port.BillingAccount | _Missing | None = MISSING
    open_invoices: Sequence[billing_port.Invoice | None] | _Missing = MISSING
    usage: dict[UsageKey, oss.Usage | None] = field(default_factory=dict)


def _now_or_later(value: T | _Missing, load: Callable[[], Awaitable[T]], convert: Callable[[T], R]) -> Any:
    """`convert(value)` right away when pre-loaded (a synchronous field), else once the loader answers."""
    if not isinstance(value, _Missing):
        return convert(value)

    async def later() -> R:
        return convert(await load())

    return later()


def _required(backend: str, what: str, subservice_id: str) -> Callable[[T | None], T]:
    def check(value: T | None) -> T:
        if value is None:
            raise ContractViolation(backend, f"no {what} for sub-service {subservice_id}")
        return value

    return check


# ------------------------------------------------------------------------------------------ SubService


@strawberry.type(description="A sub-service's charges, cycle and what it owes.")
class SubServiceBilling:
    record: strawberry.Private[billing_port.SubServiceBilling]
    prefetched: strawberry.Private[Prefetched]
    outstanding: Money
    monthly_charge: Money
    cycle: BillingCycle
    prepaid: bool

    @classmethod
    def of(
        cls, record: billing_port.SubServiceBilling, account: billing_port.BillingAccount, pre: Prefetched
    ) -> SubServiceBilling:
        cycle = record.cycle or account.cycle  # prepaid services are not invoiced: show the account's cycle
        return cls(
            record=record,
            prefetched=pre,
            outstanding=Money.of(record.outstanding),
            monthly_charge=Money.of(record.monthly_charge),
            cycle=BillingCycle(
                billing_day=account.billing_day,
                period_start=cycle.period_start,
                period_end=cycle.period_end,
                next_invoice_on=record.next_invoice_on,
            ),
            prepaid=record.prepaid,
        )

    @typed_field(graphql_type=list[Annotated["Invoice", strawberry.lazy("schema.billing.types")]])
    def open_invoices(self, info: Info[Context, None]) -> Any:
        from schema.billing.types import Invoice  # Invoice and SubService refer to each other

        viewer = info.context.require_viewer()

        def convert(found: Sequence[billing_port.Invoice | None]) -> list[Invoice]:
            return [Invoice.of(i) for i in found if i is not None and can_see_invoice(viewer, i)]

        loader = info.context.loaders.invoice_by_id
        return _now_or_later(
            self.prefetched.open_invoices, lambda: loader.load_many(self.record.open_invoice_ids), convert
        )


def _status(s: aaa.ServiceStatus) -> ServiceStatus:
    return ServiceStatus(s.status)


def _reason(s: aaa.ServiceStatus) -> StatusReason | None:
    return StatusReason(s.reason) if s.reason is not None and s.status != "ACTIVE" else None


@strawberry.type(description="One service of the subscriber at one location, e.g. Internet – Apt 101.")
class SubService(Node):
    record: strawberry.Private[crm.SubService]
    prefetched: strawberry.Private[Prefetched]
    label: str = strawberry.field(description='In the subscriber\'s words, e.g. "Internet – Apt 101"')
    location: str
    kind: ServiceKind

    @classmethod
    def of(cls, record: crm.SubService) -> SubService:
        return cls(
            id=encode_id("SubService", record.id),
            record=record,
            prefetched=Prefetched(),
            label=record.label,
            location=record.location,
            kind=ServiceKind(record.kind),
        )

    def _status_then(self, info: Info[Context, None], convert: Callable[[aaa.ServiceStatus], R]) -> Any:
        loader = info.context.loaders.status_by_subservice_id
        check = _required("aaa", "status", self.record.id)
        return _now_or_later(
            self.prefetched.status, lambda: loader.load(self.record.id), lambda s: convert(check(s))
        )

    @typed_field(graphql_type=ServiceStatus)
    def status(self, info: Info[Context, None]) -> Any:
        return self._status_then(info, _status)

    @typed_field(
        graphql_type=StatusReason | None, description="Why the service is not ACTIVE; null when ACTIVE"
    )
    def status_reason(self, info: Info[Context, None]) -> Any:
        return self._status_then(info, _reason)

    @typed_field(graphql_type=datetime | None)
    def status_since(self, info: Info[Context, None]) -> Any:
        return self._status_then(info, lambda s: s.since)

    @typed_field(graphql_type=BandwidthProfile | None)
    def profile(self, info: Info[Context, None]) -> Any:
        loader = info.context.loaders.profile_by_subservice_id
        return _now_or_later(
            self.prefetched.profile,
            lambda: loader.load(self.record.id),
            lambda p: BandwidthProfile.of(p) if p is not None else None,
        )

    @typed_field(graphql_type=Usage | None)
    def usage(
        self,
        info: Info[Context, None],
        from_: Annotated[date | None, strawberry.argument(name="from")] = strawberry.UNSET,
        to: date | None = strawberry.UNSET,
    ) -> Any:
        key = usage_key(self.record.id, given(from_), given(to))
        loader = info.context.loaders.usage_by_subservice_id
        value: oss.Usage | _Missing | None = self.prefetched.usage.get(key, MISSING)
        return _now_or_later(
            value, lambda: loader.load(key), lambda u: Usage.of(u) if u is not None else None
        )

    @typed_field(graphql_type=LiveSession | None)
    def live_session(self, info: Info[Context, None]) -> Any:
        loader = info.context.loaders.session_by_subservice_id
        return _now_or_later(
            self.prefetched.session,
            lambda: loader.load(self.record.id),
            lambda s: LiveSession.of(s) if s is not None else None,
        )

    @typed_field(graphql_type=list[Device])
    def devices(self, info: Info[Context, None]) -> Any:
        loader = info.context.loaders.devices_by_subservice_id
        return _now_or_later(
            self.prefetched.devices,
            lambda: loader.load(self.record.id),
            lambda ds: [Device.of(d) for d in ds],
        )

    @typed_field(graphql_type=list[AddOn])
    def add_ons(self, info: Info[Context, None]) -> Any:
        loader = info.context.loaders.addons_by_subservice_id
        return _now_or_later(
            self.prefetched.addons, lambda: loader.load(self.record.id), lambda xs: [AddOn.of(a) for a in xs]
        )

    @typed_field(graphql_type=list[InstallmentPlan])
    def installments(self, info: Info[Context, None]) -> Any:
        loader = info.context.loaders.installments_by_subservice_id
        return _now_or_later(
            self.prefetched.installments,
            lambda: loader.load(self.record.id),
            lambda xs: [InstallmentPlan.of(p) for p in xs],
        )

    @typed_field(graphql_type=datetime | None, description="For prepaid services: when the paid period ends")
    def expires_at(self, info: Info[Context, None]) -> Any:
        loader = info.context.loaders.billing_by_subservice_id
        return _now_or_later(
            self.prefetched.billing,
            lambda: loader.load(self.record.id),
            lambda b: b.expires_at if b is not None else None,
        )

    @typed_field(graphql_type=Money | None, description="Prepaid services only: the price of one more period")
    def renewal_price(self, info: Info[Context, None]) -> Any:
        loader = info.context.loaders.billing_by_subservice_id
        return _now_or_later(
            self.prefetched.billing,
            lambda: loader.load(self.record.id),
            lambda b: Money.of(b.monthly_charge) if b is not None and b.prepaid else None,
        )

    @typed_field(
        graphql_type=bool, description="Prepaid services only: can the wallet pay the next period now?"
    )
    def renewable(self, info: Info[Context, None]) -> Any:
        # Only for those who may renew (and see the wallet): the answer says something about the balance.
        viewer = info.context.viewer
        if viewer is None or not viewer.can_manage_billing:
            return False
        pre = self.prefetched
        if not isinstance(pre.billing, _Missing) and not isinstance(pre.account, _Missing):
            return _renewable(pre.billing, pre.account)
        return self._load_renewable(info)

    async def _load_renewable(self, info: Info[Context, None]) -> bool:
        loaders = info.context.loaders
        record, account = await asyncio.gather(
            loaders.billing_by_subservice_id.load(self.record.id),
            loaders.account_by_subscriber_id.load(self.record.subscriber_id),
        )
        return _renewable(record, account)

    @typed_field(graphql_type=SubServiceBilling)
    def billing(self, info: Info[Context, None]) -> Any:
        pre = self.prefetched
        if not isinstance(pre.billing, _Missing) and not isinstance(pre.account, _Missing):
            return self._billing(pre.billing, pre.account)
        return self._load_billing(info)

    async def _load_billing(self, info: Info[Context, None]) -> SubServiceBilling:
        loaders = info.context.loaders
        record, account = await asyncio.gather(
            loaders.billing_by_subservice_id.load(self.record.id),
            loaders.account_by_subscriber_id.load(self.record.subscriber_id),
        )
        return self._billing(record, account)

    def _billing(
        self, record: billing_port.SubServiceBilling | None, account: billing_port.BillingAccount | None
    ) -> SubServiceBilling:
        found = _required("billing", "charges", self.record.id)(record)
        owner = _required("billing", "account", self.record.id)(account)
        return SubServiceBilling.of(found, owner, self.prefetched)


def _renewable(
    record: billing_port.SubServiceBilling | None, account: billing_port.BillingAccount | None
) -> bool:
    if record is None or account is None or not record.prepaid:
        return False
    return account.wallet_balance.amount >= record.monthly_charge.amount


def usage_key(subservice_id: str, start: date | None, end: date | None) -> UsageKey:
    """Validate a usage period (BAD_USER_INPUT) and key it; OSS fills in what is left open."""
    if start is not None and end is not None:
        if start > end:
            raise BadUserInput("`from` must not be after `to`.", field="from")
        if (end - start) >= timedelta(days=MAX_USAGE_DAYS):
            raise BadUserInput(f"A usage period covers at most {MAX_USAGE_DAYS} days.", field="from")
    return UsageKey(subservice_id, start, end)


def _usage_keys(fields: list[SelectedField], subservice_id: str) -> list[UsageKey]:
    keys = []
    for f in fields:
        if f.name != "usage":
            continue
        try:
            raw_from, raw_to = f.arguments.get("from"), f.arguments.get("to")
            start = parse_date(raw_from) if raw_from is not None else None
            end = parse_date(raw_to) if raw_to is not None else None
            keys.append(usage_key(subservice_id, start, end))
        except (ValueError, BadUserInput):
            continue  # the field itself reports the bad argument
    return keys


def prefetch(context: Context, items: Sequence[SubService], fields: list[SelectedField]) -> Awaitable[None]:
    """Ask the loaders NOW, for all `items` at once, for what the selected `fields` need; the returned
    awaitable attaches the results so those fields resolve synchronously.

    The `.load_many()` calls happen before this returns, so they join the batches of every other resolver
    woken in the same tick (awaiting anything first would split them: PITFALLS). Other paths share the
    batches and the per-request cache through the loaders.
    """
    wanted = names(fields)
    loaders = context.loaders
    ids = [s.record.id for s in items]
    jobs: dict[str, Awaitable[Any]] = {}
    if not ids:
        wanted = set()
    if wanted & {"status", "statusReason", "statusSince"}:
        jobs["status"] = loaders.status_by_subservice_id.load_many(ids)
    if "profile" in wanted:
        jobs["profile"] = loaders.profile_by_subservice_id.load_many(ids)
    if "liveSession" in wanted:
        jobs["session"] = loaders.session_by_subservice_id.load_many(ids)
    if "devices" in wanted:
        jobs["devices"] = loaders.devices_by_subservice_id.load_many(ids)
    if "addOns" in wanted:
        jobs["addons"] = loaders.addons_by_subservice_id.load_many(ids)
    if "installments" in wanted:
        jobs["installments"] = loaders.installments_by_subservice_id.load_many(ids)
    if wanted & {"billing", "expiresAt", "renewable", "renewalPrice"}:
        jobs["billing"] = loaders.billing_by_subservice_id.load_many(ids)
    if wanted & {"billing", "renewable"}:
        jobs["account"] = loaders.account_by_subscriber_id.load_many([s.record.subscriber_id for s in items])
    usage_keys = [_usage_keys(fields, i) for i in ids]
    flat_keys = [k for keys in usage_keys for k in keys]
    if flat_keys:
        jobs["usage"] = loaders.usage_by_subservice_id.load_many(flat_keys)
    open_invoices = "openInvoices" in names(below(fields, "billing"))

    async def attach() -> None:
        if not jobs:
            return
        results = dict(zip(jobs, await asyncio.gather(*jobs.values()), strict=True))
        for name, values in results.items():
            if name == "usage":
                continue
            for item, value in zip(items, values, strict=True):
                setattr(item.prefetched, name, value)
        if "usage" in results:
            usage = dict(zip(flat_keys, results["usage"], strict=True))
            for item, keys in zip(items, usage_keys, strict=True):
                item.prefetched.usage.update({k: usage[k] for k in keys})
        if open_invoices:
            await _prefetch_open_invoices(context, items)

    return attach()


async def _prefetch_open_invoices(context: Context, items: Sequence[SubService]) -> None:
    records = [s.prefetched.billing for s in items]
    ids = [i for r in records if isinstance(r, billing_port.SubServiceBilling) for i in r.open_invoice_ids]
    found = dict(zip(ids, await context.loaders.invoice_by_id.load_many(ids), strict=True))
    for item, record in zip(items, records, strict=True):
        if isinstance(record, billing_port.SubServiceBilling):
            item.prefetched.open_invoices = [
                inv for i in record.open_invoice_ids if (inv := found[i]) is not None
            ]


async def subservice_objects(
    context: Context, records: Sequence[crm.SubService], fields: list[SelectedField]
) -> list[SubService]:
    """GraphQL sub-services for `records` (already authorized), with what `fields` need pre-loaded."""
    items = [SubService.of(r) for r in records]
    await prefetch(context, items, fields)
    return items


# ------------------------------------------------------------------------------------------ nodes


@node_fetcher("SubService")
async def fetch_subservices(context: Context, ids: Sequence[str]) -> dict[str, SubService]:
    viewer = context.require_viewer()
    found = await context.loaders.subservice_by_id.load_many(ids)
    return {r.id: SubService.of(r) for r in found if r is not None and can_see_subservice(viewer, r)}


@node_fetcher("Device")
async def fetch_devices(context: Context, ids: Sequence[str]) -> dict[str, Device]:
    viewer = context.require_viewer()

    async def one(device_id: str) -> oss.Device | None:
        try:
            return await context.backends.oss.device(device_id)
        except NotFound:
            return None

    devices = [d for d in await asyncio.gather(*(one(i) for i in ids)) if d is not None]
    owners = await context.loaders.subservice_by_id.load_many([d.subservice_id for d in devices])
    return {
        d.id: Device.of(d)
        for d, owner in zip(devices, owners, strict=True)
        if owner is not None and can_see_subservice(viewer, owner)
    }
