"""A device's Wi-Fi networks, the hosts connected to it and the tasks sent to it (through OSS's ACS), and the
network incidents affecting a sub-service. Leaf types built from one port record each; a Wi-Fi passphrase
is write-only and appears in no type here."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from adapters.ports import cpe
from schema.core.context import Context
from schema.core.node import nodes_of
from schema.core.resolver import typed_field

# `Device` and `SubService` are built on these types: referred to by name.
DeviceRef: Any = Annotated["Device", strawberry.lazy("schema.service.parts")]  # noqa: F821
SubServiceRef: Any = Annotated["SubService", strawberry.lazy("schema.service.types")]  # noqa: F821


@strawberry.enum(description="The radio band a Wi-Fi network uses.")
class WifiBand(Enum):
    GHZ_2_4 = strawberry.enum_value("GHZ_2_4", description="2.4 GHz: reaches further, slower.")
    GHZ_5 = strawberry.enum_value("GHZ_5", description="5 GHz: faster, shorter reach.")
    GHZ_6 = strawberry.enum_value("GHZ_6", description="6 GHz (Wi-Fi 6E and later).")


_BANDS = {"2.4GHz": WifiBand.GHZ_2_4, "5GHz": WifiBand.GHZ_5, "6GHz": WifiBand.GHZ_6}


@strawberry.enum(description="How a Wi-Fi network is protected.")
class WifiSecurity(Enum):
    OPEN = strawberry.enum_value("OPEN", description="No password: anyone in range can join.")
    WPA2_PERSONAL = strawberry.enum_value(
        "WPA2_PERSONAL",
        description="WPA2 with a password of 8 to 63 printable ASCII characters, or a key of 64 hex digits.",
    )
    WPA3_PERSONAL = strawberry.enum_value(
        "WPA3_PERSONAL",
        description="WPA3 (SAE) with a password of 8 to 63 printable ASCII characters; older devices cannot join.",
    )
    WPA2_WPA3_PERSONAL = strawberry.enum_value(
        "WPA2_WPA3_PERSONAL",
        description="WPA3 for devices that can, WPA2 for the others; one password of 8 to 63 printable ASCII characters.",
    )


@strawberry.type(description="A Wi-Fi network the router broadcasts. Its password is never shown.")
class WifiNetwork:
    index: int = strawberry.field(description="Which network on the router (1 = first): what a change names.")
    ssid: str = strawberry.field(description="The network's name (SSID), as devices see it.")
    band: WifiBand = strawberry.field(description="The radio band.")
    channel: int | None = strawberry.field(description="The radio channel; null when the router chooses.")
    enabled: bool = strawberry.field(description="Whether the network is on.")
    security: WifiSecurity = strawberry.field(description="How it is protected now.")
    supported_security: list[WifiSecurity] = strawberry.field(
        description="The protections this router offers for the network."
    )

    @classmethod
    def of(cls, n: cpe.WifiNetwork) -> WifiNetwork:
        return cls(
            index=n.index,
            ssid=n.ssid,
            band=_BANDS[n.band],
            channel=n.channel,
            enabled=n.enabled,
            security=WifiSecurity(n.security),
            supported_security=[WifiSecurity(s) for s in n.supported_security],
        )


@strawberry.enum(description="How a host is connected to the router.")
class HostConnection(Enum):
    WIFI = strawberry.enum_value("WIFI", description="Over Wi-Fi (`wifiNetworkIndex` says which network).")
    ETHERNET = strawberry.enum_value("ETHERNET", description="By cable.")


@strawberry.type(description="A phone, computer or other host the router knows, connected now or lately.")
class ConnectedHost:
    name: str | None = strawberry.field(description="The name the host gave itself; null when it gave none.")
    mac: str = strawberry.field(description="Its MAC address.")
    ip_address: str | None = strawberry.field(description="The address the router gave it; null when none.")
    active: bool = strawberry.field(description="Connected now (false: seen lately, gone now).")
    connection: HostConnection = strawberry.field(description="Wi-Fi or cable.")
    wifi_network_index: int | None = strawberry.field(
        description="For Wi-Fi hosts: the `WifiNetwork.index` it is on; null for cabled ones."
    )

    @classmethod
    def of(cls, h: cpe.ConnectedHost) -> ConnectedHost:
        return cls(
            name=h.hostname,
            mac=h.mac,
            ip_address=h.ip,
            active=h.active,
            connection=HostConnection(h.connection),
            wifi_network_index=h.wifi_index,
        )


@strawberry.enum(description="What a task asks of a device.")
class DeviceTaskAction(Enum):
    CHANGE_WIFI = strawberry.enum_value("CHANGE_WIFI", description="Change a Wi-Fi network's settings.")
    REBOOT = strawberry.enum_value("REBOOT", description="Restart the device.")
    REFRESH = strawberry.enum_value("REFRESH", description="Read the device's state again.")
    OTHER = strawberry.enum_value("OTHER", description="A change made by the operator.")


@strawberry.enum(description="Where a task sent to a device stands.")
class DeviceTaskStatus(Enum):
    PENDING = strawberry.enum_value(
        "PENDING",
        description="Sent; the device has not applied it yet (it may be offline: it runs when it connects).",
    )
    DONE = strawberry.enum_value("DONE", description="The device applied it.")
    FAILED = strawberry.enum_value(
        "FAILED", description="The device refused it or failed; `failure` says why."
    )


@strawberry.type(
    description="A change sent to a device (through the network's device management), applied asynchronously."
)
class DeviceTask:
    record: strawberry.Private[cpe.DeviceTask]
    reference: str = strawberry.field(description="The task's reference in the network's device management.")
    action: DeviceTaskAction = strawberry.field(description="What it asks.")
    status: DeviceTaskStatus = strawberry.field(
        description="Where it stands; `deviceTaskChanged` tells changes."
    )
    failure: str | None = strawberry.field(
        description="Why it failed, in the device's words; null unless FAILED."
    )
    created_at: datetime = strawberry.field(description="When it was sent.")
    updated_at: datetime = strawberry.field(description="When its status last changed.")

    @classmethod
    def of(cls, t: cpe.DeviceTask) -> DeviceTask:
        failure = None
        if t.status == "FAILED":
            failure = t.fault_message or "The device could not apply the change."
            if t.fault_code:
                failure = f"{failure} (fault {t.fault_code})"
        return cls(
            record=t,
            reference=t.id,
            action=DeviceTaskAction(t.action),
            status=DeviceTaskStatus(t.status),
            failure=failure,
            created_at=t.created_at,
            updated_at=t.updated_at,
        )

    @typed_field(graphql_type=DeviceRef | None, description="The device it is for.")
    async def device(self, info: Info[Context, None]) -> Any:
        found = await nodes_of(info.context, "Device", [self.record.device_id])
        return found[0] if found else None


@strawberry.enum(description="What kind of network incident it is.")
class IncidentKind(Enum):
    OUTAGE = strawberry.enum_value("OUTAGE", description="Service is down or degraded unexpectedly.")
    MAINTENANCE = strawberry.enum_value("MAINTENANCE", description="Planned work that interrupts service.")


@strawberry.enum(description="Whether a network incident is still going on.")
class IncidentStatus(Enum):
    OPEN = strawberry.enum_value("OPEN", description="Going on, or planned (`planned`).")
    RESOLVED = strawberry.enum_value("RESOLVED", description="Over: service is back.")


@strawberry.type(
    description="An outage or planned maintenance in the network that affects the viewer's services."
)
class ServiceIncident:
    affected_ids: strawberry.Private[list[str]]
    reference: str = strawberry.field(description="The operator's reference for the incident.")
    kind: IncidentKind = strawberry.field(description="Outage or planned maintenance.")
    status: IncidentStatus = strawberry.field(description="Open or resolved.")
    title: str = strawberry.field(description="What is happening, in a line.")
    message: str = strawberry.field(description="More detail from the operator; may be empty.")
    starts_at: datetime = strawberry.field(description="When it started, or when planned work will start.")
    planned: bool = strawberry.field(description="Planned work that has not started yet.")
    estimated_end: datetime | None = strawberry.field(
        description="When service should be back, as the operator estimates; null when unknown."
    )
    resolved_at: datetime | None = strawberry.field(description="When it was resolved; null while open.")

    @classmethod
    def of(cls, i: cpe.Incident, affected_ids: list[str]) -> ServiceIncident:
        return cls(
            affected_ids=affected_ids,
            reference=i.id,
            kind=IncidentKind(i.kind),
            status=IncidentStatus(i.status),
            title=i.title,
            message=i.message,
            starts_at=i.starts_at,
            planned=i.status == "OPEN" and i.starts_at > datetime.now(UTC),
            estimated_end=i.estimated_end,
            resolved_at=i.resolved_at,
        )

    @typed_field(
        graphql_type=list[SubServiceRef],
        description="The viewer's sub-services it affects (those they may see).",
    )
    async def affected_sub_services(self, info: Info[Context, None]) -> list[Any]:
        return await nodes_of(info.context, "SubService", self.affected_ids)
