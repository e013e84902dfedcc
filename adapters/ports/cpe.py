"""What the OSS port says about a CPE's Wi-Fi, the hosts connected to it, the tasks sent to it, and network
incidents, in the portal's words (no TR-069 path leaves the adapter).

Changes to a CPE are asynchronous: a write answers with a PENDING `DeviceTask`, and the task's later states
arrive as `device.task_changed` core events (read again with `OssPort.task`)."""

from __future__ import annotations

from typing import Literal, get_args

from msgspec import Struct

from adapters.ports.moment import Moment

WifiBand = Literal["2.4GHz", "5GHz", "6GHz"]
WifiSecurity = Literal["OPEN", "WPA2_PERSONAL", "WPA3_PERSONAL", "WPA2_WPA3_PERSONAL"]
TaskAction = Literal["CHANGE_WIFI", "REBOOT", "REFRESH", "OTHER"]
TaskStatus = Literal["PENDING", "DONE", "FAILED"]
HostConnection = Literal["WIFI", "ETHERNET"]
IncidentKind = Literal["OUTAGE", "MAINTENANCE"]
IncidentStatus = Literal["OPEN", "RESOLVED"]

WIFI_SECURITIES: tuple[WifiSecurity, ...] = get_args(WifiSecurity)


class WifiNetwork(Struct, frozen=True, kw_only=True, gc=False):
    device_id: str
    index: int  # the network's instance on the CPE (1 = first)
    ssid: str
    band: WifiBand
    channel: int | None = None
    enabled: bool
    security: WifiSecurity
    supported_security: tuple[WifiSecurity, ...]  # what the CPE offers for this network


class ConnectedHost(Struct, frozen=True, kw_only=True, gc=False):
    device_id: str
    mac: str
    ip: str | None = None
    hostname: str | None = None
    active: bool
    connection: HostConnection
    wifi_index: int | None = None  # which network, for Wi-Fi hosts


class CpeView(Struct, frozen=True, kw_only=True, gc=False):
    """What the ACS knows of one managed device."""

    device_id: str
    wifi: tuple[WifiNetwork, ...]  # empty for a CPE without Wi-Fi
    hosts: tuple[ConnectedHost, ...]


class WifiChange(Struct, frozen=True, kw_only=True):
    """A change to one network; None leaves a setting as it is. `passphrase` is write-only: it is never
    logged, stored by the BFF or read back."""

    index: int
    ssid: str | None = None
    passphrase: str | None = None
    security: WifiSecurity | None = None

    def __repr__(self) -> str:  # keeps the passphrase out of tracebacks and debug logs
        return f"WifiChange(index={self.index}, ssid={self.ssid!r}, security={self.security!r})"


class DeviceTask(Struct, frozen=True, kw_only=True, gc=False):
    id: str
    device_id: str
    subservice_id: str
    action: TaskAction
    status: TaskStatus
    fault_code: str | None = None
    fault_message: str | None = None
    created_at: Moment
    updated_at: Moment


class Incident(Struct, frozen=True, kw_only=True, gc=False):
    id: str
    kind: IncidentKind
    title: str
    message: str
    status: IncidentStatus
    starts_at: Moment
    estimated_end: Moment | None = None
    resolved_at: Moment | None = None
    updated_at: Moment
    subservice_ids: tuple[str, ...] = ()  # the asked sub-services it affects (batch reads only)
