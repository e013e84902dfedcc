"""The CPEs' parameter trees, as an auto-configuration server (ACS) holds them, and its task queue.

Modelled on GenieACS's northbound interface: each managed device has a tree of TR-069 parameters (TR-181
`Device.…` for the newer routers, TR-098 `InternetGatewayDevice.…` for the ONTs), and changes reach a CPE as
tasks (`setParameterValues`, `reboot`, `refreshObject`) queued per device and run in the CPE's next CWMP
session, which a connection request opens at once when the CPE is online. Passphrases are write-only: the
tree never gives their value back (TR-181: "when read, this parameter returns an empty string"), and a task
forgets the values it set once it has run.
"""

from __future__ import annotations

import json
import random
import sqlite3
from typing import Any

from sandbox.common import clock

SCHEMA = """
CREATE TABLE IF NOT EXISTS oss_cpe (
    device_id TEXT PRIMARY KEY REFERENCES oss_device (id),
    data_model TEXT NOT NULL,           -- TR-181 | TR-098
    rejects_tasks INTEGER NOT NULL DEFAULT 0,  -- operator switch: the CPE faults every task (9002)
    booted_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS oss_param (
    device_id TEXT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    type TEXT NOT NULL,                 -- xsd:string | xsd:boolean | xsd:unsignedInt | xsd:hexBinary
    writable INTEGER NOT NULL,
    secret INTEGER NOT NULL DEFAULT 0,  -- write-only: read back as ""
    updated_at TEXT NOT NULL,
    PRIMARY KEY (device_id, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS oss_task (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    device_id TEXT NOT NULL REFERENCES oss_device (id),
    name TEXT NOT NULL,                 -- setParameterValues | reboot | refreshObject
    request TEXT NOT NULL,              -- the task as posted; values are dropped once it has run
    status TEXT NOT NULL,               -- PENDING | DONE | FAULT
    fault_code TEXT,
    fault_message TEXT,
    due_at TEXT,                        -- when the CPE's session runs it; NULL: at its next contact
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS oss_task_by_device ON oss_task (device_id, seq);
CREATE INDEX IF NOT EXISTS oss_task_pending ON oss_task (status, due_at);
"""

WIFI_MODELS = {"Wi-Fi 6 Router AX3000": "TR-181", "ONT HG8245": "TR-098"}
HOST_NAMES = (
    "iPhone",
    "Galaxy-S23",
    "LAPTOP-7KQ2",
    "Living-Room-TV",
    "iPad",
    "Printer-HP",
    "Xbox",
    "Pixel-8",
    "MacBook-Air",
    "Echo-Dot",
)
TR181_MODES = "None,WPA2-Personal,WPA3-Personal,WPA2-WPA3-Personal"


def data_model(model: str) -> str:
    return WIFI_MODELS.get(model, "TR-181")


def _param(device_id: str, name: str, value: Any, now: str, *, writable: bool = False) -> tuple[Any, ...]:
    if isinstance(value, bool):
        kind, text = "xsd:boolean", "true" if value else "false"
    elif isinstance(value, int):
        kind, text = "xsd:unsignedInt", str(value)
    else:
        kind, text = "xsd:string", str(value)
    return (device_id, name, text, kind, int(writable), 0, now)


def _secret(device_id: str, name: str, value: str, now: str, kind: str = "xsd:string") -> tuple[Any, ...]:
    return (device_id, name, value, kind, 1, 1, now)


def _passphrase(rng: random.Random) -> str:
    return "".join(rng.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(12))


def _hosts(
    rng: random.Random, device_id: str, base: str, now: str, wifi_layers: list[str], wired: str, mac: str
) -> list[tuple[Any, ...]]:
    rows = []
    for n in range(1, rng.randint(2, 4) + 1):
        prefix = f"{base}{n}."
        on_wifi = bool(wifi_layers) and n != 1
        layer = rng.choice(wifi_layers) if on_wifi else wired
        octets = [0x02, 0x48, 0x4F, int(mac[-5:-3], 16), int(mac[-2:], 16), n]
        rows += [
            _param(device_id, f"{prefix}HostName", f"{rng.choice(HOST_NAMES)}", now),
            _param(
                device_id,
                prefix + ("PhysAddress" if "Device." in base else "MACAddress"),
                ":".join(f"{o:02X}" for o in octets),
                now,
            ),
            _param(device_id, f"{prefix}IPAddress", f"192.168.1.{100 + n}", now),
            _param(device_id, f"{prefix}Active", n != 4, now),
            _param(
                device_id, prefix + ("Layer1Interface" if "Device." in base else "InterfaceType"), layer, now
            ),
        ]
    return rows


def tree(device: dict[str, Any], now: str) -> tuple[str, list[tuple[Any, ...]]]:
    """The data model and parameter rows a device's seed gives it."""
    device_id, model = device["id"], device["model"]
    rng = random.Random(f"oss-cpe:{device_id}")
    suffix = device["serial"][-4:]
    if data_model(model) == "TR-098":
        root = "InternetGatewayDevice."
        wlan = f"{root}LANDevice.1.WLANConfiguration.1."
        rows = [
            _param(device_id, f"{root}DeviceInfo.SerialNumber", device["serial"], now),
            _param(device_id, f"{root}DeviceInfo.SoftwareVersion", device["firmware"], now),
            _param(device_id, f"{wlan}Enable", True, now, writable=True),
            _param(device_id, f"{wlan}SSID", f"WG-{suffix}", now, writable=True),
            _param(device_id, f"{wlan}Channel", rng.choice((1, 6, 11)), now, writable=True),
            _param(device_id, f"{wlan}Standard", "n", now),
            _param(device_id, f"{wlan}BeaconType", "11i", now, writable=True),
            _param(device_id, f"{wlan}IEEE11iAuthenticationMode", "PSKAuthentication", now),
            _secret(device_id, f"{wlan}PreSharedKey.1.KeyPassphrase", _passphrase(rng), now),
            _secret(device_id, f"{wlan}PreSharedKey.1.PreSharedKey", "", now, "xsd:hexBinary"),
        ]
        rows += _hosts(
            rng, device_id, f"{root}LANDevice.1.Hosts.Host.", now, ["802.11"], "Ethernet", device["mac"]
        )
        return "TR-098", rows
    rows = [
        _param(device_id, "Device.DeviceInfo.SerialNumber", device["serial"], now),
        _param(device_id, "Device.DeviceInfo.SoftwareVersion", device["firmware"], now),
    ]
    if model in WIFI_MODELS:
        for index, (band, channel, name) in enumerate(
            (
                ("2.4GHz", rng.choice((1, 6, 11)), f"WG-{suffix}"),
                ("5GHz", rng.choice((36, 44, 149)), f"WG-{suffix}-5G"),
            ),
            start=1,
        ):
            radio, ssid, ap = (
                f"Device.WiFi.Radio.{index}.",
                f"Device.WiFi.SSID.{index}.",
                f"Device.WiFi.AccessPoint.{index}.",
            )
            rows += [
                _param(device_id, f"{radio}OperatingFrequencyBand", band, now),
                _param(device_id, f"{radio}Channel", channel, now, writable=True),
                _param(device_id, f"{ssid}Enable", True, now, writable=True),
                _param(device_id, f"{ssid}SSID", name, now, writable=True),
                _param(device_id, f"{ssid}LowerLayers", f"Device.WiFi.Radio.{index}", now),
                _param(device_id, f"{ap}SSIDReference", f"Device.WiFi.SSID.{index}", now),
                _param(device_id, f"{ap}Security.ModesSupported", TR181_MODES, now),
                _param(device_id, f"{ap}Security.ModeEnabled", "WPA2-Personal", now, writable=True),
                _secret(device_id, f"{ap}Security.KeyPassphrase", _passphrase(rng), now),
                _secret(device_id, f"{ap}Security.SAEPassphrase", "", now),
                _secret(device_id, f"{ap}Security.PreSharedKey", "", now, "xsd:hexBinary"),
            ]
        layers = ["Device.WiFi.SSID.1", "Device.WiFi.SSID.2"]
        rows += _hosts(
            rng, device_id, "Device.Hosts.Host.", now, layers, "Device.Ethernet.Interface.1", device["mac"]
        )
    elif device["kind"] == "ROUTER":
        rows += _hosts(
            rng, device_id, "Device.Hosts.Host.", now, [], "Device.Ethernet.Interface.1", device["mac"]
        )
    return "TR-181", rows


def param_item(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "name": row["name"],
        "value": "" if row["secret"] else row["value"],
        "type": row["type"],
        "writable": bool(row["writable"]),
        "updated_at": row["updated_at"],
    }


def task_item(row: sqlite3.Row, subservice_id: str) -> dict[str, Any]:
    request = json.loads(row["request"])
    values = request.get("parameterValues") or []
    return {
        "id": row["id"],
        "device_id": row["device_id"],
        "subservice_id": subservice_id,
        "name": row["name"],
        "parameter_names": [v[0] for v in values],
        "object_name": request.get("objectName"),
        "status": row["status"],
        "fault": (
            {"code": row["fault_code"], "message": row["fault_message"] or ""} if row["fault_code"] else None
        ),
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def seed_rows(devices: list[dict[str, Any]]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    now = clock.iso(clock.now())
    assert now is not None
    cpes, params = [], []
    for device in devices:
        model, rows = tree(device, now)
        cpes.append((device["id"], model, 0, now))
        params += rows
    return cpes, params
