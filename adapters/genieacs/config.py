"""What the GenieACS adapter needs to know about the operator's ACS: where its NBI is, how the portal's
sub-services are found among its devices, and where each data model keeps what the portal shows."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class DataModelPaths:
    """Where one data model (TR-181 `Device.…` or TR-098 `InternetGatewayDevice.…`) keeps the device facts the
    portal shows. Wi-Fi networks and hosts are read from the standard objects (`adapters.tr069`)."""

    model: str
    firmware: str
    mac: str


TR181_PATHS = DataModelPaths(
    model="Device.DeviceInfo.ModelName",
    firmware="Device.DeviceInfo.SoftwareVersion",
    mac="Device.Ethernet.Interface.1.MACAddress",
)
TR098_PATHS = DataModelPaths(
    model="InternetGatewayDevice.DeviceInfo.ModelName",
    firmware="InternetGatewayDevice.DeviceInfo.SoftwareVersion",
    mac="InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.MACAddress",
)


@dataclass(frozen=True, slots=True)
class GenieAcsConfig:
    base_url: str  # the NBI, e.g. "http://acs.example.net:7557"
    # GenieACS's NBI has no authentication of its own; operators put it behind a proxy that asks for basic
    # auth (or keep it on a private network). "" = send none.
    username: str = ""
    password: str = field(default="", repr=False)
    # How a GenieACS device is found to be a sub-service's: "tag" — it carries the tag `tag_prefix + X` (the
    # operator's provisioning or the installer sets it); "serial" — the WISPGate core's OSS lists the device
    # (its inventory: ids, sub-services, serials) and GenieACS is asked for the device of that serial number.
    match: str = "tag"
    tag_prefix: str = "sub-"
    # The CPEs' periodic inform interval: a device is online while its last inform is at most two intervals
    # old (one missed inform is tolerated).
    inform_interval_s: float = 300.0
    tr181: DataModelPaths = TR181_PATHS
    tr098: DataModelPaths = TR098_PATHS
    # 0: queue a task, then send the connection request on its own (answers within the request's time; the
    # task is followed afterwards). > 0: one call that waits up to this long for the CPE's session to start
    # (`?connection_request&timeout=`), answering DONE when it ran; GenieACS then also waits for the session
    # to end, so the read timeout must cover a whole session.
    session_wait_ms: int = 0
    connect_timeout_s: float = 1.0
    read_timeout_s: float = 5.0
    max_connections: int = 20
