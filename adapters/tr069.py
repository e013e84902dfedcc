"""TR-069 data models, read and written: a CPE's parameter tree (TR-181 `Device.…` or TR-098
`InternetGatewayDevice.…`) as the port's Wi-Fi networks and hosts, and a Wi-Fi change as the
`setParameterValues` list that makes it. Shared by every adapter that speaks to an ACS (the WISPGate core's
OSS; a GenieACS NBI adapter reads the same trees).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from adapters.errors import Rejected
from adapters.ports.cpe import ConnectedHost, CpeView, WifiBand, WifiChange, WifiNetwork, WifiSecurity

TR181 = "TR-181"
TR098 = "TR-098"
# The subtrees a Wi-Fi view needs, per data model.
PREFIXES = (
    "Device.WiFi.",
    "Device.Hosts.Host.",
    "InternetGatewayDevice.LANDevice.1.WLANConfiguration.",
    "InternetGatewayDevice.LANDevice.1.Hosts.Host.",
)
_TR181_MODES: dict[str, WifiSecurity] = {
    "None": "OPEN",
    "WPA2-Personal": "WPA2_PERSONAL",
    "WPA3-Personal": "WPA3_PERSONAL",
    "WPA2-WPA3-Personal": "WPA2_WPA3_PERSONAL",
}
_TR098_BEACONS: dict[str, WifiSecurity] = {
    "None": "OPEN",
    "Basic": "OPEN",
    "11i": "WPA2_PERSONAL",
    "WPAand11i": "WPA2_PERSONAL",
}
_HEX64 = re.compile(r"[0-9A-Fa-f]{64}")
_INSTANCE = re.compile(r"^(.*?\.)(\d+)\.(.+)$")


def _instances(params: Mapping[str, str], base: str) -> dict[int, dict[str, str]]:
    """`base` + `{i}.` + rest → {i: {rest: value}}."""
    found: dict[int, dict[str, str]] = {}
    for name, value in params.items():
        if not name.startswith(base):
            continue
        head, _, rest = name[len(base) :].partition(".")
        if head.isdigit() and rest:
            found.setdefault(int(head), {})[rest] = value
    return found


def _int(raw: str | None) -> int | None:
    return int(raw) if raw is not None and raw.isdigit() else None


def _band(raw: str | None) -> WifiBand:
    return "5GHz" if raw == "5GHz" else "6GHz" if raw == "6GHz" else "2.4GHz"


def view(device_id: str, data_model: str, parameters: list[dict[str, Any]]) -> CpeView:
    params = {p["name"]: p["value"] for p in parameters}
    if data_model == TR098:
        return _view_tr098(device_id, params)
    return _view_tr181(device_id, params)


def _view_tr181(device_id: str, params: dict[str, str]) -> CpeView:
    radios = _instances(params, "Device.WiFi.Radio.")
    points = {
        _int(ap.get("SSIDReference", "").rsplit(".", 1)[-1]): ap
        for ap in _instances(params, "Device.WiFi.AccessPoint.").values()
    }
    wifi = []
    for index, ssid in sorted(_instances(params, "Device.WiFi.SSID.").items()):
        radio = radios.get(_int(ssid.get("LowerLayers", "").rsplit(".", 1)[-1]) or 0, {})
        ap = points.get(index, {})
        supported = tuple(
            _TR181_MODES[m] for m in ap.get("Security.ModesSupported", "").split(",") if m in _TR181_MODES
        )
        wifi.append(
            WifiNetwork(
                device_id=device_id,
                index=index,
                ssid=ssid.get("SSID", ""),
                band=_band(radio.get("OperatingFrequencyBand")),
                channel=_int(radio.get("Channel")),
                enabled=ssid.get("Enable") in ("true", "1"),
                security=_TR181_MODES.get(ap.get("Security.ModeEnabled", ""), "OPEN"),
                supported_security=supported or ("OPEN",),
            )
        )
    hosts = []
    for host in (h for _, h in sorted(_instances(params, "Device.Hosts.Host.").items())):
        layer = host.get("Layer1Interface", "")
        on_wifi = layer.startswith("Device.WiFi.SSID.")
        hosts.append(
            ConnectedHost(
                device_id=device_id,
                mac=host.get("PhysAddress", ""),
                ip=host.get("IPAddress") or None,
                hostname=host.get("HostName") or None,
                active=host.get("Active") in ("true", "1"),
                connection="WIFI" if on_wifi else "ETHERNET",
                wifi_index=_int(layer.rsplit(".", 1)[-1]) if on_wifi else None,
            )
        )
    return CpeView(device_id=device_id, wifi=tuple(wifi), hosts=tuple(hosts))


def _view_tr098(device_id: str, params: dict[str, str]) -> CpeView:
    wifi = [
        WifiNetwork(
            device_id=device_id,
            index=index,
            ssid=wlan.get("SSID", ""),
            band="5GHz" if wlan.get("Standard") in ("a", "ac", "ax5") else "2.4GHz",
            channel=_int(wlan.get("Channel")),
            enabled=wlan.get("Enable") in ("true", "1"),
            security=_TR098_BEACONS.get(wlan.get("BeaconType", ""), "WPA2_PERSONAL"),
            supported_security=("OPEN", "WPA2_PERSONAL"),  # TR-098 predates WPA3
        )
        for index, wlan in sorted(
            _instances(params, "InternetGatewayDevice.LANDevice.1.WLANConfiguration.").items()
        )
    ]
    hosts = [
        ConnectedHost(
            device_id=device_id,
            mac=host.get("MACAddress", ""),
            ip=host.get("IPAddress") or None,
            hostname=host.get("HostName") or None,
            active=host.get("Active") in ("true", "1"),
            connection="WIFI" if host.get("InterfaceType") == "802.11" else "ETHERNET",
            wifi_index=1 if host.get("InterfaceType") == "802.11" and wifi else None,
        )
        for _, host in sorted(_instances(params, "InternetGatewayDevice.LANDevice.1.Hosts.Host.").items())
    ]
    return CpeView(device_id=device_id, wifi=tuple(wifi), hosts=tuple(hosts))


def wifi_values(data_model: str, network: WifiNetwork, change: WifiChange) -> list[list[str]]:
    """The `setParameterValues` list that makes `change` on `network`. Raises Rejected(SECURITY_UNSUPPORTED)
    for a mode the CPE does not offer. A 64-hex-digit passphrase is a raw WPA2 pre-shared key."""
    security = change.security or network.security
    if security not in network.supported_security:
        raise Rejected("oss", "SECURITY_UNSUPPORTED", f"this router does not offer {security}")
    values: list[list[str]] = []
    raw_key = change.passphrase is not None and _HEX64.fullmatch(change.passphrase) is not None
    if data_model == TR098:
        base = f"InternetGatewayDevice.LANDevice.1.WLANConfiguration.{network.index}."
        if change.ssid is not None:
            values.append([f"{base}SSID", change.ssid])
        if change.security is not None:
            values.append([f"{base}BeaconType", "None" if security == "OPEN" else "11i"])
        if change.passphrase is not None:
            leaf = "PreSharedKey" if raw_key else "KeyPassphrase"
            values.append([f"{base}PreSharedKey.1.{leaf}", change.passphrase])
        return values
    ssid_base, ap_base = (
        f"Device.WiFi.SSID.{network.index}.",
        f"Device.WiFi.AccessPoint.{network.index}.Security.",
    )
    if change.ssid is not None:
        values.append([f"{ssid_base}SSID", change.ssid])
    if change.security is not None:
        mode = next(k for k, v in _TR181_MODES.items() if v == security)
        values.append([f"{ap_base}ModeEnabled", mode])
    if change.passphrase is not None:
        if raw_key:
            values.append([f"{ap_base}PreSharedKey", change.passphrase])
        else:
            if security in ("WPA2_PERSONAL", "WPA2_WPA3_PERSONAL", "OPEN"):
                values.append([f"{ap_base}KeyPassphrase", change.passphrase])
            if security in ("WPA3_PERSONAL", "WPA2_WPA3_PERSONAL"):
                values.append([f"{ap_base}SAEPassphrase", change.passphrase])
    return values


def action_of(name: str, parameter_names: list[str], object_name: str | None) -> str:
    if name == "reboot":
        return "REBOOT"
    if name == "refreshObject":
        return "REFRESH"
    if parameter_names and all(".WiFi." in n or ".WLANConfiguration." in n for n in parameter_names):
        return "CHANGE_WIFI"
    return "OTHER"
