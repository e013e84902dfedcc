"""The parts of a sub-service: its kind and status enums, bandwidth profile, usage, live session, devices,
add-ons, installment plans and billing cycle — leaf types built from one backend record each."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

import strawberry

from adapters.ports import aaa, oss
from adapters.ports import billing as billing_port
from schema.core.money import Money
from schema.core.node import Node, encode_id


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


@strawberry.type(
    description="A purchase paid in instalments (equipment, installation), and how far it has got."
)
class InstallmentPlan:
    description: str = strawberry.field(description="What is being paid off.")
    total: Money = strawberry.field(description="The whole price.")
    paid: Money = strawberry.field(description="What has been paid so far.")
    remaining: Money = strawberry.field(description="What is left to pay: `total` minus `paid`.")
    amount_each: Money = strawberry.field(description="The amount of each instalment.")
    installments_total: int = strawberry.field(description="How many instalments the plan has.")
    installments_paid: int = strawberry.field(description="How many have been paid.")
    next_due_on: date | None = strawberry.field(
        description="When the next instalment is due; null once the plan is paid off."
    )
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


@strawberry.type(description="When a service is invoiced: the current period and the next invoice.")
class BillingCycle:
    billing_day: int = strawberry.field(description="The day of the month each period starts (1 to 28).")
    period_start: date = strawberry.field(description="First day of the current period.")
    period_end: date = strawberry.field(description="Last day of the current period.")
    next_invoice_on: date | None = strawberry.field(
        description="When the next invoice will be issued; null when none is planned."
    )
