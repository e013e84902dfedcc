"""GenieACS's documents read as the port's records.

A device document nests its parameter tree: objects are JSON objects, a parameter is a leaf object
`{"_value": …, "_type": "xsd:…", "_timestamp": …, "_writable": …}`; the device's own facts are the
underscore fields (`_id`, `_lastInform`, `_deviceId: {_Manufacturer, _OUI, _ProductClass, _SerialNumber}`,
`_tags`). A task is `{"_id": <ObjectId>, "device", "name", "timestamp", …}` until it has run (a task that ran
is deleted); a task that faulted stays, with a fault `{"_id": "<device>:task_<task id>", "code": "cwmp.9007",
"message", "timestamp", …}`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import msgspec

from adapters import tr069
from adapters.errors import ContractViolation
from adapters.genieacs.config import DataModelPaths, GenieAcsConfig
from adapters.genieacs.nbi import BACKEND
from adapters.ports.cpe import DeviceTask, TaskAction
from adapters.ports.oss import Device, DeviceKind

TR098_ROOT = "InternetGatewayDevice"
# The subtrees a Wi-Fi view needs (`adapters.tr069.PREFIXES` as projections: no trailing dot).
WIFI_PROJECTION = tuple(p.rstrip(".") for p in tr069.PREFIXES)
_OBJECT_ID = re.compile(r"[0-9a-f]{24}")
_ACTIONS: dict[TaskAction, str] = {"CHANGE_WIFI": "W", "REBOOT": "B", "REFRESH": "F", "OTHER": "O"}
_ACTION_OF = {v: k for k, v in _ACTIONS.items()}


def moment(raw: Any) -> datetime | None:
    """GenieACS writes dates as ISO 8601 in UTC ("2026-11-25T10:00:00.000Z")."""
    if not isinstance(raw, str):
        return None
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def leaves(doc: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """(path, leaf) of every parameter in a device document's tree."""
    for key, value in doc.items():
        if key.startswith("_") or not isinstance(value, dict):
            continue
        path = f"{prefix}{key}"
        if "_value" in value:
            yield path, value
        else:
            yield from leaves(value, f"{path}.")


def text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def parameters(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The tree as `adapters.tr069` reads it: [{"name", "value", "type"}]."""
    return [
        {"name": path, "value": text(leaf["_value"]), "type": leaf.get("_type") or "xsd:string"}
        for path, leaf in leaves(doc)
    ]


def value_at(doc: Mapping[str, Any], path: str) -> Any:
    node: Any = doc
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node.get("_value") if isinstance(node, dict) else None


def data_model(doc: Mapping[str, Any]) -> str:
    return tr069.TR098 if TR098_ROOT in doc else tr069.TR181


def subservice_of(doc: Mapping[str, Any], prefix: str) -> str | None:
    """The sub-service a device's tag names (the first such tag), or None: not one of the portal's."""
    tags = doc.get("_tags")
    for tag in tags if isinstance(tags, list) else ():
        if isinstance(tag, str) and tag.startswith(prefix) and len(tag) > len(prefix):
            return tag[len(prefix) :]
    return None


def kind_of(model: str) -> DeviceKind:
    """GenieACS does not say what a CPE is; its model name usually does ("HG8245 ONT", "IPTV STB …")."""
    words = set(model.upper().replace("-", " ").replace("_", " ").split())
    for kind in ("ONT", "STB", "ATA", "GATEWAY"):
        if kind in words:
            return kind
    return "ROUTER"


def paths_of(config: GenieAcsConfig, model: str) -> DataModelPaths:
    return config.tr098 if model == tr069.TR098 else config.tr181


def device_projection(config: GenieAcsConfig) -> tuple[str, ...]:
    facts = {p for paths in (config.tr181, config.tr098) for p in (paths.model, paths.firmware, paths.mac)}
    return ("_id", "_lastInform", "_deviceId", "_tags", *sorted(facts))


def device(doc: Mapping[str, Any], subservice_id: str, config: GenieAcsConfig, now: datetime) -> Device:
    device_id = doc.get("_id")
    if not isinstance(device_id, str) or not device_id:
        raise ContractViolation(BACKEND, "a device document without an _id")
    ident = doc.get("_deviceId") if isinstance(doc.get("_deviceId"), dict) else {}
    assert isinstance(ident, dict)
    paths = paths_of(config, data_model(doc))
    model = text(value_at(doc, paths.model)) or text(ident.get("_ProductClass"))
    last_inform = moment(doc.get("_lastInform"))
    age_s = (now - last_inform).total_seconds() if last_inform is not None else None
    return Device(
        id=device_id,
        subservice_id=subservice_id,
        kind=kind_of(model),
        model=model,
        serial=text(ident.get("_SerialNumber")),
        mac=text(value_at(doc, paths.mac)).upper(),
        firmware=text(value_at(doc, paths.firmware)),
        online=age_s is not None and age_s <= 2 * config.inform_interval_s,
        last_seen=last_inform or datetime.fromtimestamp(0, UTC),
    )


def serial_of(doc: Mapping[str, Any]) -> str | None:
    ident = doc.get("_deviceId")
    serial = ident.get("_SerialNumber") if isinstance(ident, dict) else None
    return serial if isinstance(serial, str) and serial else None


def live(record: Device, doc: Mapping[str, Any], config: GenieAcsConfig, now: datetime) -> Device:
    """An inventory record (the core's) with what GenieACS knows now: firmware, last inform, online."""
    seen = device(doc, record.subservice_id, config, now)
    return msgspec.structs.replace(
        record,
        firmware=seen.firmware or record.firmware,
        online=seen.online,
        last_seen=seen.last_seen if moment(doc.get("_lastInform")) is not None else record.last_seen,
    )


# --- tasks ---------------------------------------------------------------------------------------------
#
# A task that ran is gone from GenieACS, so the port's task id carries what the portal must still know
# then: GenieACS's task id (an ObjectId, whose first 4 bytes are its creation time), the action and the
# device: "<ObjectId>:<action letter>:<device id>".


def task_ref(task_id: str, action: TaskAction, device_id: str) -> str:
    return f"{task_id}:{_ACTIONS[action]}:{device_id}"


def parse_ref(ref: str) -> tuple[str, TaskAction, str] | None:
    task_id, _, rest = ref.partition(":")
    letter, _, device_id = rest.partition(":")
    if not _OBJECT_ID.fullmatch(task_id) or letter not in _ACTION_OF or not device_id:
        return None
    return task_id, _ACTION_OF[letter], device_id


def is_task_id(raw: Any) -> bool:
    return isinstance(raw, str) and _OBJECT_ID.fullmatch(raw) is not None


def created_at(task_id: str) -> datetime:
    return datetime.fromtimestamp(int(task_id[:8], 16), UTC)


def action_of(task: Mapping[str, Any]) -> TaskAction:
    values = task.get("parameterValues")
    names = (
        [v[0] for v in values if isinstance(v, list) and v and isinstance(v[0], str)]
        if isinstance(values, list)
        else []
    )
    action = tr069.action_of(str(task.get("name")), names, task.get("objectName"))
    return action if action in _ACTIONS else "OTHER"


def fault_id(device_id: str, task_id: str) -> str:
    return f"{device_id}:task_{task_id}"


def device_task(
    *,
    task_id: str,
    action: TaskAction,
    device_id: str,
    subservice_id: str,
    task: Mapping[str, Any] | None,
    fault: Mapping[str, Any] | None,
    now: datetime,
) -> DeviceTask:
    """PENDING while GenieACS holds the task, FAILED when it holds a fault for it, DONE once it is gone."""
    created = moment(task.get("timestamp")) if task is not None else None
    created = created or created_at(task_id)
    if fault is not None:
        code = text(fault.get("code"))
        return DeviceTask(
            id=task_ref(task_id, action, device_id),
            device_id=device_id,
            subservice_id=subservice_id,
            action=action,
            status="FAILED",
            fault_code=code.removeprefix("cwmp.") or None,
            fault_message=text(fault.get("message")) or None,
            created_at=created,
            updated_at=moment(fault.get("timestamp")) or now,
        )
    return DeviceTask(
        id=task_ref(task_id, action, device_id),
        device_id=device_id,
        subservice_id=subservice_id,
        action=action,
        status="PENDING" if task is not None else "DONE",
        created_at=created,
        updated_at=created if task is not None else now,
    )
