"""The OSS port: what the BFF needs from operations support — a sub-service's CPE devices, its daily usage
and its provisioned add-ons; the CPEs' Wi-Fi and connected hosts, the tasks that change them (through an
ACS: the WISPGate core's OSS, or GenieACS behind another adapter); and network incidents."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal, Protocol, get_args

import msgspec
from msgspec import Struct

from adapters.ports.cpe import CpeView, DeviceTask, Incident, WifiChange
from adapters.ports.moment import Moment
from adapters.ports.money import Money

DeviceKind = Literal["ONT", "ROUTER", "STB", "ATA", "GATEWAY"]
DEVICE_KINDS: tuple[DeviceKind, ...] = get_args(DeviceKind)
MAX_USAGE_DAYS = 90


class Device(Struct, frozen=True, kw_only=True, gc=False):
    id: str
    subservice_id: str
    kind: DeviceKind
    model: str
    serial: str
    mac: str
    firmware: str
    online: bool
    last_seen: Moment
    signal_dbm: float | None = None  # optical receive power, ONTs only


class UsageDay(Struct, frozen=True, kw_only=True, gc=False):
    day: date = msgspec.field(name="date")
    download_bytes: int
    upload_bytes: int


class Usage(Struct, frozen=True, kw_only=True, gc=False):
    subservice_id: str
    start: date = msgspec.field(name="from")  # first day of the period, inclusive
    end: date = msgspec.field(name="to")  # last day, inclusive
    download_bytes: int  # totals over the period
    upload_bytes: int
    days: tuple[UsageDay, ...]  # oldest first; empty for IPTV and VoIP (not metered)


class AddOn(Struct, frozen=True, kw_only=True, gc=False):
    id: str
    subservice_id: str
    name: str
    monthly_price: Money
    active_since: date


class OssPort(Protocol):
    """Batch reads are keyed by the requested sub-service ids."""

    async def devices_for(self, subservice_ids: Sequence[str]) -> dict[str, list[Device]]:
        """Every requested id is a key (an empty list when it has no devices or is unknown)."""
        ...

    async def device(self, device_id: str) -> Device:
        """Raises NotFound for an unknown device."""
        ...

    async def usage_for(
        self, subservice_ids: Sequence[str], start: date | None = None, end: date | None = None
    ) -> dict[str, Usage]:
        """Usage over [start, end]: `end` defaults to today, `start` to 29 days before `end`; at most 90 days.

        Unknown ids are absent. A reversed or too long period raises Rejected (INVALID_PERIOD /
        PERIOD_TOO_LONG).
        """
        ...

    async def addons_for(self, subservice_ids: Sequence[str]) -> dict[str, list[AddOn]]:
        """Every requested id is a key (an empty list when it has none)."""
        ...

    # --- the CPEs, through the ACS (`adapters.ports.cpe`) ------------------------------------------

    async def cpe_for(self, device_ids: Sequence[str]) -> dict[str, CpeView]:
        """Wi-Fi networks and hosts of each managed device; unknown or unmanaged ids are absent."""
        ...

    async def tasks_for(self, device_ids: Sequence[str]) -> dict[str, list[DeviceTask]]:
        """The latest tasks of each device, newest first; every requested id is a key."""
        ...

    async def task(self, task_id: str) -> DeviceTask:
        """Raises NotFound for an unknown task."""
        ...

    async def change_wifi(self, device_id: str, change: WifiChange) -> DeviceTask:
        """Queue the change on the CPE and ask it to connect: the PENDING task. Raises NotFound for an
        unknown or unmanaged device, Rejected(NO_SUCH_NETWORK) for an unknown network index and
        Rejected(SECURITY_UNSUPPORTED) for a mode the CPE does not offer. Values are checked again by the CPE,
        which faults the task if it refuses one."""
        ...

    async def reboot(self, device_id: str) -> DeviceTask:
        """Queue a reboot and ask the CPE to connect: the PENDING task. Raises NotFound as `change_wifi`."""
        ...

    # --- incidents ---------------------------------------------------------------------------------

    async def incidents_for(self, subservice_ids: Sequence[str]) -> list[Incident]:
        """Open incidents (outages, planned maintenance) affecting any of the sub-services, each with those
        of them it affects (`subservice_ids`)."""
        ...

    async def incident(self, incident_id: str) -> Incident:
        """One incident, open or resolved (its `subservice_ids` empty). Raises NotFound."""
        ...
