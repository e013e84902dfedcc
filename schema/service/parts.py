"""The parts of a sub-service: its kind and status enums, bandwidth profile, usage, live session, devices,
add-ons, installment plans and billing cycle — leaf types built from one backend record each."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from adapters.ports import aaa, oss
from adapters.ports import billing as billing_port
from schema.core.context import Context
from schema.core.errors import oss_down
from schema.core.money import Money
from schema.core.node import Node, encode_id
from schema.core.resolver import typed_field
from schema.service.cpe import ConnectedHost, DeviceTask, WifiNetwork


@strawberry.enum(description="What a sub-service delivers.")
class ServiceKind(Enum):
    INTERNET = strawberry.enum_value("INTERNET", description="Internet access.")
    IPTV = strawberry.enum_value("IPTV", description="Television over IP.")
    VOIP = strawberry.enum_value("VOIP", description="Telephone over IP.")


@strawberry.enum(description="Whether a sub-service works.")
class ServiceStatus(Enum):
    ACTIVE = strawberry.enum_value("ACTIVE", description="Working normally.")
    SUSPENDED = strawberry.enum_value("SUSPENDED", description="Cut off; `statusReason` says why.")
    RESTRICTED = strawberry.enum_value(
        "RESTRICTED",
        description="Working, but limited to a restricted profile (slower, or only the portal); `statusReason` says why.",
    )


@strawberry.enum(description="Why a sub-service is suspended or restricted.")
class StatusReason(Enum):
    NON_PAYMENT = strawberry.enum_value(
        "NON_PAYMENT", description="Invoices are overdue; paying them reactivates the service."
    )
    ADMINISTRATIVE = strawberry.enum_value(
        "ADMINISTRATIVE", description="The operator's decision; support can say more."
    )
    FRAUD = strawberry.enum_value("FRAUD", description="Suspected fraud or abuse.")
    USAGE_CAP = strawberry.enum_value(
        "USAGE_CAP", description="The plan's usage cap was reached for the period."
    )
    CUSTOMER_REQUEST = strawberry.enum_value(
        "CUSTOMER_REQUEST", description="The subscriber asked for it (a temporary hold)."
    )


@strawberry.enum(description="What a customer-premises device is.")
class DeviceKind(Enum):
    ONT = strawberry.enum_value("ONT", description="Optical network terminal: the fibre's end in the home.")
    ROUTER = strawberry.enum_value("ROUTER", description="Wi-Fi or wired router.")
    STB = strawberry.enum_value("STB", description="Set-top box for IPTV.")
    ATA = strawberry.enum_value("ATA", description="Analogue telephone adapter for VoIP.")
    GATEWAY = strawberry.enum_value("GATEWAY", description="A combined modem, router and phone adapter.")
    OTHER = strawberry.enum_value("OTHER", description="Any other device.")


@strawberry.type(description="The plan of a sub-service and the speeds it gets now.")
class BandwidthProfile:
    plan_name: str = strawberry.field(description="The plan the subscriber pays for.")
    down_mbps: int | None = strawberry.field(
        description="Download speed in force now (lower while RESTRICTED), Mbit/s; null for IPTV and VoIP."
    )
    up_mbps: int | None = strawberry.field(
        description="Upload speed in force now (lower while RESTRICTED), Mbit/s; null for IPTV and VoIP."
    )

    @classmethod
    def of(cls, p: aaa.BandwidthProfile) -> BandwidthProfile:
        return cls(plan_name=p.plan, down_mbps=p.down_mbps, up_mbps=p.up_mbps)


@strawberry.type(description="Traffic on one day.")
class UsageDay:
    date: date = strawberry.field(description="The day.")
    download_bytes: float = strawberry.field(description="Bytes downloaded that day.")
    upload_bytes: float = strawberry.field(description="Bytes uploaded that day.")


@strawberry.type(description="Traffic over a period, in total and day by day.")
class Usage:
    from_: date = strawberry.field(name="from", description="First day of the period.")
    to: date = strawberry.field(description="Last day of the period, inclusive.")
    download_bytes: float = strawberry.field(
        description="Bytes (Float: exceeds 32-bit Int; exact up to 2^53)"
    )
    upload_bytes: float = strawberry.field(description="Bytes uploaded over the period.")
    days: list[UsageDay] = strawberry.field(description="The period day by day.")

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


@strawberry.type(description="The sub-service's connection as the network sees it right now.")
class LiveSession:
    online: bool = strawberry.field(description="Connected now.")
    ip_address: str | None = strawberry.field(description="The address it was given; null while offline.")
    nas: str | None = strawberry.field(
        description="The access server it is connected through; null while offline."
    )
    since: datetime | None = strawberry.field(
        description="When the current connection started; null while offline."
    )
    bytes_in: float | None = strawberry.field(description="Bytes downloaded during the current connection.")
    bytes_out: float | None = strawberry.field(description="Bytes uploaded during the current connection.")

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
    kind: DeviceKind = strawberry.field(description="What the device is.")
    model: str = strawberry.field(description="The maker's model name.")
    serial: str = strawberry.field(description="The serial number on its label.")
    mac: str = strawberry.field(description="Its MAC address.")
    firmware: str = strawberry.field(description="The firmware version it runs.")
    online: bool = strawberry.field(description="Seen by the network management system now.")
    last_seen: datetime | None = strawberry.field(description="When the network last saw it; null if never.")
    signal_dbm: float | None = strawberry.field(description="Optical receive power for ONTs, dBm")
    raw_id: strawberry.Private[str] = ""

    async def _cpe(self, info: Info[Context, None]) -> Any:
        return await info.context.loaders.cpe_by_device_id.load(self.raw_id)

    @typed_field(
        graphql_type=bool | None,
        description=oss_down(
            "Whether the portal can manage it remotely (reboot it; change its Wi-Fi if it has any)"
        ),
    )
    async def manageable(self, info: Info[Context, None]) -> bool:
        return await self._cpe(info) is not None

    @typed_field(
        graphql_type=list[WifiNetwork] | None,
        description=oss_down(
            "The Wi-Fi networks it broadcasts; empty when it has no Wi-Fi or is not manageable"
        ),
    )
    async def wifi_networks(self, info: Info[Context, None]) -> list[WifiNetwork]:
        view = await self._cpe(info)
        return [WifiNetwork.of(n) for n in view.wifi] if view is not None else []

    @typed_field(
        graphql_type=list[ConnectedHost] | None,
        description=oss_down("The hosts connected to it now or lately (routers only; empty otherwise)"),
    )
    async def connected_hosts(self, info: Info[Context, None]) -> list[ConnectedHost]:
        view = await self._cpe(info)
        return [ConnectedHost.of(h) for h in view.hosts] if view is not None else []

    @typed_field(
        graphql_type=list[DeviceTask] | None,
        description=oss_down("The latest changes sent to it (at most 5), newest first"),
    )
    async def recent_tasks(self, info: Info[Context, None]) -> list[DeviceTask]:
        tasks = await info.context.loaders.tasks_by_device_id.load(self.raw_id)
        return [DeviceTask.of(t) for t in tasks]

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
            raw_id=d.id,
        )


@strawberry.type(description="An extra on a sub-service (a static IP, a TV package), charged monthly.")
class AddOn:
    name: str = strawberry.field(description="The add-on's name.")
    monthly_price: Money = strawberry.field(description="What it adds to the monthly charge.")
    active_since: date | None = strawberry.field(description="Since when it has been on; null when unknown.")

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
